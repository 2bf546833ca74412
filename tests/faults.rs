//! The fault suite: the real client against a simulator that misbehaves,
//! checking each fault is answered as PROTOCOL.md says — a clear error or
//! lifecycle event, nothing lost that was whole, no hang, bounded memory.
//!
//! Every wait pulls from the client's queue with a generous timeout; the
//! only time bounds asserted are lower bounds (a delay was at least its
//! length), which cannot flake.

mod common;

use std::io::{ErrorKind, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use dgphone::client::Reconnect;
use dgphone::wire::{Decoder, Frame, WireError, DEFAULT_MAX_PACKET};
use dgphone::{Client, ClientEvent, DisconnectReason, EventKind, Options, OverflowPolicy};
use dgphone_sim::{Fault, SimConfig};

fn is_phone(kind: EventKind) -> impl Fn(&ClientEvent) -> bool {
    move |e| e.phone().map_or(false, |p| p.kind() == kind)
}

#[test]
fn close_mid_packet_reports_truncation_then_disconnection() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.set_fault(Fault::CloseMidPacket);
    let truncated = wait_for(&client, "a protocol error or the end", |e| {
        matches!(e, ClientEvent::ProtocolError(_) | ClientEvent::Disconnected { .. })
    });
    assert!(matches!(truncated, ClientEvent::ProtocolError(WireError::Truncated { .. })), "{truncated:?}");
    wait_for(&client, "disconnection", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::ClosedByPeer })
    });
    assert!(!client.is_connected());
}

/// A short session; returns everything the client saw but the Connected
/// event (its address differs from run to run), as its callback saw it.
fn scripted_session(config: SimConfig) -> Vec<ClientEvent> {
    let sim = sim(config);
    // Pulls from the queue beside the callback, so asks for both.
    let client = Client::new(Options { queue_with_callback: true, ..Options::default() });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    client.on_event(move |_, event| sink.lock().unwrap().push(event.clone())).unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").unwrap();
    sim.incoming_call(line(2), "5511999990000");
    wait_phone(&client, EventKind::ReceivingCall, Some(2));
    client.answer(Some(line(2))).unwrap();
    wait_phone(&client, EventKind::Answer, Some(2));
    sim.dtmf_received(line(2), '#');
    sim.far_end_hangup(line(2));
    client.request_status().unwrap();
    wait_phone(&client, EventKind::Ready, Some(6));
    // The callback runs on its own thread, behind the queue; disconnecting
    // drops what it has not seen yet, so wait until it has seen the last.
    let deadline = Instant::now() + WAIT;
    let ready_6 =
        |e: &ClientEvent| e.phone().map_or(false, |p| p.kind() == EventKind::Ready && p.line() == Some(line(6)));
    while !seen.lock().unwrap().iter().any(ready_6) {
        assert!(Instant::now() < deadline, "the callback never saw Ready on line 6");
        std::thread::sleep(Duration::from_millis(1));
    }
    client.disconnect();
    let seen = seen.lock().unwrap();
    seen.iter().filter(|e| !matches!(e, ClientEvent::Connected { .. })).cloned().collect()
}

#[test]
fn byte_at_a_time_gives_identical_events() {
    let whole = scripted_session(SimConfig::default());
    let config = SimConfig { faults: vec![Fault::ByteAtATime(Duration::ZERO)], ..SimConfig::default() };
    let split = scripted_session(config);
    assert_eq!(split, whole);
    assert!(whole.len() > 12, "{whole:#?}");
}

#[test]
fn oversize_is_reported_and_later_packets_still_arrive() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.set_fault(Fault::Oversize(1024 * 1024));
    sim.incoming_call(line(1), "100");
    let error = wait_for(&client, "a protocol error", |e| matches!(e, ClientEvent::ProtocolError(_)));
    assert_eq!(error, ClientEvent::ProtocolError(WireError::Oversize { limit: DEFAULT_MAX_PACKET }));
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert_eq!(ringing.number(), Some("100"));
    assert!(client.is_connected());
}

