//! A burst read in large pieces, delivered to a callback alone: the reader
//! judges such events where they lie in its buffer and the callback thread
//! builds them. What the callback gets, and the state, must be what
//! framing each event on its own gives, whatever the packets' shapes.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{mpsc, Arc, Mutex};

use common::*;
use dgphone::wire::{Decoder, Frame};
use dgphone::{ClientEvent, Command, Event, EventKind, Line, LineState, Options, OverflowPolicy, PhoneState};

/// Events in every shape the framing meets: DGPhone's own, LF-only lines,
/// blank lines between packets, a value in Windows-1252 (converted, so not
/// read in place), long values, a colon inside a value, other users'.
fn burst(events: usize, tag: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..events {
        let line = i % 6 + 1;
        let event = match i % 7 {
            0 => format!("Event: DGPhoneEvent\r\nStatus: Dialing\r\nUser: 201\r\nLine: {line}\r\nNumber: {tag}{i}\r\n\r\n"),
            1 => format!("Event: DGPhoneEvent\nStatus: Answer\nUser: 201\nLine: {line}\nNumber: {tag}{i}\n\n"),
            2 => format!("\r\n\r\nEvent: DGPhoneEvent\r\nStatus: Hangup\r\nUser: 201\r\nLine: {line}\r\n\r\n"),
            3 => format!("Event: DGPhoneEvent\r\nStatus: Hold\r\nUser: 201\r\nLine: {line}\r\nHold: 1\r\nX-Note: {tag}{i}\r\n\r\n"),
            4 => "Event: DGTimeStamp\r\nTime: 2024-05-01 14:05:09\r\n\r\n".to_string(),
            5 => format!("Event: DGPhoneEvent\r\nStatus: ReceivingCall\r\nUser: 202\r\nLine: {line}\r\nNumber: {}\r\n\r\n", "9".repeat(40)),
            _ => format!("Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: 201\r\nLine: {line}\r\nMessage: N\u{e3}o: {i}\r\n\r\n"),
        };
        bytes.extend_from_slice(event.as_bytes());
    }
    // One Windows-1252 byte: converted on the decoder's own path.
    bytes.extend_from_slice(b"Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: 201\r\nLine: 1\r\nMessage: N\xe3o\r\n\r\n");
    bytes
}

/// Every event of `bytes` as a decoder alone frames and types it.
fn reference(bytes: &[u8]) -> Vec<Event> {
    let mut decoder = Decoder::default();
    decoder.push(bytes);
    std::iter::from_fn(|| decoder.next_frame())
        .filter_map(|frame| match frame {
            Ok(Frame::Packet(packet)) => Some(Event::from_packet(packet)),
            _ => None,
        })
        .collect()
}

/// What the callback saw of `wire`, written in one go after the client's
/// Login (sent without waiting, so that no wait is registered and the
/// response may be read in place among the others): each event with the
/// state of the line it names as of that event.
fn through_the_callback(options: Options, wire: &[u8], phone_events: usize) -> Delivered {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = {
        let wire = wire.to_vec();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut command = [0u8; 256];
            let n = stream.read(&mut command).unwrap();
            assert!(String::from_utf8_lossy(&command[..n]).contains("Command: Login"));
            stream.write_all(&wire).unwrap();
            // Held open until the client has had it all.
            let _ = stream.read(&mut command);
        })
    };
    let client = dgphone::Client::new(Options { queue_capacity: 0, ..options });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = mpsc::channel();
    let (log, done_tx) = (seen.clone(), Mutex::new(done_tx));
    client
        .on_event(move |handle, event| {
            let mut log = log.lock().unwrap();
            let state = event.phone().and_then(Event::line).map(|line| handle.line(line).state);
            log.push((event.clone(), state));
            if log.iter().filter(|(e, _)| e.phone().is_some()).count() == phone_events {
                let _ = done_tx.lock().unwrap().send(());
            }
        })
        .unwrap();
    client.connect("127.0.0.1", port).unwrap();
    client.send(&Command::Login { user: "201".into(), remote_mode: false }).unwrap();
    done_rx.recv_timeout(WAIT).expect("every event reached the callback");
    // The reader, ahead of the callback thread, has applied them all.
    let (live, logged_in, dropped) = (client.state(), client.is_logged_in(), client.dropped_events());
    client.disconnect();
    server.join().unwrap();
    let seen = seen.lock().unwrap().clone();
    Delivered { seen, live, logged_in, dropped }
}

struct Delivered {
    seen: Vec<(ClientEvent, Option<LineState>)>,
    live: PhoneState,
    logged_in: bool,
    dropped: u64,
}

