//! The session refuses what DGPhone cannot take, with nothing sent:
//! commands before login, a second login.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use dgphone::{Command, Error, Options};
use dgphone_sim::{LoginPolicy, SimConfig, Simulator, Traffic};

/// A simulator that keeps every byte its clients send.
fn recording_sim(config: SimConfig) -> (Simulator, Arc<Mutex<Vec<u8>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let sim = Simulator::start_with_observer("127.0.0.1:0", config, move |traffic| {
        if let Traffic::BytesReceived { bytes, .. } = traffic {
            sink.lock().unwrap().extend_from_slice(bytes);
        }
    })
    .unwrap();
    (sim, received)
}

/// A call that may be refused, named by the command it sends.
type Call<'a> = dyn Fn() -> dgphone::Result<()> + 'a;

fn packets(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).split("\r\n\r\n").filter(|p| !p.is_empty()).map(str::to_string).collect()
}

#[test]
fn commands_before_login_are_refused_and_nothing_is_sent() {
    let (sim, received) = recording_sim(SimConfig::default());
    let client = connect(&sim, Options::default());
    let line1 = line(1);
    let refused: Vec<(&str, Box<Call>)> = vec![
        ("Dial", Box::new(|| client.dial("100"))),
        ("Status", Box::new(|| client.request_status())),
        ("logoff", Box::new(|| client.logoff())),
        ("LineSelect", Box::new(|| client.select_line(line1))),
        ("Answer", Box::new(|| client.answer(None))),
        ("Hold", Box::new(|| client.hold())),
        ("SendDtmf", Box::new(|| client.send_dtmf("12#"))),
        ("Hangup", Box::new(|| client.hangup(Some(line1)))),
        ("QueueStatus", Box::new(|| client.send(&Command::QueueStatus { queue: None }))),
        ("DGTimeStamp", Box::new(|| client.send(&Command::Generic { name: "DGTimeStamp".into(), headers: vec![] }))),
        (
            "Dial",
            Box::new(|| {
                let dial = Command::Dial { number: "100".into(), line: None };
                client.send_and_confirm(&dial, WAIT).map(drop)
            }),
        ),
    ];
    for (name, call) in &refused {
        match call() {
            Err(Error::NotLoggedIn { command }) => assert_eq!(command, *name),
            other => panic!("{name} before login was not refused: {other:?}"),
        }
    }
    let message = client.dial("100").unwrap_err().to_string();
    assert!(message.contains("log in first") && message.contains("nothing was sent"), "{message}");
    // Bad input is still reported as bad input.
    assert!(matches!(client.send_dtmf("12x"), Err(Error::InvalidArgument(_))));

    // Once DGPhone has answered the login it has read everything sent
    // before it: only the Login.
    client.login("201").unwrap();
    let got = packets(&received.lock().unwrap());
    assert_eq!(got.len(), 1, "only the Login reached DGPhone: {got:#?}");
    assert!(got[0].contains("Command: Login"), "{got:#?}");

    client.dial("100").unwrap();
    sim.wait_for_command("Dial", WAIT).expect("after login, commands go out");
}

#[test]
fn a_second_login_is_refused_and_nothing_is_sent() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    match client.login("202") {
        Err(Error::AlreadyLoggedIn { user, pending: false }) => assert_eq!(user, "201"),
        other => panic!("a second login was not refused: {other:?}"),
    }
    let again = Command::Login { user: "201".into(), remote_mode: true };
    let message = client.send(&again).unwrap_err().to_string();
    assert!(message.contains("already logged in as 201"), "{message}");
    assert!(matches!(client.send_and_confirm(&again, WAIT), Err(Error::AlreadyLoggedIn { .. })));
    assert_eq!(client.user().as_deref(), Some("201"), "the refused login changed nothing");
    assert!(client.is_logged_in());
    // Status is answered only after everything before it was read.
    client.request_status().unwrap();
    sim.wait_for_command("Status", WAIT).unwrap();
    let logins = sim.commands().iter().filter(|p| p.get("Command") == Some("Login")).count();
    assert_eq!(logins, 1, "no second Login reached DGPhone");
}

#[test]
fn a_login_while_another_awaits_its_answer_is_refused() {
    let sim = sim(SimConfig { login: LoginPolicy::Ignore, ..SimConfig::default() });
    let options = Options { command_timeout: Duration::from_millis(1500), ..Options::default() };
    let client = connect(&sim, options);
    let first = {
        let handle = client.handle();
        std::thread::spawn(move || handle.login("201"))
    };
    sim.wait_for_command("Login", WAIT).expect("the first login went out");
    match client.login("202") {
        Err(Error::AlreadyLoggedIn { user, pending: true }) => assert_eq!(user, "201"),
        other => panic!("a login during a pending one was not refused: {other:?}"),
    }
    assert_eq!(client.user().as_deref(), Some("201"), "the refusal left the pending login alone");
    assert!(matches!(first.join().unwrap(), Err(Error::Timeout { .. })));
    assert_eq!(sim.commands().len(), 1, "only the first Login reached DGPhone");
    // The unanswered login is over: a new one may go out.
    client.send(&Command::Login { user: "203".into(), remote_mode: true }).unwrap();
    let second = sim.wait_for_command("Login", WAIT).expect("the new login went out");
    assert_eq!(second.get("User"), Some("203"));
    assert_eq!(sim.commands().len(), 2);
}

#[test]
fn after_a_rejected_login_another_may_be_tried() {
    let sim = sim(SimConfig { login: LoginPolicy::Reject("Invalid user".into()), ..SimConfig::default() });
    let client = connect(&sim, Options::default());
    for _ in 0..2 {
        assert!(matches!(client.login("201"), Err(Error::LoginRejected { .. })));
    }
    assert_eq!(sim.commands().len(), 2, "both logins went out");
}
