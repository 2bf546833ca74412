//! The simulator over real loopback sockets, driven by a bare TcpStream and
//! the crate's wire decoder (never a client library), so these tests pin
//! down exactly what goes over the wire.
//!
//! Every simulator binds port 0. Nothing sleeps: each read waits (up to a
//! generous timeout) for the packet a step expects.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dgphone::protocol::ParsedTime;
use dgphone::wire::{Decoder, Frame, Packet};
use dgphone::{EventKind, Line};
use dgphone_sim::{LineEnding, LoginPolicy, SimConfig, Simulator, Traffic};

const PATIENCE: Duration = Duration::from_secs(10);
const GREETING: &str = "DGPhone Remote Control/1.0";

fn line(n: u32) -> Line {
    Line::new(n).unwrap()
}

fn start(config: SimConfig) -> Simulator {
    Simulator::start("127.0.0.1:0", config).expect("the simulator starts")
}

/// `Status[:Line]`, or `Response` for a response, or `Event` otherwise.
fn summary(packet: &Packet) -> String {
    let name = packet.get("Status").or_else(|| packet.get("Response")).or_else(|| packet.get("Event")).unwrap_or("?");
    match packet.get("Line") {
        Some(line) => format!("{name}:{line}"),
        None => name.to_string(),
    }
}

/// A bare protocol connection.
struct Conn {
    stream: TcpStream,
    decoder: Decoder,
}

impl Conn {
    /// Connects and reads the default greeting.
    fn connect(sim: &Simulator) -> Conn {
        let mut conn = Conn::connect_quiet(sim);
        assert_eq!(conn.frame(), Frame::Greeting(GREETING.into()));
        conn
    }

    /// Connects without expecting a greeting.
    fn connect_quiet(sim: &Simulator) -> Conn {
        let stream = TcpStream::connect(sim.local_addr()).expect("connects");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        Conn { stream, decoder: Decoder::default() }
    }

    fn send(&mut self, name: &str, headers: &[(&str, &str)]) {
        let mut packet = Packet::new().with("Action", "DGPhoneCommand").with("Command", name);
        for (key, value) in headers {
            packet.push(key, value);
        }
        self.stream.write_all(&packet.encode()).unwrap();
    }

    /// Logs in as `user` and checks the response.
    fn login(&mut self, user: &str) {
        self.send("Login", &[("User", user), ("RemoteMode", "1")]);
        let response = self.packet();
        assert_eq!(response.get("Response"), Some("Success"), "{response:?}");
        assert_eq!(response.get("User"), Some(user));
    }

    /// The next frame; fails the test on a timeout, an error or the end.
    fn frame(&mut self) -> Frame {
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return frame.expect("a well-formed stream");
            }
            match self.decoder.read_from(&mut self.stream) {
                Ok(0) => panic!("the simulator closed the connection"),
                Ok(_) => {}
                Err(e) => panic!("no packet within {PATIENCE:?}: {e}"),
            }
        }
    }

    fn packet(&mut self) -> Packet {
        match self.frame() {
            Frame::Packet(packet) => packet,
            other => panic!("expected a packet, got {other:?}"),
        }
    }

    /// The summaries of the next `n` packets.
    fn summaries(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| summary(&self.packet())).collect()
    }

    /// Waits for the end of the stream; a reset counts as an end too.
    fn expect_closed(&mut self) {
        let mut buf = [0u8; 4096];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    self.decoder.push(&buf[..n]);
                    if let Some(frame) = self.decoder.next_frame() {
                        panic!("expected the end of the stream, got {frame:?}");
                    }
                }
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return,
                Err(e) => panic!("the connection was not closed within {PATIENCE:?}: {e}"),
            }
        }
    }
}

#[test]
fn greeting_then_login_accepted() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.send("Login", &[("User", "201"), ("RemoteMode", "1")]);
    let response: Vec<_> = conn.packet().iter().map(|(k, v)| format!("{k}: {v}")).collect();
    assert_eq!(
        response,
        ["Event: DGPhoneResponse", "Response: Success", "Command: Login", "User: 201", "Message: Login OK"]
    );
    assert!(sim.wait_for_logins(1, PATIENCE));
    assert_eq!(sim.connections(), 1);
    assert_eq!(sim.commands()[0].get("User"), Some("201"));
}

