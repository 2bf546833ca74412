//! The client against the simulator over real loopback sockets.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use dgphone::client::{LogLevel, Reconnect};
use dgphone::{ClientEvent, Command, DisconnectReason, Error, EventKind, Line, LineState, Options, OverflowPolicy};
use dgphone_sim::{LoginPolicy, SimConfig};

#[test]
fn full_outgoing_call_with_hold_and_dtmf() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);

    client.send_and_confirm(&Command::LineSelect(line(2)), WAIT).unwrap();
    assert_eq!(client.state().selected(), Some(line(2)));

    let dialing = client.send_and_confirm(&Command::Dial { number: "1002".into(), line: None }, WAIT).unwrap();
    assert_eq!((dialing.line(), dialing.number()), (Some(line(2)), Some("1002")));
    wait_phone(&client, EventKind::Answer, Some(2));
    assert_eq!(client.line(line(2)).state, LineState::Connected);
    assert_eq!(client.line(line(2)).number.as_deref(), Some("1002"));

    let held = client.send_and_confirm(&Command::Hold(None), WAIT).unwrap();
    assert_eq!(held.hold(), Some(true));
    assert_eq!(client.line(line(2)).state, LineState::OnHold);
    let resumed = client.send_and_confirm(&Command::Hold(Some(false)), WAIT).unwrap();
    assert_eq!(resumed.hold(), Some(false));
    assert_eq!(client.line(line(2)).state, LineState::Connected);

    client.send_dtmf("12#").unwrap();
    let dtmf = sim.wait_for_command("SendDtmf", WAIT).expect("the simulator received the DTMF");
    assert_eq!(dtmf.get("Digits"), Some("12#"));

    client.send_and_confirm(&Command::Hangup(None), WAIT).unwrap();
    wait_phone(&client, EventKind::Ready, Some(2));
    assert_eq!(client.line(line(2)).state, LineState::Idle);
    assert_eq!(client.line(line(2)).number, None);
}

#[test]
fn incoming_call_answered_and_ended_by_far_end() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.incoming_call(line(3), "5511999");
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(3));
    assert_eq!(ringing.number(), Some("5511999"));
    assert_eq!(client.line(line(3)).state, LineState::Offering);

    client.send_and_confirm(&Command::Answer(Some(line(3))), WAIT).unwrap();
    assert_eq!(client.line(line(3)).state, LineState::Connected);

    sim.dtmf_received(line(3), '5');
    assert_eq!(wait_phone(&client, EventKind::DtmfReceived, Some(3)).digit(), Some('5'));

    sim.far_end_hangup(line(3));
    wait_phone(&client, EventKind::Hangup, Some(3));
    wait_phone(&client, EventKind::Ready, Some(3));
    assert_eq!(client.line(line(3)).state, LineState::Idle);
}

#[test]
fn status_reports_every_line() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.incoming_call(line(4), "300");
    wait_phone(&client, EventKind::ReceivingCall, Some(4));
    client.request_status().unwrap();
    let mut lines = Vec::new();
    while lines.len() < 6 {
        let event = wait_for(&client, "a status event", |e| e.phone().map_or(false, |p| p.line().is_some()));
        let event = event.phone().unwrap();
        lines.push((event.line().unwrap().number(), event.kind()));
    }
    lines.sort_by_key(|(n, _)| *n);
    let expected: Vec<_> =
        (1..=6).map(|n| (n, if n == 4 { EventKind::ReceivingCall } else { EventKind::Ready })).collect();
    assert_eq!(lines, expected);
}

#[test]
fn field_extras_queue_status_agent_pause_and_generic() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let done = client.send_and_confirm(&Command::QueueStatus { queue: Some("sales".into()) }, WAIT).unwrap();
    assert_eq!(done.kind(), EventKind::QueueStatusComplete);
    let paused = dgphone::flows::agent_pause(&client, "7001", true, Some("Lunch"), WAIT).unwrap();
    assert_eq!((paused.agent(), paused.paused()), (Some("7001"), Some(true)));
    assert_eq!(client.state().agent_state(), dgphone::AgentState::Paused);

    let generic = Command::Generic { name: "Status".into(), headers: vec![("X-Trace".into(), "a:b".into())] };
    client.send(&generic).unwrap();
    let received = sim.wait_for_command("Status", WAIT).expect("generic command received");
    assert_eq!(received.get("X-Trace"), Some("a:b"));
}

#[test]
fn agent_login_by_feature_code() {
    let sim = sim(SimConfig { agent_password: Some("4321".into()), ..SimConfig::default() });
    let logs = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = logs.clone();
    let options = Options {
        log_level: LogLevel::Trace,
        logger: Some(Arc::new(move |_, line: &str| sink.lock().unwrap().push(line.to_string()))),
        ..Options::default()
    };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    let event = dgphone::flows::agent_login(&client, &dgphone::flows::AgentLogin::new("7001", "4321")).unwrap();
    assert_eq!(event.agent(), Some("7001"));
    assert_eq!(client.state().agent_state(), dgphone::AgentState::Available);
    // The feature-code call carries the shift; hanging it up logs off.
    assert_eq!(client.state().line(Line::new(1).unwrap()).state, LineState::Connected);
    client.hangup(Some(Line::new(1).unwrap())).unwrap();
    wait_for(&client, "AgentLogoff", |e| matches!(e, ClientEvent::Phone(p) if p.kind() == EventKind::AgentLogoff));

    let wrong = dgphone::flows::agent_login(&client, &dgphone::flows::AgentLogin::new("7001", "9999")).unwrap_err();
    assert_eq!(wrong.step, dgphone::flows::AgentLoginStep::SendPassword);

    let logs = logs.lock().unwrap();
    assert!(logs.iter().any(|l| l.contains("SendDtmf")), "DTMF sends are logged: {logs:#?}");
    assert!(!logs.iter().any(|l| l.contains("4321") || l.contains("9999")), "password leaked into the log");
}