#[test]
fn oversize_keeps_the_decoder_under_the_packet_limit() {
    let sim = sim(SimConfig { greeting: None, ..SimConfig::default() });
    let mut stream = TcpStream::connect(sim.local_addr()).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\n\r\n").unwrap();
    assert!(sim.wait_for_logins(1, WAIT));
    let limit = 4096;
    let mut decoder = Decoder::new(limit);
    let mut frames = Vec::new();
    let mut most_held = 0;
    std::thread::scope(|scope| {
        // Writing 8 MiB needs a reader: this thread is it.
        scope.spawn(|| {
            sim.set_fault(Fault::Oversize(8 * 1024 * 1024));
            sim.incoming_call(line(1), "100");
        });
        while frames.len() < 3 {
            assert!(decoder.read_from(&mut stream).expect("bytes within the patience") > 0, "closed early");
            frames.extend(std::iter::from_fn(|| decoder.next_frame()));
            most_held = most_held.max(decoder.pending());
        }
    });
    assert!(most_held <= limit, "the decoder held {most_held} bytes");
    assert!(matches!(&frames[0], Ok(Frame::Packet(p)) if p.get("Response") == Some("Success")));
    assert_eq!(frames[1], Err(WireError::Oversize { limit }));
    assert!(matches!(&frames[2], Ok(Frame::Packet(p)) if p.get("Status") == Some("ReceivingCall")));
}

#[test]
fn invalid_utf8_and_nul_become_valid_text() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.set_fault(Fault::InvalidUtf8);
    sim.set_fault(Fault::Nul);
    let first = wait_phone(&client, EventKind::Error, None);
    assert_eq!(first.message(), Some("Ligação não completada – tente de novo"));
    assert_eq!(first.number(), Some("ÿþ\u{FFFD}"));
    let message_at = first.packet().iter().position(|(k, _)| k == "Message").unwrap();
    assert_eq!(first.packet().raw_value(message_at), Some(&b"Liga\xe7\xe3o n\xe3o completada \x96 tente de novo"[..]));
    let second = wait_phone(&client, EventKind::Error, None);
    assert_eq!(second.message(), Some("before\u{FFFD}after"));
    sim.incoming_call(line(3), "300");
    wait_phone(&client, EventKind::ReceivingCall, Some(3));
}

#[test]
fn garbage_lines_are_protocol_errors_and_unknown_events_never_greetings() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.set_fault(Fault::Garbage);
    sim.incoming_call(line(1), "100");
    let mut seen = Vec::new();
    loop {
        let event = wait_for(&client, "anything", |_| true);
        if is_phone(EventKind::ReceivingCall)(&event) {
            break;
        }
        seen.push(event);
    }
    let stray = |event: &ClientEvent| match event {
        ClientEvent::ProtocolError(WireError::StrayLine { text }) => text.clone(),
        other => panic!("expected a stray line, got {other:?}"),
    };
    assert!(stray(&seen[0]).starts_with("+++ line noise"), "{seen:#?}");
    assert_eq!(stray(&seen[1]), "ÿþý");
    match &seen[2] {
        ClientEvent::Phone(event) => assert_eq!(event.get("Key Without Value"), Some("")),
        other => panic!("expected the nonsense packet, got {other:?}"),
    }
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(client.is_connected());
}

#[test]
fn silence_is_a_dead_peer_within_the_configured_time() {
    let config = SimConfig { timestamp_interval: Some(Duration::from_millis(50)), ..SimConfig::default() };
    let sim = sim(config);
    let timeout = Duration::from_millis(400);
    let client = connect(&sim, Options { dead_peer_timeout: Some(timeout), ..Options::default() });
    client.login("201").unwrap();
    for _ in 0..3 {
        wait_phone(&client, EventKind::TimeStamp, None);
    }
    let silent_since = Instant::now();
    sim.set_fault(Fault::Silent);
    let dead = wait_for(&client, "the end", |e| matches!(e, ClientEvent::Disconnected { .. }));
    assert_eq!(dead, ClientEvent::Disconnected { reason: DisconnectReason::DeadPeer { silent_for: timeout } });
    // A timestamp may have been on its way when the fault was set; after
    // that, only the dead-peer timeout ends the connection.
    assert!(silent_since.elapsed() + Duration::from_millis(50) >= timeout, "{:?}", silent_since.elapsed());
}