#[test]
fn login_rejected_and_commands_before_login_refused() {
    let reject = LoginPolicy::Reject("Invalid user".into());
    let sim = start(SimConfig { login: reject, ..SimConfig::default() });
    let mut conn = Conn::connect(&sim);
    conn.send("Login", &[("User", "201")]);
    let response = conn.packet();
    assert_eq!(
        (response.get("Response"), response.get("Command"), response.get("Message")),
        (Some("Error"), Some("Login"), Some("Invalid user"))
    );
    conn.send("Status", &[]);
    let refused = conn.packet();
    assert_eq!((summary(&refused), refused.get("Message")), ("Error".into(), Some("Not logged in")));
    assert!(!sim.wait_for_logins(1, Duration::ZERO));
}

#[test]
fn bare_lf_and_windows_1252_switches() {
    let reject = LoginPolicy::Reject("Usuário inválido".into());
    let config = SimConfig { login: reject, line_ending: LineEnding::Lf, windows_1252: true, ..SimConfig::default() };
    let sim = start(config);
    let mut conn = Conn::connect_quiet(&sim);
    conn.send("Login", &[("User", "201")]);
    let mut bytes = Vec::new();
    while !bytes.ends_with(b"\n\n") {
        let mut buf = [0u8; 256];
        let n = conn.stream.read(&mut buf).expect("the rejection within the patience");
        assert!(n > 0, "closed early");
        bytes.extend_from_slice(&buf[..n]);
    }
    let expected = format!("{GREETING}\nEvent: DGPhoneResponse\nResponse: Error\nCommand: Login\nUser: 201\n");
    assert!(bytes.starts_with(expected.as_bytes()), "{:?}", String::from_utf8_lossy(&bytes));
    assert!(!bytes.contains(&b'\r'));
    assert!(bytes.ends_with(b"Message: Usu\xe1rio inv\xe1lido\n\n"), "{bytes:?}");
    // The wire layer reads it back as the same text.
    conn.decoder.push(&bytes);
    assert_eq!(conn.frame(), Frame::Greeting(GREETING.into()));
    assert_eq!(conn.packet().get("Message"), Some("Usuário inválido"));
}

#[test]
fn ignored_login_gets_no_answer() {
    let sim = start(SimConfig { login: LoginPolicy::Ignore, greeting: None, ..SimConfig::default() });
    let mut conn = Conn::connect_quiet(&sim);
    conn.send("Login", &[("User", "201")]);
    conn.send("Status", &[]);
    // The first thing to come back answers Status: Login got nothing.
    assert_eq!(conn.packet().get("Message"), Some("Not logged in"));
}

#[test]
fn bare_lf_commands_are_understood() {
    let sim = start(SimConfig { greeting: None, ..SimConfig::default() });
    let mut conn = Conn::connect_quiet(&sim);
    conn.stream.write_all(b"Action: DGPhoneCommand\nCommand: Login\nUser: 201\n\n").unwrap();
    assert_eq!(conn.packet().get("Response"), Some("Success"));
}

#[test]
fn outgoing_call_with_hold_and_dtmf() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("LineSelect", &[("Line", "2")]);
    assert_eq!(conn.summaries(1), ["LineSelected:2"]);
    conn.send("Dial", &[("Number", "100"), ("User", "201")]);
    let dialing = conn.packet();
    let header: Vec<_> = dialing.iter().map(|(k, _)| k).collect();
    assert_eq!(header, ["Event", "Status", "User", "Line", "Number"]);
    assert_eq!((summary(&dialing), dialing.get("Number")), ("Dialing:2".into(), Some("100")));
    assert_eq!(conn.summaries(1), ["Answer:2"]);
    conn.send("Hold", &[]);
    assert_eq!(conn.packet().get("Hold"), Some("1"));
    conn.send("Hold", &[]);
    assert_eq!(conn.packet().get("Hold"), Some("0"));
    // DTMF is not echoed: the next packets answer the next command.
    conn.send("SendDtmf", &[("Digits", "123#")]);
    conn.send("Status", &[]);
    let status = conn.summaries(6);
    assert_eq!(status, ["Ready:1", "Answer:2", "Ready:3", "Ready:4", "Ready:5", "Ready:6"]);
    conn.send("Hangup", &[]);
    assert_eq!(conn.summaries(2), ["Hangup:2", "Ready:2"]);
    conn.send("Transfer", &[]);
    assert_eq!(conn.packet().get("Message"), Some("Unknown command Transfer"));
}