#[test]
fn login_rejections_carry_dgphone_message() {
    for message in ["User is not active", "Invalid user", "User is not a DGPhone", "Invalid version of DGPhone"] {
        let sim = sim(SimConfig { login: LoginPolicy::Reject(message.into()), ..SimConfig::default() });
        let client = connect(&sim, Options::default());
        match client.login("201") {
            Err(Error::LoginRejected { message: got, .. }) => assert_eq!(got, message),
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert!(!client.is_logged_in());
        assert_eq!(client.user(), None);
    }
}

#[test]
fn login_times_out_when_dgphone_never_answers() {
    let sim = sim(SimConfig { login: LoginPolicy::Ignore, ..SimConfig::default() });
    let options = Options { command_timeout: Duration::from_millis(300), ..Options::default() };
    let client = connect(&sim, options);
    assert!(matches!(client.login("201"), Err(Error::Timeout { what: "login response", .. })));
    assert!(!client.is_logged_in());
}

#[test]
fn bad_input_is_refused_and_nothing_is_sent() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let before = sim.commands().len();
    let bad = [
        Command::SendDtmf("12x".into()),
        Command::Dial { number: "100\r\nCommand: Hangup".into(), line: None },
        Command::Dial { number: "".into(), line: None },
        Command::Generic { name: "X".into(), headers: vec![("Action".into(), "Evil".into())] },
    ];
    for command in &bad {
        match client.send(command) {
            Err(Error::InvalidArgument(e)) => assert!(!e.reason.is_empty()),
            other => panic!("{command:?} was not refused: {other:?}"),
        }
    }
    assert!(dgphone::Line::new(7).is_err());
    client.send(&Command::Status).unwrap();
    sim.wait_for_command("Status", WAIT).expect("the valid command arrives");
    let after = sim.commands();
    assert_eq!(after.len(), before + 1, "only the valid command reached DGPhone: {after:#?}");
}

#[test]
fn a_bad_host_is_refused_before_any_lookup() {
    let client = dgphone::Client::new(Options::default());
    for host in ["127.0.0.1\r\n", "127.0.0.1\nAction: Logoff", "", " 127.0.0.1", "local\0host"] {
        match client.connect(host, 5038) {
            Err(Error::InvalidArgument(e)) => assert_eq!(e.arg, "host", "{host:?}"),
            other => panic!("{host:?} was not refused: {other:?}"),
        }
    }
    assert!(!client.is_connected());
}

#[test]
fn commands_while_disconnected_fail_fast() {
    let client = dgphone::Client::new(Options::default());
    assert!(matches!(client.dial("100"), Err(Error::NotConnected)));
    assert!(matches!(client.login("201"), Err(Error::NotConnected)));
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    client.disconnect();
    assert!(!client.is_connected());
    assert!(matches!(client.hangup(None), Err(Error::NotConnected)));
}

#[test]
fn events_for_other_users_are_delivered_but_do_not_change_state() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let foreign = dgphone::wire::Packet::from_pairs(&[
        ("Event", "DGPhoneEvent"),
        ("Status", "ReceivingCall"),
        ("User", "999"),
        ("Line", "1"),
        ("Number", "123"),
    ]);
    sim.send_packet(&foreign);
    let event = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert_eq!(event.user(), Some("999"));
    assert_eq!(client.line(line(1)).state, LineState::Idle);
}

#[test]
fn disconnect_mid_packet_reports_truncation_then_disconnection() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.send_raw(b"Event: DGPhoneEvent\r\nStatus: Ans");
    sim.disconnect_all();
    wait_for(&client, "truncation", |e| {
        matches!(e, ClientEvent::ProtocolError(dgphone::wire::WireError::Truncated { .. }))
    });
    wait_for(&client, "disconnection", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::ClosedByPeer })
    });
    assert!(!client.is_connected());
}

#[test]
fn silent_server_is_declared_dead() {
    let sim = sim(SimConfig::default());
    let options = Options { dead_peer_timeout: Some(Duration::from_millis(300)), ..Options::default() };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    sim.set_silent(true);
    let started = Instant::now();
    wait_for(&client, "dead peer", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::DeadPeer { .. } })
    });
    eprintln!("dead peer detected {:?} after going silent (timeout 300 ms)", started.elapsed());
    assert!(!client.is_connected());
}

#[test]
fn timestamps_keep_a_quiet_connection_alive() {
    let config = SimConfig { timestamp_interval: Some(Duration::from_millis(50)), ..SimConfig::default() };
    let sim = sim(config);
    let options = Options { dead_peer_timeout: Some(Duration::from_millis(500)), ..Options::default() };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    for _ in 0..15 {
        let ts = wait_phone(&client, EventKind::TimeStamp, None);
        assert!(ts.parsed_time().is_some(), "{ts:?}");
    }
    assert!(client.is_connected());
}

