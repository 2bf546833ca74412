//! Record → replay round trips: a session recorded by the simulator (or by
//! the client library's wire log) and replayed to the same client code
//! gives that client the same events, faults included.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use dgphone::wire::record::{Recording, Side, WireLog};
use dgphone::wire::WireError;
use dgphone::{Client, ClientEvent, DisconnectReason, EventKind, Options};
use dgphone_sim::{Fault, Recorder, Replay, ReplayOptions, SimConfig, Simulator};

/// A file in the temp directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!("dgphone-test-{}-{name}.dgrec", std::process::id())))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A simulator that records everything to `file`.
fn recording_sim(config: SimConfig, file: &TempFile) -> Simulator {
    let recorder = Recorder::create(&file.0).unwrap();
    Simulator::start_with_observer("127.0.0.1:0", config, move |t| recorder.observe(t)).unwrap()
}

/// The client's side of a call: log in, answer the call that rings, wait
/// for the far end to hang up, log off. `far_end(stage)` plays the far end
/// when recording (stage 1: ring; stage 2: DTMF and hang up); replaying,
/// the recording plays it. Returns every event but Connected.
fn call(port: u16, options: Options, far_end: &dyn Fn(u8)) -> Vec<ClientEvent> {
    // Pulls from the queue beside the callback, so asks for both.
    let client = Client::new(Options { queue_with_callback: true, ..options });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    client.on_event(move |_, event| sink.lock().unwrap().push(event.clone())).unwrap();
    client.connect("127.0.0.1", port).unwrap();
    client.login("201").unwrap();
    far_end(1);
    wait_phone(&client, EventKind::ReceivingCall, Some(1));
    client.answer(None).unwrap();
    wait_phone(&client, EventKind::Answer, Some(1));
    client.send_dtmf("1234#").unwrap();
    far_end(2);
    wait_phone(&client, EventKind::Ready, Some(1));
    client.logoff().unwrap();
    wait_for(&client, "the end", |e| matches!(e, ClientEvent::Disconnected { .. }));
    // The queue gets each event before the callback: disconnect waits for
    // the callback to have seen them all (the connection had ended).
    client.disconnect();
    let seen = seen.lock().unwrap();
    seen.iter().filter(|e| !matches!(e, ClientEvent::Connected { .. })).cloned().collect()
}

fn replay(file: &TempFile) -> Replay {
    let recording = Recording::load(&file.0).expect("the recording reads back");
    Replay::start("127.0.0.1:0", recording, ReplayOptions { wait_for_client: true }).unwrap()
}

fn record_and_replay(config: SimConfig, name: &str) -> (Vec<ClientEvent>, Recording) {
    let file = TempFile::new(name);
    let sim = recording_sim(config, &file);
    let far_end = |stage: u8| match stage {
        1 => sim.incoming_call(line(1), "5511999990000"),
        _ => {
            sim.dtmf_received(line(1), '7');
            sim.far_end_hangup(line(1));
        }
    };
    let recorded = call(sim.port(), Options::default(), &far_end);
    sim.stop(); // joins every thread: the recording is complete
    let replay = replay(&file);
    let replayed = call(replay.port(), Options::default(), &|_| {});
    assert_eq!(replayed, recorded);
    let kinds: Vec<_> = recorded.iter().filter_map(|e| e.phone().map(|p| p.kind())).collect();
    assert!(kinds.contains(&EventKind::DtmfReceived) && kinds.ends_with(&[EventKind::UserLogoff]), "{kinds:?}");
    assert_eq!(
        recorded.last(),
        Some(&ClientEvent::Disconnected { reason: DisconnectReason::LoggedOff }),
        "DGPhone closed after the logoff, in the replay too"
    );
    (recorded, Recording::load(&file.0).unwrap())
}

#[test]
fn a_recorded_call_replays_to_the_same_events() {
    let (_, recording) = record_and_replay(SimConfig::default(), "call");
    let only = &recording.connections[0];
    assert_eq!(recording.connections.len(), 1);
    assert_eq!(only.closed.map(|(_, by)| by), Some(Some(Side::Server)));
    let sent = |side| only.chunks.iter().filter(|c| c.from == side).count();
    assert!(sent(Side::Client) >= 3 && sent(Side::Server) >= 8, "{only:#?}");
}

