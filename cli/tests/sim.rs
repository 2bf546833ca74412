//! `dgphone sim`: prints its port, serves clients, and plays the other
//! party from lines typed on its standard input.

mod common;

use common::{dgphone, Running, WAIT};
use dgphone::{Client, ClientEvent, EventKind, Options};

fn wait_for(client: &Client, kind: EventKind) -> dgphone::Event {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match client.next_event(left) {
            Some(ClientEvent::Phone(e)) if e.kind() == kind => return e,
            Some(_) => {}
            None => panic!("no {kind:?} within {WAIT:?}"),
        }
    }
}

#[test]
fn prints_its_port_serves_and_rings_on_command() {
    let mut sim = Running::spawn(dgphone(&["sim", "--port", "0", "--timestamp-secs", "0"]));
    let first = sim.until("dgphone sim listening on");
    let port: u16 = first.rsplit(':').next().unwrap().parse().expect("a port");

    let client = Client::connect("127.0.0.1", port, Options::default()).expect("connects");
    client.login("201").expect("logs in");
    // The simulator's action grammar, as dgphone-sim and scenarios write it.
    sim.type_line("ring 2 5551234");
    let ringing = wait_for(&client, EventKind::ReceivingCall);
    assert_eq!((ringing.line().map(|l| l.number()), ringing.number()), (Some(2), Some("5551234")));
    sim.type_line("hangup-far 2");
    wait_for(&client, EventKind::Hangup);
    client.answer(None).unwrap();
    let refused = wait_for(&client, EventKind::Error);
    assert_eq!(refused.message(), Some("Line 1 is not ringing"));

    sim.type_line("quit");
    let (code, stderr) = sim.exit();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("[1] <- Login User=201 RemoteMode=1"), "{stderr}");
    assert!(stderr.contains("[1] -> ReceivingCall User=201 Line=2 Number=5551234"), "{stderr}");
}

#[test]
fn a_rejecting_sim_makes_the_command_exit_3() {
    let mut sim = Running::spawn(dgphone(&["sim", "--port", "0", "--reject", "Invalid user", "--quiet"]));
    let first = sim.until("dgphone sim listening on");
    let port = first.rsplit(':').next().unwrap().to_string();
    let output = dgphone(&["status", "--port", &port, "--user", "201"]).output().unwrap();
    common::assert_exit(&output, 3);
    assert!(common::text(&output.stderr).contains("Invalid user"));
}

#[test]
fn by_hand_the_far_end_rings_about_two_seconds_before_answering() {
    let mut sim = Running::spawn(dgphone(&["sim", "--port", "0", "--timestamp-secs", "0", "--quiet"]));
    let first = sim.until("dgphone sim listening on");
    let port: u16 = first.rsplit(':').next().unwrap().parse().expect("a port");
    let client = Client::connect("127.0.0.1", port, Options::default()).expect("connects");
    client.login("201").expect("logs in");
    client.dial("5551234").unwrap();
    wait_for(&client, EventKind::Dialing);
    let dialled = std::time::Instant::now();
    wait_for(&client, EventKind::Answer);
    let rang = dialled.elapsed();
    assert!(rang >= std::time::Duration::from_millis(1500), "answered after {rang:?}");
    sim.type_line("quit");
    assert_eq!(sim.exit().0, Some(0));
}