#[test]
fn reconnects_after_the_simulator_restarts() {
    let first = sim(SimConfig::default());
    let port = first.port();
    let options = Options {
        reconnect: Some(Reconnect {
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_attempts: None,
        }),
        ..Options::default()
    };
    let client = connect(&first, options);
    client.login("201").unwrap();
    first.stop();
    wait_for(&client, "disconnection", |e| matches!(e, ClientEvent::Disconnected { .. }));
    wait_for(&client, "a reconnect attempt", |e| matches!(e, ClientEvent::Reconnecting { .. }));
    let second = dgphone_sim::Simulator::start(("127.0.0.1", port), SimConfig::default()).unwrap();
    second.incoming_call(line(5), "777"); // nobody logged in yet: not delivered
    wait_for(&client, "reconnection", |e| matches!(e, ClientEvent::Connected { .. }));
    wait_for(&client, "re-login", |e| matches!(e, ClientEvent::LoggedIn { user } if user == "201"));
    // The library asks for Status after the re-login, to reconcile the lines.
    second.wait_for_command("Status", WAIT).expect("Status requested after re-login");
    for n in 1..=6 {
        wait_phone(&client, EventKind::Ready, Some(n));
    }
    assert!(client.is_logged_in());
    second.incoming_call(line(5), "778");
    wait_phone(&client, EventKind::ReceivingCall, Some(5));
}

#[test]
fn close_with_a_silent_server_is_prompt() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.set_silent(true);
    let started = Instant::now();
    drop(client);
    eprintln!("close with a silent server took {:?}", started.elapsed());
}

#[test]
fn no_event_is_delivered_once_the_client_stops() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    // One write of many packets: the reader decodes them in large batches.
    let stamp = "Event: DGTimeStamp\r\nTime: 10:00:00\r\n\r\n";
    let backlog = stamp.repeat(1000);
    let after_stop = Arc::new(AtomicUsize::new(0));
    let (stopped_tx, stopped_rx) = std::sync::mpsc::channel();
    let seen = after_stop.clone();
    let stopped = AtomicBool::new(false);
    client
        .on_event(move |handle, event| match event {
            ClientEvent::Phone(_) if stopped.load(Ordering::SeqCst) => {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            ClientEvent::Phone(e) if e.kind() == EventKind::TimeStamp => {
                // Stopping from inside the callback returns at once; the
                // rest of the batch must not be delivered.
                stopped.store(true, Ordering::SeqCst);
                handle.disconnect();
            }
            ClientEvent::Disconnected { reason } => stopped_tx.send(reason.clone()).unwrap(),
            _ => {}
        })
        .unwrap();
    sim.send_raw(backlog.as_bytes());
    let reason = stopped_rx.recv_timeout(WAIT).expect("the reader stopped");
    assert_eq!(reason, DisconnectReason::Requested);
    assert_eq!(after_stop.load(Ordering::SeqCst), 0, "events were delivered after the client stopped");
}

#[test]
fn commands_work_from_inside_the_callback_and_blocking_calls_are_refused() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let refused = Arc::new(Mutex::new(None));
    let seen = refused.clone();
    client
        .on_event(move |handle, event| {
            if let Some(ringing) = event.phone().filter(|e| e.kind() == EventKind::ReceivingCall) {
                handle.answer(ringing.line()).expect("answer from the callback");
                *seen.lock().unwrap() = Some(handle.login("201").map(|_| ()));
            }
        })
        .unwrap();
    sim.incoming_call(line(1), "100");
    wait_phone(&client, EventKind::Answer, Some(1));
    let refused = refused.lock().unwrap().take().expect("the callback ran");
    assert!(matches!(refused, Err(Error::WouldDeadlock(_))), "{refused:?}");
}

#[test]
fn a_panicking_callback_is_caught_and_the_reader_goes_on() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let ready_tx = Mutex::new(ready_tx);
    client
        .on_event(move |_, e| {
            if e.phone().map_or(false, |p| p.kind() == EventKind::Ready) {
                let _ = ready_tx.lock().unwrap().send(());
            }
            panic!("user bug")
        })
        .unwrap();
    sim.incoming_call(line(1), "100");
    sim.far_end_hangup(line(1));
    // The callback runs on its own thread, possibly after the queue has the
    // event: wait for the callback itself to reach Ready.
    ready_rx.recv_timeout(WAIT).expect("the callback saw Ready");
    // Removing the handler waits for a running callback, so the count below
    // includes Ready's.
    client.set_event_handler(None).unwrap();
    assert_eq!(client.callback_panics(), 3, "ReceivingCall, Hangup and Ready each panicked");
    assert!(client.is_connected());
    client.send_and_confirm(&Command::LineSelect(line(2)), WAIT).expect("the reader still works");
}