#[test]
fn a_flood_is_delivered_whole_with_a_blocking_queue() {
    const N: u32 = 10_000;
    let sim = sim(SimConfig::default());
    let options = Options { queue_capacity: 64, overflow: OverflowPolicy::Block, ..Options::default() };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    let started = Instant::now();
    sim.set_fault(Fault::Flood(N));
    let mut next = 1;
    while next <= N {
        let event = wait_for(&client, "a flood event", is_phone(EventKind::DtmfReceived));
        let seq: u32 = event.phone().unwrap().get("Seq").unwrap().parse().unwrap();
        assert_eq!(seq, next, "events in order, none lost");
        next += 1;
    }
    eprintln!("{N} flood events delivered in {:?}", started.elapsed());
    assert_eq!(client.dropped_events(), 0);
    assert!(client.is_connected());
}

#[test]
fn a_delay_holds_every_write() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let delay = Duration::from_millis(200);
    sim.set_fault(Fault::Delay(delay));
    let started = Instant::now();
    sim.incoming_call(line(1), "100");
    wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    sim.clear_faults();
    client.answer(None).unwrap();
    wait_phone(&client, EventKind::Answer, Some(1));
}

#[test]
fn a_restart_is_survived_by_reconnecting_and_logging_in_again() {
    let sim = sim(SimConfig::default());
    let reconnect = Reconnect {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_attempts: None,
    };
    let client = connect(&sim, Options { reconnect: Some(reconnect), ..Options::default() });
    client.login("201").unwrap();
    while client.try_next_event().is_some() {}
    sim.wait_for_command("Login", WAIT).unwrap();

    let down_for = Duration::from_millis(800);
    let asked = Instant::now();
    sim.restart(down_for);
    // The port is closed for the down time: a connection made within it
    // is refused (one made later, on a very slow machine, may succeed).
    let refused = matches!(TcpStream::connect(sim.local_addr()), Err(e) if e.kind() == ErrorKind::ConnectionRefused);
    assert!(refused || asked.elapsed() >= down_for, "the port stayed open");

    wait_for(&client, "disconnection", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::ClosedByPeer })
    });
    wait_for(&client, "a reconnect attempt", |e| matches!(e, ClientEvent::Reconnecting { .. }));
    wait_for(&client, "reconnection", |e| matches!(e, ClientEvent::Connected { .. }));
    wait_for(&client, "re-login", |e| matches!(e, ClientEvent::LoggedIn { user } if user == "201"));
    assert!(asked.elapsed() >= down_for);
    sim.wait_for_command("Login", WAIT).expect("a second login");
    sim.wait_for_command("Status", WAIT).expect("Status after the re-login");
    for n in 1..=6 {
        wait_phone(&client, EventKind::Ready, Some(n));
    }
    sim.incoming_call(line(4), "400");
    wait_phone(&client, EventKind::ReceivingCall, Some(4));
}

#[test]
fn one_shot_faults_from_the_config_play_after_each_login() {
    let sim = sim(SimConfig { faults: vec![Fault::Nul, Fault::Flood(3)], ..SimConfig::default() });
    for user in ["201", "202"] {
        let client = connect(&sim, Options::default());
        client.login(user).unwrap();
        let error = wait_phone(&client, EventKind::Error, None);
        assert_eq!((error.user(), error.message()), (Some(user), Some("before\u{FFFD}after")));
        for seq in ["1", "2", "3"] {
            let event = wait_for(&client, "a flood event", is_phone(EventKind::DtmfReceived));
            assert_eq!(event.phone().unwrap().get("Seq"), Some(seq));
        }
    }
}