#[test]
fn far_end_answers_when_auto_answer_is_off() {
    let sim = start(SimConfig { auto_answer: false, ..SimConfig::default() });
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("Dial", &[("Number", "100")]);
    assert_eq!(conn.summaries(1), ["Dialing:1"]);
    sim.far_end_answer(line(1));
    let answer = conn.packet();
    assert_eq!((summary(&answer), answer.get("Number")), ("Answer:1".into(), Some("100")));
    sim.far_end_hangup(line(1));
    assert_eq!(conn.summaries(2), ["Hangup:1", "Ready:1"]);
}

#[test]
fn incoming_call_answered_with_dtmf_then_hung_up_by_the_far_end() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    sim.incoming_call(line(1), "5511999990000");
    let ringing = conn.packet();
    assert_eq!(
        (summary(&ringing), ringing.get("User"), ringing.get("Number")),
        ("ReceivingCall:1".into(), Some("201"), Some("5511999990000"))
    );
    conn.send("Answer", &[("Line", "1")]);
    assert_eq!(conn.summaries(1), ["Answer:1"]);
    sim.dtmf_received(line(1), '7');
    let dtmf = conn.packet();
    assert_eq!((summary(&dtmf), dtmf.get("Digit")), ("DTMFReceived:1".into(), Some("7")));
    sim.far_end_hangup(line(1));
    assert_eq!(conn.summaries(2), ["Hangup:1", "Ready:1"]);
}

#[test]
fn agent_login_by_feature_code_and_agent_events() {
    let config = SimConfig { agent_password: Some("1234".into()), ..SimConfig::default() };
    let sim = start(config);
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("Dial", &[("Number", "*9800")]);
    assert_eq!(conn.packet().get("Number"), Some("*9800"));
    conn.send("SendDtmf", &[("Digits", "7001#")]);
    assert_eq!(conn.summaries(1), ["Answer:1"]);
    conn.send("SendDtmf", &[("Digits", "1234#")]);
    let login = conn.packet();
    assert_eq!((summary(&login), login.get("Agent")), ("AgentLogin".into(), Some("7001")));

    sim.agent_event(EventKind::AgentCalled, "7001", Some("1700000000.1"));
    sim.agent_event(EventKind::AgentConnect, "7001", Some("1700000000.1"));
    let called = conn.packet();
    assert_eq!((summary(&called), called.get("Uniqueid")), ("AgentCalled".into(), Some("1700000000.1")));
    assert_eq!(conn.summaries(1), ["AgentConnect"]);
}

#[test]
fn queue_status_and_agent_pause() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("QueueStatus", &[("Queue", "sales")]);
    let queue: Vec<Packet> = (0..3).map(|_| conn.packet()).collect();
    let kinds: Vec<String> = queue.iter().map(summary).collect();
    assert_eq!(kinds, ["QueueEntry", "QueueEntry", "QueueStatusComplete"]);
    assert!(queue.iter().all(|p| p.get("Queue") == Some("sales")));
    assert!(queue[..2].iter().all(|p| p.get("Number").is_some() && p.get("Wait").is_some()));
    conn.send("AgentPause", &[("Agent", "7001"), ("Paused", "1"), ("Reason", "Lunch")]);
    let paused = conn.packet();
    assert_eq!(
        (summary(&paused), paused.get("Agent"), paused.get("Paused"), paused.get("Reason")),
        ("AgentPaused".into(), Some("7001"), Some("1"), Some("Lunch"))
    );
}