#[test]
fn queue_overflow_is_counted_and_reported() {
    let sim = sim(SimConfig::default());
    let options = Options { queue_capacity: 4, overflow: OverflowPolicy::DropOldest, ..queue_and_callback() };
    let client = connect(&sim, options);
    let delivered = Arc::new(AtomicUsize::new(0));
    let count = delivered.clone();
    let (marker_seen, marker) = std::sync::mpsc::channel();
    let marker_seen = Mutex::new(marker_seen);
    client
        .on_event(move |_, e| match e.phone().map(|p| p.kind()) {
            Some(EventKind::DtmfReceived) => {
                count.fetch_add(1, Ordering::SeqCst);
            }
            // The callback runs after the event is queued: once the marker is
            // seen here, every event is in the queue or counted as dropped.
            Some(EventKind::LineSelected) => marker_seen.lock().unwrap().send(()).unwrap(),
            _ => {}
        })
        .unwrap();
    client.login("201").unwrap();
    wait_for(&client, "LoggedIn", |e| matches!(e, ClientEvent::LoggedIn { .. }));
    while client.try_next_event().is_some() {}
    let dtmf = dgphone::wire::Packet::from_pairs(&[
        ("Event", "DGPhoneEvent"),
        ("Status", "DTMFReceived"),
        ("User", "201"),
        ("Line", "1"),
        ("Digit", "1"),
    ]);
    for _ in 0..100 {
        sim.send_packet(&dtmf);
    }
    client.select_line(line(1)).unwrap();
    marker.recv_timeout(WAIT).expect("the marker event reached the callback");
    assert_eq!(delivered.load(Ordering::SeqCst), 100, "the callback sees every event");
    // 100 DTMF events and the LineSelected marker went through a queue of 4.
    assert_eq!(client.dropped_events(), 97);
    assert_eq!(client.try_next_event(), Some(ClientEvent::Overflow { dropped: 97 }));
    let kept: Vec<_> = std::iter::from_fn(|| client.try_next_event()).collect();
    assert_eq!(kept.len(), 4);
    assert_eq!(kept[3].phone().map(|e| e.kind()), Some(EventKind::LineSelected));
}

#[test]
fn logoff_ends_the_connection_without_reconnecting() {
    let sim = sim(SimConfig::default());
    let options = Options { reconnect: Some(Reconnect::default()), ..Options::default() };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    client.logoff().unwrap();
    wait_phone(&client, EventKind::UserLogoff, None);
    wait_for(&client, "disconnection", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::LoggedOff })
    });
    assert!(client.next_event(Duration::from_millis(200)).is_none(), "no reconnection after a logoff");
}

#[cfg(unix)]
#[test]
fn notify_fd_is_readable_while_events_wait() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    while client.try_next_event().is_some() {}
    let fd = client.notify_fd().expect("a notification descriptor");
    let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, 0) }, 0);
    sim.incoming_call(line(2), "55");
    // SAFETY: as above, waiting up to 10 s.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, 10_000) }, 1);
    wait_phone(&client, EventKind::ReceivingCall, Some(2));
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, 0) }, 0);
}

#[test]
fn agent_events_drive_the_agent_state() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let steps = [
        (EventKind::AgentLogin, None, dgphone::AgentState::Available),
        (EventKind::AgentCalled, Some("1700000000.42"), dgphone::AgentState::Offered),
        (EventKind::AgentConnect, Some("1700000000.42"), dgphone::AgentState::InCall),
        (EventKind::AgentComplete, Some("1700000000.42"), dgphone::AgentState::Available),
        (EventKind::AgentLogoff, None, dgphone::AgentState::LoggedOut),
    ];
    for (kind, uniqueid, state) in steps {
        sim.agent_event(kind, "7001", uniqueid);
        let event = wait_phone(&client, kind, None);
        assert_eq!((event.agent(), event.uniqueid()), (Some("7001"), uniqueid));
        assert_eq!(client.state().agent_state(), state, "after {kind:?}");
        if kind == EventKind::AgentConnect {
            assert_eq!(client.state().uniqueid(), uniqueid);
        }
    }
}

#[test]
fn a_refused_command_fails_its_confirmation_with_dgphone_message() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    client.send_and_confirm(&Command::Dial { number: "100".into(), line: None }, WAIT).unwrap();
    // Line 1 is in a call now: DGPhone refuses a second dial on it.
    match client.send_and_confirm(&Command::Dial { number: "200".into(), line: None }, WAIT) {
        Err(Error::CommandFailed { event }) => {
            assert_eq!(event.kind(), EventKind::Error);
            assert!(event.message().map_or(false, |m| !m.is_empty()), "{event:?}");
        }
        other => panic!("expected the dial to fail, got {other:?}"),
    }
    assert!(matches!(client.send_and_confirm(&Command::Status, WAIT), Err(Error::NoConfirmation(_))));
}

#[test]
fn send_user_adds_the_extension_to_every_command() {
    let sim = sim(SimConfig::default());
    let client = connect(&sim, Options { send_user: true, ..Options::default() });
    client.login("201").unwrap();
    client.dial("100").unwrap();
    let dial = sim.wait_for_command("Dial", WAIT).expect("dial received");
    assert_eq!(dial.get("User"), Some("201"));
    let plain = logged_in(&sim);
    plain.hangup(None).unwrap();
    let hangup = sim.wait_for_command("Hangup", WAIT).expect("hangup received");
    assert_eq!(hangup.get("User"), None, "off by default");
}

#[test]
fn a_slow_callback_never_makes_a_live_connection_look_dead() {
    let config = SimConfig { timestamp_interval: Some(Duration::from_millis(20)), ..SimConfig::default() };
    let sim = sim(config);
    let options = Options { dead_peer_timeout: Some(Duration::from_millis(200)), ..Options::default() };
    let client = connect(&sim, options);
    let (stamp_tx, stamp_rx) = std::sync::mpsc::channel();
    let stamp_tx = Mutex::new(stamp_tx);
    let count = AtomicUsize::new(0);
    client
        .on_event(move |_, e| {
            // The behaviour under test: one callback five times longer than
            // the dead-peer timeout.
            if e.phone().map_or(false, |p| p.kind() == EventKind::TimeStamp) {
                if count.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::thread::sleep(Duration::from_secs(1));
                }
                let _ = stamp_tx.lock().unwrap().send(());
            }
        })
        .unwrap();
    client.login("201").unwrap();
    for _ in 0..60 {
        stamp_rx.recv_timeout(WAIT).expect("the callback goes on after its stall");
    }
    assert!(client.is_connected(), "the stall was not taken for a dead peer");
}