#[test]
fn the_clients_wire_log_replays_to_the_same_events_without_dtmf() {
    let file = TempFile::new("client");
    let sim = sim(SimConfig::default());
    let options = Options { wire_log: Some(WireLog::create(&file.0).unwrap()), ..Options::default() };
    let far_end = |stage: u8| match stage {
        1 => sim.incoming_call(line(1), "5511999990000"),
        _ => {
            sim.dtmf_received(line(1), '7');
            sim.far_end_hangup(line(1));
        }
    };
    let recorded = call(sim.port(), options, &far_end);
    let digits = sim.commands().into_iter().find(|c| c.get("Command") == Some("SendDtmf")).unwrap();
    assert_eq!(digits.get("Digits"), Some("1234#"), "the real digits went to DGPhone");
    let text = std::fs::read_to_string(&file.0).unwrap();
    assert!(text.contains("Command: SendDtmf\\r\\nDigits: <redacted>\\r\\n"), "{text}");
    assert!(!text.contains("1234"), "the digits reached the log: {text}");
    assert!(text.lines().last().unwrap().ends_with(" 1 close S"), "DGPhone closed after the logoff: {text}");

    let replay = replay(&file);
    let replayed = call(replay.port(), Options::default(), &|_| {});
    assert_eq!(replayed, recorded);
}

#[test]
fn byte_at_a_time_is_recorded_byte_by_byte_and_replays_the_same() {
    let config = SimConfig { faults: vec![Fault::ByteAtATime(Duration::ZERO)], ..SimConfig::default() };
    let (_, recording) = record_and_replay(config, "bytes");
    let server: Vec<_> = recording.connections[0].chunks.iter().filter(|c| c.from == Side::Server).collect();
    assert!(server.len() > 300 && server.iter().all(|c| c.bytes.len() == 1), "{} chunks", server.len());
}

#[test]
fn faults_are_reproduced_by_the_replay() {
    let file = TempFile::new("faults");
    let sim = recording_sim(SimConfig::default(), &file);
    let faults = || {
        for fault in [Fault::Garbage, Fault::InvalidUtf8, Fault::Nul, Fault::CloseMidPacket] {
            sim.set_fault(fault);
        }
    };
    let recorded = broken_session(sim.port(), &faults);
    sim.stop();
    let replay = replay(&file);
    let replayed = broken_session(replay.port(), &|| {});
    assert_eq!(replayed, recorded);
    let tail = &recorded[recorded.len() - 2..];
    assert_eq!(
        tail,
        [
            ClientEvent::ProtocolError(WireError::Truncated { bytes: 50 }),
            ClientEvent::Disconnected { reason: DisconnectReason::ClosedByPeer }
        ]
    );
    let greetings = recorded.iter().filter(|e| matches!(e, ClientEvent::Greeting(_))).count();
    let stray =
        recorded.iter().filter(|e| matches!(e, ClientEvent::ProtocolError(WireError::StrayLine { .. }))).count();
    let errors = recorded.iter().filter(|e| e.phone().map_or(false, |p| p.kind() == EventKind::Error)).count();
    assert_eq!((greetings, stray, errors), (1, 2, 2), "the banner; two garbage lines; two bad-text events");
}

/// Logs in, lets `play` break things, and returns every event but
/// Connected up to the end of the connection.
fn broken_session(port: u16, play: &dyn Fn()) -> Vec<ClientEvent> {
    let client = connect_to(port);
    client.login("201").unwrap();
    play();
    let mut events = Vec::new();
    loop {
        let event = wait_for(&client, "anything", |_| true);
        let end = matches!(event, ClientEvent::Disconnected { .. });
        if !matches!(event, ClientEvent::Connected { .. }) {
            events.push(event);
        }
        if end {
            return events;
        }
    }
}

fn connect_to(port: u16) -> Client {
    Client::connect("127.0.0.1", port, Options::default()).unwrap()
}

#[test]
fn without_waiting_replies_keep_their_recorded_times() {
    let text = "# dgphone wire recording v1\n\
                0 1 open\n\
                1 1 S \"DGPhone Remote Control/1.0\\r\\n\"\n\
                300 1 S \"Event: DGPhoneEvent\\r\\nStatus: ReceivingCall\\r\\nUser: 201\\r\\nLine: 1\\r\\nNumber: 100\\r\\n\\r\\n\"\n\
                320 1 close S\n";
    let recording = Recording::parse("timed", text).unwrap();
    let replay = Replay::start("127.0.0.1:0", recording, ReplayOptions::default()).unwrap();
    let started = Instant::now();
    let client = connect_to(replay.port());
    assert_eq!(wait_for(&client, "the greeting", |_| true), ClientEvent::Connected { addr: replay.local_addr() });
    assert_eq!(client.next_event(WAIT), Some(ClientEvent::Greeting("DGPhone Remote Control/1.0".into())));
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    assert_eq!(ringing.number(), Some("100"));
    wait_for(&client, "the end", |e| matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::ClosedByPeer }));
    assert!(replay.wait_until_played(1, WAIT));

    // The recording holds one connection: a second one is closed at once.
    let second = connect_to(replay.port());
    wait_for(&second, "the end", |e| matches!(e, ClientEvent::Disconnected { .. }));
}