#[test]
fn two_clients_have_separate_phones() {
    let sim = start(SimConfig::default());
    let mut a = Conn::connect(&sim);
    let mut b = Conn::connect(&sim);
    let mut outsider = Conn::connect(&sim); // never logs in
    a.login("201");
    b.login("202");
    assert!(sim.wait_for_logins(2, PATIENCE));
    assert_eq!(sim.connections(), 3);

    a.send("Dial", &[("Number", "100")]);
    assert_eq!(a.summaries(2), ["Dialing:1", "Answer:1"]);
    // Line 1 is busy on a's phone only, so only b rings.
    sim.incoming_call(line(1), "300");
    let ringing = b.packet();
    assert_eq!((summary(&ringing), ringing.get("User")), ("ReceivingCall:1".into(), Some("202")));
    a.send("Status", &[]);
    assert_eq!(a.summaries(6)[0], "Answer:1");
    b.send("Status", &[]);
    assert_eq!(b.summaries(6)[0], "ReceivingCall:1");

    // Injections carry each client's own User; send_packet only reaches
    // logged-in clients, send_raw every client.
    sim.agent_event(EventKind::AgentLogoff, "7001", None);
    sim.send_packet(&Packet::new().with("Event", "Custom"));
    sim.send_raw(b"Event: Raw\r\n\r\n");
    for (conn, user) in [(&mut a, "201"), (&mut b, "202")] {
        let agent = conn.packet();
        assert_eq!((summary(&agent), agent.get("User")), ("AgentLogoff".into(), Some(user)));
        assert_eq!(conn.summaries(2), ["Custom", "Raw"]);
    }
    assert_eq!(outsider.summaries(1), ["Raw"]);
}

#[test]
fn timestamps_flow_to_logged_in_clients_only() {
    let interval = Some(Duration::from_millis(20));
    let sim = start(SimConfig { timestamp_interval: interval, ..SimConfig::default() });
    let mut stranger = Conn::connect(&sim); // never logs in
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    for _ in 0..3 {
        let stamp = conn.packet();
        assert_eq!(stamp.get("Event"), Some("DGTimeStamp"));
        let time = ParsedTime::parse(stamp.get("Time").unwrap());
        assert!(matches!(time, Some(ParsedTime::Clock { date: Some(_), .. })), "{stamp:?}");
    }
    // Commands are still answered between timestamps.
    conn.send("LineSelect", &[("Line", "4")]);
    let answer = std::iter::repeat_with(|| conn.packet()).find(|p| p.get("Event") != Some("DGTimeStamp")).unwrap();
    assert_eq!(summary(&answer), "LineSelected:4");
    // Several intervals have passed: a stamp for the stranger would come
    // before this answer.
    stranger.send("Status", &[]);
    assert_eq!(stranger.packet().get("Message"), Some("Not logged in"));
}

#[test]
fn a_silent_simulator_reads_but_sends_nothing() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    sim.set_silent(true);
    conn.send("Status", &[]);
    assert!(sim.wait_for_command("Status", PATIENCE).is_some());
    sim.incoming_call(line(2), "100");
    sim.set_silent(false);
    conn.send("LineSelect", &[("Line", "3")]);
    assert_eq!(conn.summaries(1), ["LineSelected:3"]);
}

#[test]
fn commands_are_logged_in_order_and_handed_out_once() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("status", &[]);
    conn.send("LineSelect", &[("Line", "2")]);
    conn.send("Status", &[]);
    assert_eq!(conn.summaries(13).last().unwrap(), "Ready:6");
    let names: Vec<String> = sim.commands().iter().map(|p| p.get("Command").unwrap().to_string()).collect();
    assert_eq!(names, ["Login", "status", "LineSelect", "Status"]);
    assert_eq!(sim.wait_for_command("STATUS", PATIENCE).unwrap().get("Command"), Some("status"));
    assert_eq!(sim.wait_for_command("Status", PATIENCE).unwrap().get("Command"), Some("Status"));
    assert!(sim.wait_for_command("status", Duration::from_millis(20)).is_none());
    // A command received after the wait began is found too.
    let waiter = std::thread::scope(|scope| {
        let waiter = scope.spawn(|| sim.wait_for_command("Hangup", PATIENCE));
        conn.send("Hangup", &[("Line", "1")]);
        waiter.join().unwrap()
    });
    assert!(waiter.is_some());
}