#[test]
fn windows_1252_text_arrives_as_utf8_with_raw_bytes_kept() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    sim.send_raw(b"Event: DGPhoneEvent\r\nStatus: Error\r\nUser: 201\r\nMessage: N\xe3o dispon\xedvel\r\n\r\n");
    let event = wait_phone(&client, EventKind::Error, None);
    assert_eq!(event.message(), Some("Não disponível"));
    assert_eq!(event.packet().raw_value(3), Some(&b"N\xe3o dispon\xedvel"[..]));
}

#[test]
fn login_fails_with_connection_lost_when_dgphone_hangs_up_on_it() {
    let sim = sim(SimConfig { login: LoginPolicy::Ignore, ..SimConfig::default() });
    let options = Options { command_timeout: WAIT, ..Options::default() };
    let client = connect(&sim, options);
    let handle = client.handle();
    let login = std::thread::spawn(move || handle.login("201"));
    let deadline = Instant::now() + WAIT;
    while sim.commands().is_empty() && Instant::now() < deadline {
        std::thread::yield_now();
    }
    sim.disconnect_all();
    let outcome = login.join().unwrap();
    assert!(matches!(outcome, Err(Error::ConnectionLost(_))), "{outcome:?}");
}

#[test]
fn no_callback_runs_after_close_returns() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    client
        .on_event(move |_, _| {
            count.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    sim.incoming_call(line(1), "100");
    wait_phone(&client, EventKind::ReceivingCall, Some(1));
    client.close();
    let after_close = calls.load(Ordering::SeqCst);
    sim.far_end_hangup(line(1));
    sim.incoming_call(line(2), "200");
    // A second client shows the simulator still delivers events; the
    // closed client's callback did not run again.
    let witness = logged_in(&sim);
    sim.incoming_call(line(3), "300");
    wait_phone(&witness, EventKind::ReceivingCall, Some(3));
    assert_eq!(calls.load(Ordering::SeqCst), after_close);
}

#[test]
fn a_flapping_dgphone_is_backed_off_and_given_up_on() {
    // Accepts, answers the login, drops: each reconnection "works", yet
    // none stays up. The back-off must grow across those flaps and
    // max_attempts must count them, instead of starting over each time.
    let server = flapping_server();
    let (initial, max) = (Duration::from_millis(50), Duration::from_millis(400));
    let options = Options {
        reconnect: Some(Reconnect { initial_delay: initial, max_delay: max, max_attempts: Some(4) }),
        ..Options::default()
    };
    let client = dgphone::Client::connect("127.0.0.1", server.port, options).unwrap();
    client.login("201").unwrap();
    let mut delays = Vec::new();
    let mut relogins = 0;
    let attempts = loop {
        match wait_for(&client, "a reconnection event", |e| {
            matches!(
                e,
                ClientEvent::Reconnecting { .. } | ClientEvent::ReconnectFailed { .. } | ClientEvent::LoggedIn { .. }
            )
        }) {
            ClientEvent::Reconnecting { attempt, delay } => {
                assert_eq!(attempt as usize, delays.len() + 1, "attempts are numbered in a row across flaps");
                delays.push(delay);
            }
            ClientEvent::LoggedIn { .. } => relogins += 1,
            ClientEvent::ReconnectFailed { attempts } => break attempts,
            _ => unreachable!(),
        }
    };
    eprintln!("delays before each attempt on a flapping server: {delays:?}");
    assert_eq!(attempts, 4);
    assert_eq!(delays.len(), 4);
    assert!(relogins >= 4, "every flap logged in again first ({relogins} LoggedIn)");
    // Jitter waits between half and all of the nominal 50, 100, 200, 400 ms.
    for (n, delay) in delays.iter().enumerate() {
        let nominal = (initial * 2u32.pow(n as u32)).min(max);
        assert!(*delay >= nominal / 2 && *delay <= nominal, "attempt {}: {delay:?} for {nominal:?}", n + 1);
    }
    assert!(delays[3] > delays[0], "the delay grew: {delays:?}");
    assert_eq!(server.accepted.load(Ordering::SeqCst), 5, "the first connection and four attempts, no more");
    assert!(!client.is_connected());
    assert!(client.next_event(Duration::from_millis(300)).is_none(), "nothing after giving up");
    assert_eq!(server.accepted.load(Ordering::SeqCst), 5);
}

#[test]
fn reconnection_gives_up_after_max_attempts_and_says_so() {
    let sim = sim(SimConfig::default());
    let options = Options {
        reconnect: Some(Reconnect {
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_attempts: Some(2),
        }),
        ..Options::default()
    };
    let client = connect(&sim, options);
    client.login("201").unwrap();
    sim.stop(); // nothing listens on the port any more
    for attempt in 1..=2 {
        wait_for(
            &client,
            "a reconnect attempt",
            |e| matches!(e, ClientEvent::Reconnecting { attempt: a, .. } if *a == attempt),
        );
    }
    wait_for(&client, "giving up", |e| matches!(e, ClientEvent::ReconnectFailed { attempts: 2 }));
    assert!(!client.is_connected());
}

/// `count` DTMFReceived events for 201 on line 1, each its own packet.
fn send_dtmf_events(sim: &dgphone_sim::Simulator, count: usize) {
    let dtmf = dgphone::wire::Packet::from_pairs(&[
        ("Event", "DGPhoneEvent"),
        ("Status", "DTMFReceived"),
        ("User", "201"),
        ("Line", "1"),
        ("Digit", "1"),
    ]);
    for _ in 0..count {
        sim.send_packet(&dtmf);
    }
}

#[test]
fn slow_callback_does_not_stall_login() {
    let sim = sim(SimConfig::default());
    let options = Options { command_timeout: Duration::from_secs(1), ..Options::default() };
    let client = dgphone::Client::new(options);
    let logged_in_seen = Arc::new(AtomicBool::new(false));
    let seen = logged_in_seen.clone();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let done_tx = Mutex::new(done_tx);
    client
        .on_event(move |_, e| match e {
            // Longer than the command timeout: with the callback on the
            // reader thread, the login response would wait behind it.
            ClientEvent::Connected { .. } => std::thread::sleep(Duration::from_millis(1500)),
            ClientEvent::LoggedIn { .. } => {
                seen.store(true, Ordering::SeqCst);
                let _ = done_tx.lock().unwrap().send(());
            }
            _ => {}
        })
        .unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    let started = Instant::now();
    client.login("201").expect("login settles while the callback sleeps");
    assert!(started.elapsed() < Duration::from_secs(1), "login waited for the callback");
    assert!(client.is_logged_in());
    assert!(!logged_in_seen.load(Ordering::SeqCst), "LoggedIn reaches the callback only after Connected's");
    done_rx.recv_timeout(WAIT).expect("LoggedIn reaches the callback once it returns");
}

#[test]
fn free_runs_no_callback_after_the_running_one() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let (running_tx, running_rx) = std::sync::mpsc::channel();
    let running_tx = Mutex::new(running_tx);
    client
        .on_event(move |_, e| {
            log.lock().unwrap().push(e.clone());
            // Every callback is slow: waiting for the backlog would take
            // 20 of them.
            if e.phone().map_or(false, |p| p.kind() == EventKind::DtmfReceived) {
                let _ = running_tx.lock().unwrap().send(());
                std::thread::sleep(Duration::from_millis(300));
            }
        })
        .unwrap();
    // A backlog behind the running callback, all read before the close.
    send_dtmf_events(&sim, 20);
    running_rx.recv_timeout(WAIT).expect("the first callback runs");
    client.send_and_confirm(&Command::LineSelect(line(2)), WAIT).unwrap();
    let started = Instant::now();
    client.close();
    let closing_took = started.elapsed();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "a callback started after close began: {seen:#?}");
    assert!(
        closing_took < Duration::from_millis(600),
        "close waited for more than the running callback: {closing_took:?}"
    );
    // Nothing runs later either (e.g. the Disconnected of the close).
    let witness = logged_in(&sim);
    send_dtmf_events(&sim, 1);
    wait_phone(&witness, EventKind::DtmfReceived, None);
    assert_eq!(seen.len(), 1);
}