/// The phone events of `seen` are `expected`, headers, raw bytes and
/// typing alike, and each came with the state it left (201's events count,
/// 202's not: the extension is the client's own from the Login sent).
fn assert_delivered_as_framed(seen: &[(ClientEvent, Option<LineState>)], expected: &[Event]) -> PhoneState {
    let phones: Vec<&Event> = seen.iter().filter_map(|(e, _)| e.phone()).collect();
    assert_eq!(phones.len(), expected.len());
    let mut state = PhoneState::new();
    for ((got, want), seen_state) in
        phones.iter().zip(expected).zip(seen.iter().filter(|(e, _)| e.phone().is_some()).map(|(_, s)| s))
    {
        assert_eq!(*got, want);
        state.apply(*got, Some("201"));
        if let Some(line) = got.line() {
            assert_eq!(*seen_state, Some(state.line(line).state), "after {got:?}");
        }
    }
    assert!(Line::all().all(|line| state.line(line).state != LineState::Offering), "202's calls changed nothing");
    state
}

#[test]
fn a_burst_reaches_the_callback_as_framed_one_by_one_with_its_login_in_its_place() {
    let mut wire = burst(700, "a");
    wire.extend_from_slice(b"Event: DGPhoneResponse\r\nResponse: Success\r\nCommand: Login\r\nUser: 201\r\n\r\n");
    wire.extend_from_slice(&burst(700, "b"));
    let expected = reference(&wire);
    let delivered = through_the_callback(Options::default(), &wire, expected.len());
    let state = assert_delivered_as_framed(&delivered.seen, &expected);
    assert_eq!(delivered.live, state, "the live state is the last event's");
    // LoggedIn comes right after the response it follows from.
    let seen = &delivered.seen;
    let at = seen.iter().position(|(e, _)| matches!(e, ClientEvent::LoggedIn { user } if user == "201")).unwrap();
    assert_eq!(seen[at - 1].0.phone().map(Event::kind), Some(EventKind::Response));
    assert!(delivered.logged_in);
}

#[test]
fn a_burst_through_a_small_blocking_backlog_loses_nothing() {
    // The reader waits for room again and again in the middle of a read's
    // events: those it hands on after each wait still find their run.
    let wire = burst(3000, "c");
    let expected = reference(&wire);
    let options = Options { delivery_backlog: 8, overflow: OverflowPolicy::Block, ..Options::default() };
    let delivered = through_the_callback(options, &wire, expected.len());
    let state = assert_delivered_as_framed(&delivered.seen, &expected);
    assert_eq!((delivered.live, delivered.dropped), (state, 0));
}

/// Reads from `stream` until `text` has come; panics on end of stream.
fn read_until(stream: &mut std::net::TcpStream, text: &str) {
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(&got).contains(text) {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended before {text:?}; got {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn a_relogin_answered_inside_a_burst_still_asks_for_status() {
    // After a reconnection the reader logs in again by itself (no wait
    // registered) and, once that is answered, asks for Status: here the
    // answer comes in the middle of a burst read in place.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let response = "Event: DGPhoneResponse\r\nResponse: Success\r\nCommand: Login\r\nUser: 201\r\n\r\n";
    let server = std::thread::spawn(move || {
        let (mut first, _) = listener.accept().unwrap();
        read_until(&mut first, "Command: Login");
        first.write_all(response.as_bytes()).unwrap();
        drop(first);
        let (mut second, _) = listener.accept().unwrap();
        read_until(&mut second, "Command: Login");
        let mut wire = burst(300, "d");
        wire.extend_from_slice(response.as_bytes());
        wire.extend_from_slice(&burst(300, "e"));
        second.write_all(&wire).unwrap();
        read_until(&mut second, "Command: Status");
        second
    });
    let reconnect = dgphone::client::Reconnect {
        initial_delay: std::time::Duration::from_millis(10),
        max_delay: std::time::Duration::from_millis(100),
        max_attempts: None,
    };
    let client = dgphone::Client::new(Options { queue_capacity: 0, reconnect: Some(reconnect), ..Options::default() });
    let (logins_tx, logins_rx) = mpsc::channel();
    let logins_tx = Mutex::new(logins_tx);
    client
        .on_event(move |_, event| {
            if let ClientEvent::LoggedIn { user } = event {
                let _ = logins_tx.lock().unwrap().send(user.clone());
            }
        })
        .unwrap();
    client.connect("127.0.0.1", port).unwrap();
    client.login("201").unwrap();
    let logins: Vec<_> = (0..2).map(|_| logins_rx.recv_timeout(WAIT)).collect();
    // The server got the Status request on the second connection.
    let served = server.join();
    if served.is_err() || logins.iter().any(|login| login.as_deref() != Ok("201")) {
        // A reader stuck for good would hold up the client's close.
        std::mem::forget(client);
        panic!("logins {logins:?}; a Status request after the re-login: {}", served.is_ok());
    }
    assert!(client.is_logged_in());
}