#[test]
fn raw_bytes_and_packets_go_out_as_they_are() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    sim.send_raw(b"Event: Partial\r\nPart: 1");
    sim.send_raw(b"\r\nValue: a:b\r\n\r\n");
    let joined: Vec<_> = conn.packet().iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(joined, ["Event=Partial", "Part=1", "Value=a:b"]);
    let custom = Packet::new().with("Event", "DGPhoneEvent").with("Status", "Transfer").with("Number", "");
    sim.send_packet(&custom);
    assert_eq!(conn.packet(), custom);
}

#[test]
fn logoff_says_goodbye_then_closes() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    conn.send("Logoff", &[]);
    let goodbye = conn.packet();
    assert_eq!((summary(&goodbye), goodbye.get("User")), ("UserLogoff".into(), Some("201")));
    conn.expect_closed();
}

#[test]
fn an_oversize_packet_closes_the_client() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    let mut huge = b"Action: DGPhoneCommand\r\nCommand: Dial\r\nNumber: ".to_vec();
    huge.resize(70 * 1024, b'9');
    // The simulator may close before it has read everything.
    let _ = conn.stream.write_all(&huge);
    conn.expect_closed();
}

#[test]
fn disconnect_all_closes_clients_and_keeps_listening() {
    let sim = start(SimConfig::default());
    let mut first = Conn::connect(&sim);
    first.login("201");
    sim.disconnect_all();
    assert_eq!(sim.connections(), 0);
    assert!(!sim.wait_for_logins(1, Duration::ZERO));
    first.expect_closed();
    let mut second = Conn::connect(&sim);
    second.login("201");
    assert!(sim.wait_for_logins(1, PATIENCE));
}

#[test]
fn stop_closes_everything_and_the_port_can_be_reused() {
    let sim = start(SimConfig::default());
    let port = sim.port();
    let mut a = Conn::connect(&sim);
    let mut b = Conn::connect(&sim);
    a.login("201");
    sim.stop();
    a.expect_closed();
    b.expect_closed();

    let again = Simulator::start(("127.0.0.1", port), SimConfig::default()).expect("restarts on the same port");
    assert_eq!(again.port(), port);
    let mut c = Conn::connect(&again);
    c.login("201");
    drop(again); // dropping stops too
    c.expect_closed();
}

#[test]
fn stop_during_a_restart_is_prompt() {
    let sim = start(SimConfig::default());
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    sim.restart(Duration::from_secs(60));
    conn.expect_closed();
    assert_eq!(sim.connections(), 0);
    // The accept thread waits out the down time; stop wakes and joins it
    // (a hang here would fail the test run, not pass slowly).
    let started = std::time::Instant::now();
    sim.stop();
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

#[test]
fn the_observer_sees_all_traffic() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let sim = Simulator::start_with_observer("127.0.0.1:0", SimConfig::default(), move |traffic| {
        let entry = match traffic {
            Traffic::Connected { client, .. } => format!("{client} connected"),
            Traffic::Received { client, packet } => {
                format!("{client} <- {}", packet.get("Command").unwrap())
            }
            Traffic::Sent { client, packet } => format!("{client} -> {}", summary(packet)),
            Traffic::SentRaw { client, bytes } => format!("{client} -> {} raw bytes", bytes.len()),
            Traffic::Closed { client, by_client, .. } => format!("{client} closed (by the client: {by_client})"),
            // Raw bytes are checked by the recording tests.
            Traffic::BytesReceived { .. } | Traffic::BytesSent { .. } => return,
            other => panic!("unexpected {other:?}"),
        };
        log.lock().unwrap().push(entry);
    })
    .unwrap();
    let mut conn = Conn::connect(&sim);
    conn.login("201");
    sim.stop(); // joins every thread, so the log is complete
    let greeting_len = GREETING.len() + 2;
    let expected = [
        "1 connected".to_string(),
        format!("1 -> {greeting_len} raw bytes"),
        "1 <- Login".into(),
        "1 -> Success".into(),
        "1 closed (by the client: false)".into(),
    ];
    assert_eq!(*seen.lock().unwrap(), expected);
}