#[test]
fn closing_from_inside_the_callback_does_not_deadlock() {
    let sim = sim(SimConfig::default());
    let client = Arc::new(Mutex::new(Some(logged_in(&sim))));
    let own = client.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let (closed_tx, closed_rx) = std::sync::mpsc::channel();
    let closed_tx = Mutex::new(closed_tx);
    let guard = client.lock().unwrap();
    guard
        .as_ref()
        .unwrap()
        .on_event(move |_, e| {
            count.fetch_add(1, Ordering::SeqCst);
            if e.phone().map_or(false, |p| p.kind() == EventKind::DtmfReceived) {
                // Drops (closes) the client on its own callback thread.
                let taken = own.lock().unwrap().take();
                drop(taken);
                let _ = closed_tx.lock().unwrap().send(());
            }
        })
        .unwrap();
    drop(guard);
    send_dtmf_events(&sim, 5);
    closed_rx.recv_timeout(WAIT).expect("close from inside the callback returned");
    let witness = logged_in(&sim);
    send_dtmf_events(&sim, 1);
    wait_phone(&witness, EventKind::DtmfReceived, None);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a callback ran after the client closed itself");
}

#[test]
fn callback_only_client_queues_nothing() {
    let sim = sim(SimConfig::default());
    let options = Options { queue_capacity: 4, ..Options::default() };
    let client = dgphone::Client::new(options);
    let (marker_tx, marker_rx) = std::sync::mpsc::channel();
    let marker_tx = Mutex::new(marker_tx);
    let dtmf = Arc::new(AtomicUsize::new(0));
    let count = dtmf.clone();
    client
        .on_event(move |_, e| match e.phone().map(|p| p.kind()) {
            Some(EventKind::DtmfReceived) => {
                count.fetch_add(1, Ordering::SeqCst);
            }
            Some(EventKind::LineSelected) => {
                let _ = marker_tx.lock().unwrap().send(());
            }
            _ => {}
        })
        .unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").unwrap();
    send_dtmf_events(&sim, 100);
    client.select_line(line(1)).unwrap();
    marker_rx.recv_timeout(WAIT).expect("the marker reached the callback");
    assert_eq!(dtmf.load(Ordering::SeqCst), 100);
    assert_eq!(client.queued_events(), 0, "the queue filled beside the callback");
    assert_eq!(client.dropped_events(), 0, "a queue nobody asked for lost events");
    assert_eq!(client.try_next_event(), None);
}

#[test]
fn a_slow_callbacks_backlog_overflows_counted_and_reported() {
    let sim = sim(SimConfig::default());
    // The queue (large) sees every event, to count what the callback lost.
    let options = Options { delivery_backlog: 4, overflow: OverflowPolicy::DropOldest, ..queue_and_callback() };
    let client = dgphone::Client::new(options);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let gate = Gate::new();
    let (marker_tx, marker_rx) = std::sync::mpsc::channel();
    let marker_tx = Mutex::new(marker_tx);
    let first = AtomicBool::new(true);
    let holding = gate.clone();
    client
        .on_event(move |_, e| {
            log.lock().unwrap().push(e.clone());
            // Hold the callback thread until the reader has read all.
            if first.swap(false, Ordering::SeqCst) {
                holding.hold();
            }
            if e.phone().map_or(false, |p| p.kind() == EventKind::LineSelected) {
                let _ = marker_tx.lock().unwrap().send(());
            }
        })
        .unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").expect("login settles while the callback is held");
    gate.wait_held();
    send_dtmf_events(&sim, 100);
    // Settled by the reader: all 100 DTMF events were read before it.
    client.send_and_confirm(&Command::LineSelect(line(1)), WAIT).expect("the reader goes on");
    gate.release();
    marker_rx.recv_timeout(WAIT).expect("the marker reached the callback");
    let dropped = client.dropped_events();
    assert!(dropped >= 95, "only {dropped} lost through a backlog of 4");
    let seen = seen.lock().unwrap().clone();
    let reported: u64 = seen.iter().map(|e| if let ClientEvent::Overflow { dropped } = e { *dropped } else { 0 }).sum();
    assert_eq!(reported, dropped, "every loss reported to the callback: {seen:#?}");
    let last_report = seen.iter().rposition(|e| matches!(e, ClientEvent::Overflow { .. })).unwrap();
    // The newest are kept: the backlog of 4, and possibly LineSelected on
    // top (the reader settles the wait just before handing the event on).
    let after = &seen[last_report + 1..];
    assert!((4..=5).contains(&after.len()), "the newest kept: {after:#?}");
    assert_eq!(after.last().and_then(|e| e.phone()).map(|p| p.kind()), Some(EventKind::LineSelected));
    let queued = std::iter::from_fn(|| client.try_next_event()).count();
    let delivered = seen.len() - seen.iter().filter(|e| matches!(e, ClientEvent::Overflow { .. })).count();
    assert_eq!(delivered as u64 + dropped, queued as u64, "every event delivered or counted as lost");
}

#[test]
fn the_small_reader_stack_resolves_a_host_name_when_reconnecting() {
    // The reader thread has a 64 KiB stack; the system resolver
    // (getaddrinfo, through NSS), needed when it reconnects to a host given
    // by name, runs on a thread of its own with a usual stack.
    let first = sim(SimConfig::default());
    let port = first.port();
    let options = Options {
        reconnect: Some(Reconnect {
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_attempts: None,
        }),
        ..Options::default()
    };
    let client = dgphone::Client::connect("localhost", port, options).expect("localhost resolves");
    client.login("201").unwrap();
    first.stop();
    wait_for(&client, "a reconnect attempt", |e| matches!(e, ClientEvent::Reconnecting { .. }));
    let _second = dgphone_sim::Simulator::start(("127.0.0.1", port), SimConfig::default()).unwrap();
    wait_for(&client, "re-login", |e| matches!(e, ClientEvent::LoggedIn { user } if user == "201"));
    assert!(client.is_logged_in());
}

#[test]
fn removing_the_callback_loses_no_event_in_the_switch_to_the_queue() {
    let sim = sim(SimConfig::default());
    let client = dgphone::Client::new(Options::default());
    let by_callback = Arc::new(AtomicUsize::new(0));
    let count = by_callback.clone();
    client
        .on_event(move |_, e| {
            if e.phone().map_or(false, |p| p.kind() == EventKind::DtmfReceived) {
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1)); // behind the reader
            }
        })
        .unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").unwrap();
    send_dtmf_events(&sim, 50);
    // Removed while events still wait for it (and the reader may still be
    // reading): each goes to the callback or, after the switch, the queue.
    client.set_event_handler(None).unwrap();
    let callback_saw = by_callback.load(Ordering::SeqCst);
    let mut queued = 0;
    while queued + callback_saw < 50 {
        match client.next_event(WAIT) {
            Some(e) if e.phone().map_or(false, |p| p.kind() == EventKind::DtmfReceived) => queued += 1,
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(callback_saw + queued, 50, "callback {callback_saw}, queue {queued}");
    assert_eq!(by_callback.load(Ordering::SeqCst), callback_saw, "a callback ran after its removal");
    assert_eq!(client.dropped_events(), 0);
}

#[test]
fn inside_the_callback_the_state_is_that_of_the_event_delivered() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim); // the queue collects beside the callback
    let gate = Gate::new();
    let holding = gate.clone();
    let (state_tx, state_rx) = std::sync::mpsc::channel();
    let state_tx = Mutex::new(state_tx);
    client
        .on_event(move |handle, e| match e.phone().map(|p| p.kind()) {
            Some(EventKind::DtmfReceived) => holding.hold(),
            Some(EventKind::ReceivingCall) => {
                let _ = state_tx.lock().unwrap().send((handle.line(line(1)).state, handle.state().line(line(1)).state));
            }
            _ => {}
        })
        .unwrap();
    send_dtmf_events(&sim, 1);
    gate.wait_held();
    sim.incoming_call(line(1), "100");
    sim.far_end_hangup(line(1));
    // The reader has applied the whole call while the callback was held.
    wait_phone(&client, EventKind::Ready, Some(1));
    assert_eq!(client.line(line(1)).state, LineState::Idle);
    gate.release();
    let seen = state_rx.recv_timeout(WAIT).expect("ReceivingCall reached the callback");
    assert_eq!(seen, (LineState::Offering, LineState::Offering), "the callback saw a later state");
}

#[test]
fn after_a_disconnect_drops_undelivered_events_the_callback_state_is_the_live_one_again() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let gate = Gate::new();
    let holding = gate.clone();
    let (state_tx, state_rx) = std::sync::mpsc::channel();
    let state_tx = Mutex::new(state_tx);
    let first = AtomicBool::new(true);
    client
        .on_event(move |handle, e| {
            if e.phone().map(|p| p.kind()) != Some(EventKind::DtmfReceived) {
                return;
            }
            if first.swap(false, Ordering::SeqCst) {
                holding.hold();
            } else {
                let _ = state_tx.lock().unwrap().send(handle.line(line(1)).state);
            }
        })
        .unwrap();
    send_dtmf_events(&sim, 1);
    gate.wait_held();
    sim.incoming_call(line(1), "100");
    wait_phone(&client, EventKind::ReceivingCall, Some(1));
    // Disconnecting drops the ReceivingCall still waiting for the callback.
    let disconnecting = {
        let client = client.handle();
        std::thread::spawn(move || client.disconnect())
    };
    wait_for(&client, "Disconnected", |e| matches!(e, ClientEvent::Disconnected { .. }));
    gate.release();
    disconnecting.join().unwrap();
    assert_eq!(client.line(line(1)).state, LineState::Offering, "the live state kept the call");
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").unwrap();
    send_dtmf_events(&sim, 1);
    let seen = state_rx.recv_timeout(WAIT).expect("the next DTMF reached the callback");
    assert_eq!(seen, LineState::Offering, "the callback's state missed what the dropped events changed");
}

#[test]
fn a_blocking_queue_nobody_pulls_does_not_hold_back_the_callbacks_share_of_a_read() {
    let sim = sim(SimConfig::default());
    let options =
        Options { queue_capacity: 4, queue_with_callback: true, overflow: OverflowPolicy::Block, ..Options::default() };
    let client = dgphone::Client::new(options);
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(tx);
    client
        .on_event(move |_, e| {
            if e.phone().map_or(false, |p| p.kind() == EventKind::TimeStamp) {
                let _ = tx.lock().unwrap().send(());
            }
        })
        .unwrap();
    client.connect("127.0.0.1", sim.port()).unwrap();
    client.login("201").unwrap();
    // Twenty in one write: one read, one batch. The queue (four, perhaps
    // partly filled by the login's events) fills within it and the reader
    // then waits on it; the callback must still get the events read before
    // that (at least the one that found the queue full), not wait behind
    // the queue for good.
    let burst = "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:00\r\n\r\n".repeat(20);
    sim.send_raw(burst.as_bytes());
    rx.recv_timeout(WAIT).expect("a timestamp reached the callback");
}

#[test]
fn a_logger_that_reads_the_session_does_not_stall_the_reader() {
    // The reader must never log while it holds the session's lock (this
    // logger takes that lock for every line), with events going to the
    // callback alone and at every level.
    for level in [LogLevel::Info, LogLevel::Trace] {
        let sim = sim(SimConfig::default());
        let port = sim.port();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let handle: Arc<Mutex<Option<dgphone::ClientHandle>>> = Arc::new(Mutex::new(None));
            let asked = Arc::new(AtomicUsize::new(0));
            let (for_logger, counted) = (handle.clone(), asked.clone());
            let options = Options {
                log_level: level,
                logger: Some(Arc::new(move |_, _: &str| {
                    if let Some(client) = for_logger.lock().unwrap().as_ref() {
                        let _ = client.is_logged_in();
                        counted.fetch_add(1, Ordering::SeqCst);
                    }
                })),
                ..Options::default()
            };
            let client = dgphone::Client::new(options);
            *handle.lock().unwrap() = Some(client.handle());
            let (seen_tx, seen_rx) = std::sync::mpsc::channel();
            let seen_tx = Mutex::new(seen_tx);
            client.on_event(move |_, event| drop(seen_tx.lock().unwrap().send(format!("{event:?}")))).unwrap();
            client.connect("127.0.0.1", port).unwrap();
            client.login("201").unwrap();
            client.request_status().unwrap();
            while let Ok(event) = seen_rx.recv_timeout(WAIT) {
                if event.contains("Ready") {
                    break;
                }
            }
            handle.lock().unwrap().take();
            let _ = done_tx.send((client.is_logged_in(), asked.load(Ordering::SeqCst)));
        });
        let (logged_in, asked) = done_rx.recv_timeout(WAIT * 2).expect("the reader stalled under its logger");
        assert!(logged_in, "{level:?}");
        assert!(asked > 0, "{level:?}: the logger was called");
    }
}
