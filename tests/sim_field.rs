//! The simulator driven the way 2013-era field code drives a DGPhone: a raw
//! socket, bare-LF commands, the greeting read before anything is sent, and
//! each answer read until the line falls silent.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common;

use common::sim;
use dgphone_sim::{IdleHangup, LoginPolicy, LoginRefusal, Profile, Recorder, SimConfig, Simulator, TimestampFields};

/// How long "silence" lasts once something arrived, and how long to wait
/// for the first byte of an answer: generous, so a slow machine never flakes.
const SILENCE: Duration = Duration::from_millis(300);
const FIRST_BYTE: Duration = Duration::from_secs(10);

struct Field {
    stream: TcpStream,
}

impl Field {
    /// Connects and reads the greeting first, as field code does.
    fn connect(sim: &Simulator) -> (Field, String) {
        let stream = TcpStream::connect(sim.local_addr()).unwrap();
        let mut field = Field { stream };
        let greeting = field.read_until_silence();
        (field, greeting)
    }

    /// Connects without reading anything yet.
    fn connect_raw(sim: &Simulator) -> Field {
        Field { stream: TcpStream::connect(sim.local_addr()).unwrap() }
    }

    /// Everything that arrives within `window` (for traffic that never
    /// falls silent, such as frequent timestamps).
    fn read_for(&mut self, window: Duration) -> String {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + window;
        while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
        }
        String::from_utf8(got).unwrap()
    }

    /// Sends a command with bare LF line endings.
    fn send(&mut self, command: &str, headers: &[(&str, &str)]) {
        let mut text = format!("Action: DGPhoneCommand\nCommand: {command}\n");
        for (key, value) in headers {
            text.push_str(&format!("{key}: {value}\n"));
        }
        text.push('\n');
        self.stream.write_all(text.as_bytes()).unwrap();
    }

    /// Everything that arrives until nothing more comes for `SILENCE`.
    fn read_until_silence(&mut self) -> String {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let start = Instant::now();
        loop {
            let wait = if got.is_empty() { FIRST_BYTE.saturating_sub(start.elapsed()) } else { SILENCE };
            if wait.is_zero() {
                break;
            }
            self.stream.set_read_timeout(Some(wait)).unwrap();
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
        }
        String::from_utf8(got).unwrap()
    }

    /// Sends, then returns each packet of the answer as `Status[:Line]`
    /// (or the Event name), reading until silence.
    fn exchange(&mut self, command: &str, headers: &[(&str, &str)]) -> Vec<String> {
        self.send(command, headers);
        summaries(&self.read_until_silence())
    }
}

/// The packets of `text` (greeting lines included, as one-line packets),
/// each as its `(key, value)` pairs split at the first `": "`.
fn packets(text: &str) -> Vec<Vec<(String, String)>> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|packet| {
            packet
                .lines()
                .map(|l| match l.split_once(": ") {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (String::new(), l.to_string()),
                })
                .collect()
        })
        .collect()
}

/// The value of `key` in a packet from [`packets`].
fn value<'a>(packet: &'a [(String, String)], key: &str) -> Option<&'a str> {
    packet.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn summaries(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|packet| {
            let get = |key: &str| packet.lines().find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_string));
            let status = get("Status").or_else(|| get("Response")).or_else(|| get("Event")).unwrap_or_default();
            match get("Line") {
                Some(line) => format!("{status}:{line}"),
                None => status,
            }
        })
        .collect()
}

#[test]
fn the_agent_keeps_the_line_through_a_queue_call_and_hanging_up_logs_off() {
    let sim = sim(SimConfig { agent_password: Some("1234".into()), ..SimConfig::default() });
    let (mut field, greeting) = Field::connect(&sim);
    assert!(!greeting.is_empty());
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    assert_eq!(field.exchange("Dial", &[("Number", "*9800"), ("Line", "1"), ("User", "201")]), ["Dialing:1"]);
    assert_eq!(field.exchange("SendDtmf", &[("Digits", "7001#")]), ["Answer:1"]);
    assert_eq!(field.exchange("SendDtmf", &[("Digits", "1234#")]), ["AgentLogin"]);
    // The queue offers a call; the agent takes it on line 1 with `#`.
    sim.agent_event(dgphone::EventKind::AgentCalled, "7001", Some("1700000000.7"));
    assert_eq!(summaries(&field.read_until_silence()), ["AgentCalled"]);
    assert_eq!(field.exchange("LineSelect", &[("Line", "1")]), ["LineSelected:1"]);
    field.send("SendDtmf", &[("Digits", "#")]);
    let taken = field.read_until_silence();
    assert!(taken.contains("Status: AgentConnect") && taken.contains("Uniqueid: 1700000000.7"), "{taken}");
    field.send("Hold", &[]);
    assert!(field.read_until_silence().contains("Hold: 1\r\n"));
    field.send("Hold", &[]);
    assert!(field.read_until_silence().contains("Hold: 0\r\n"));
    assert_eq!(field.exchange("SendDtmf", &[("Digits", "*")]), ["AgentComplete"]);
    // Still on shift: the line is connected.
    let status = field.exchange("Status", &[]);
    assert_eq!(status[0], "Answer:1");
    assert_eq!(field.exchange("Hangup", &[("Line", "1")]), ["Hangup:1", "Ready:1", "AgentLogoff"]);
}

#[test]
fn colon_free_timestamps_come_from_connect_before_login() {
    let sim = sim(SimConfig {
        timestamp_interval: Some(Duration::from_millis(100)),
        timestamp_fields: TimestampFields::Timestamp,
        timestamps_from_connect: true,
        ..SimConfig::default()
    });
    let mut field = Field::connect_raw(&sim);
    // Field code counts these for its login timeout, before sending Login.
    let got = packets(&field.read_for(Duration::from_millis(1000)));
    assert_eq!(value(&got[0], ""), Some("DGPhone Remote Control/1.0"), "the greeting first: {got:?}");
    let stamps: Vec<_> = got[1..].iter().filter(|p| value(p, "Event") == Some("DGTimeStamp")).collect();
    assert!(stamps.len() >= 3, "{got:?}");
    for stamp in stamps {
        assert_eq!(stamp.len(), 2, "Event and Timestamp only: {stamp:?}");
        let secs: u64 = value(stamp, "Timestamp").expect("a Timestamp field").parse().unwrap();
        assert!(secs.abs_diff(unix_now()) <= 5, "{secs}");
        assert!(stamp.iter().all(|(_, v)| !v.contains(':')), "colon-free: {stamp:?}");
    }
}

#[test]
fn by_default_timestamps_wait_for_login_and_both_fields_can_come() {
    let sim = sim(SimConfig {
        timestamp_interval: Some(Duration::from_millis(100)),
        timestamp_fields: TimestampFields::Both,
        ..SimConfig::default()
    });
    let (mut field, greeting) = Field::connect(&sim);
    assert!(greeting.starts_with("DGPhone"));
    assert_eq!(field.read_for(Duration::from_millis(500)), "", "no timestamp before login");
    field.send("Login", &[("User", "201"), ("RemoteMode", "1")]);
    let got = packets(&field.read_for(Duration::from_millis(800)));
    assert_eq!(value(&got[0], "Response"), Some("Success"));
    let stamp = got.iter().find(|p| value(p, "Event") == Some("DGTimeStamp")).expect("a timestamp after login");
    let time = value(stamp, "Time").expect("Time, YYYY-MM-DD HH:MM:SS");
    assert_eq!((time.len(), &time[4..5], &time[10..11], &time[13..14]), (19, "-", " ", ":"), "{time}");
    let secs: u64 = value(stamp, "Timestamp").expect("and Timestamp").parse().unwrap();
    assert!(secs.abs_diff(unix_now()) <= 5);
}

#[test]
fn a_refused_login_can_come_as_a_dgphone_event_with_status_error() {
    for (refusal, expected) in [
        (LoginRefusal::Response, &["Error"][..]),
        (LoginRefusal::Event, &["Error"][..]),
        (LoginRefusal::Both, &["Error", "Error"][..]),
    ] {
        let login = LoginPolicy::Reject("User is not active".into());
        let sim = sim(SimConfig { login, login_refusal: refusal, ..SimConfig::default() });
        let (mut field, _) = Field::connect(&sim);
        field.send("Login", &[("User", "201"), ("RemoteMode", "1")]);
        let got = packets(&field.read_until_silence());
        let events: Vec<_> = got.iter().map(|p| value(p, "Event").unwrap_or_default()).collect();
        let want_events: &[&str] = match refusal {
            LoginRefusal::Response => &["DGPhoneResponse"],
            LoginRefusal::Event => &["DGPhoneEvent"],
            _ => &["DGPhoneResponse", "DGPhoneEvent"],
        };
        assert_eq!(events, want_events, "{refusal:?}: {got:?}");
        for packet in &got {
            let error = value(packet, "Response").or_else(|| value(packet, "Status"));
            assert_eq!(error, Some(expected[0]), "{packet:?}");
            assert_eq!(value(packet, "Message"), Some("User is not active"));
            assert_eq!(value(packet, "User"), Some("201"));
        }
        assert_eq!(got.len(), expected.len());
    }
}

/// What a field parser that splits each line on every ':' keeps of it: a
/// line with more than one colon is lost.
fn survives_a_split_on_every_colon(line: &str) -> bool {
    line.split(':').count() <= 2
}

#[test]
fn every_message_survives_a_parser_that_splits_on_every_colon() {
    let sim = sim(SimConfig::default());
    let (mut field, _) = Field::connect(&sim);
    // Field screens ask for the clock before and after login.
    field.send("DGTimeStamp", &[]);
    let before = packets(&field.read_until_silence());
    assert_eq!(before.len(), 1);
    assert_eq!(value(&before[0], "Event"), Some("DGTimeStamp"), "{before:?}");
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    let refused: [(&str, &[(&str, &str)]); 8] = [
        ("Transfer", &[]),
        ("Ns:Transfer", &[]),
        ("LineSelect", &[("Line", "9")]),
        ("Dial", &[("Number", "100"), ("Line", "1:2")]),
        ("Hold", &[("Hold", "maybe")]),
        ("SendDtmf", &[("Digits", "12x")]),
        ("AgentPause", &[("Agent", "7001"), ("Paused", "x:y")]),
        ("Answer", &[]),
    ];
    for (command, headers) in refused {
        field.send(command, headers);
        let text = field.read_until_silence();
        let got = packets(&text);
        assert_eq!(got.len(), 1, "{command}: {text}");
        assert_eq!(value(&got[0], "Status"), Some("Error"), "{command}: {text}");
        assert!(text.lines().all(survives_a_split_on_every_colon), "{command}: {text}");
    }
    field.send("Transfer", &[]);
    assert_eq!(value(&packets(&field.read_until_silence())[0], "Message"), Some("Unknown command Transfer"));
    field.send("DGTimeStamp", &[]);
    let after = packets(&field.read_until_silence());
    assert_eq!((after.len(), value(&after[0], "Event")), (1, Some("DGTimeStamp")), "{after:?}");
}

#[test]
fn the_far_end_rings_for_the_answer_delay_while_commands_are_still_answered() {
    let delay = Duration::from_millis(1500);
    let sim = sim(SimConfig { answer_delay: delay, ..SimConfig::default() });
    let (mut field, _) = Field::connect(&sim);
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    let dialled = Instant::now();
    field.send("Dial", &[("Number", "100"), ("Line", "1"), ("User", "201")]);
    // Nothing sleeps on the reader while it rings: Status is answered at once.
    field.send("Status", &[]);
    let first = field.read_until_silence();
    let answered_by = dialled.elapsed();
    assert_eq!(summaries(&first)[..2], ["Dialing:1", "Dialing:1"], "{first}");
    assert!(!first.contains("Status: Answer"), "the Answer comes in a later read: {first}");
    assert!(answered_by < delay, "Status was answered after {answered_by:?}");
    assert_eq!(summaries(&field.read_until_silence()), ["Answer:1"]);
    let rang = dialled.elapsed();
    assert!(rang >= delay, "answered after {rang:?}");

    // Hanging up while it rings: no Answer ever comes.
    assert_eq!(field.exchange("Dial", &[("Number", "101"), ("Line", "2")]), ["Dialing:2"]);
    assert_eq!(field.exchange("Hangup", &[("Line", "2")]), ["Hangup:2", "Ready:2"]);
    assert_eq!(field.read_for(delay + Duration::from_millis(300)), "");
}

#[test]
fn recordings_and_logs_never_hold_the_agents_digits() {
    let path = std::env::temp_dir().join(format!("dgphone-sim-field-{}.dgrec", std::process::id()));
    let recorder = Recorder::create(&path).unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let logged = std::sync::Arc::clone(&lines);
    let sim = Simulator::start_with_observer("127.0.0.1:0", SimConfig::default(), move |traffic| {
        recorder.observe(traffic);
        logged.lock().unwrap().extend(traffic.log_line());
    })
    .unwrap();
    let (mut field, _) = Field::connect(&sim);
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    assert_eq!(field.exchange("Dial", &[("Number", "*9800"), ("Line", "1")]), ["Dialing:1"]);
    assert_eq!(field.exchange("SendDtmf", &[("Digits", "7001#")]), ["Answer:1"]);
    // The password split across writes, as a slow field client sends it.
    // The pauses only make separate reads likely; the assertions hold
    // however the simulator's reads cut the bytes.
    for piece in ["Action: DGPhoneCommand\nCommand: SendDtmf\nDig", "its: 98", "76#\n\n"] {
        field.stream.write_all(piece.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(summaries(&field.read_until_silence()), ["AgentLogin"]);
    assert_eq!(field.exchange("Hangup", &[("Line", "1")]), ["Hangup:1", "Ready:1", "AgentLogoff"]);
    drop(field);
    let commands = sim.commands();
    assert_eq!(commands.iter().filter_map(|c| c.get("Digits")).collect::<Vec<_>>(), ["7001#", "9876#"]);
    sim.stop();
    let recording = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(!recording.contains("9876") && !recording.contains("7001#"), "{recording}");
    assert_eq!(recording.matches("Digits: <redacted>").count(), 2, "{recording}");
    assert!(recording.contains("Number: *9800\\n"), "the rest is exact: {recording}");
    let lines = lines.lock().unwrap();
    assert!(lines.iter().all(|l| !l.contains("9876") && !l.contains("7001#")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("SendDtmf Digits=<redacted>")), "{lines:#?}");
}

#[test]
fn a_scenario_or_an_action_sets_the_refusal_form_and_the_idle_hangup_answer_of_one_connection() {
    let login = LoginPolicy::Reject("Invalid user".into());
    let sim = sim(SimConfig { login, ..SimConfig::default() });
    let (mut field, _) = Field::connect(&sim);
    for step in ["set refusal both", "set idle-hangup ready"] {
        let played = sim.perform(&step.parse().unwrap());
        assert!(played.len() == 1 && played[0].1.is_ok(), "{step}: {played:?}");
    }
    field.send("Login", &[("User", "201"), ("RemoteMode", "1")]);
    let got = packets(&field.read_until_silence());
    let events: Vec<_> = got.iter().map(|p| value(p, "Event").unwrap_or_default()).collect();
    assert_eq!(events, ["DGPhoneResponse", "DGPhoneEvent"], "{got:?}");

    let sim = common::sim(SimConfig::default());
    let (mut field, _) = Field::connect(&sim);
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    sim.perform(&"set idle-hangup ready".parse().unwrap());
    assert_eq!(field.exchange("Hangup", &[("Line", "2")]), ["Ready:2"]);
}

#[test]
fn hanging_up_an_idle_line_answers_ready_when_asked_and_is_refused_by_default() {
    let sim = sim(SimConfig { idle_hangup: IdleHangup::Ready, ..SimConfig::default() });
    let (mut field, _) = Field::connect(&sim);
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    // Field code hangs up "to be sure" before dialling.
    assert_eq!(field.exchange("Hangup", &[("Line", "2")]), ["Ready:2"]);
    assert_eq!(field.exchange("Dial", &[("Number", "100"), ("Line", "2")]), ["Dialing:2", "Answer:2"]);
    assert_eq!(field.exchange("Hangup", &[("Line", "2")]), ["Hangup:2", "Ready:2"]);

    let sim = common::sim(SimConfig::default());
    let (mut field, _) = Field::connect(&sim);
    field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]);
    field.send("Hangup", &[("Line", "2")]);
    let refused = packets(&field.read_until_silence());
    assert_eq!(value(&refused[0], "Status"), Some("Error"));
    assert_eq!(value(&refused[0], "Message"), Some("Line 2 is idle"));
}

#[test]
fn the_field_2013_profile_behaves_like_the_dgphones_the_2013_client_was_written_against() {
    // Timestamps as the profile sends them, only more often, for a quick test.
    let mut config = Profile::Field2013.config();
    assert_eq!(config.timestamp_interval, Some(Duration::from_secs(10)));
    config.timestamp_interval = Some(Duration::from_millis(150));
    config.login = LoginPolicy::Reject("User is not active".into());
    let sim = sim(config);
    let mut field = Field::connect_raw(&sim);
    let got = packets(&field.read_for(Duration::from_millis(700)));
    assert_eq!(value(&got[0], ""), Some("DGPhone Remote Control/1.0"));
    assert!(got[1..].len() >= 2, "timestamps before login: {got:?}");
    for stamp in &got[1..] {
        assert_eq!(value(stamp, "Event"), Some("DGTimeStamp"));
        assert!(value(stamp, "Time").is_none() && value(stamp, "Timestamp").is_some(), "{stamp:?}");
    }
    field.send("Login", &[("User", "201"), ("RemoteMode", "1")]);
    let answer: Vec<_> = packets(&field.read_for(Duration::from_millis(500)))
        .into_iter()
        .filter(|p| value(p, "Event") != Some("DGTimeStamp"))
        .collect();
    let events: Vec<_> = answer.iter().map(|p| value(p, "Event").unwrap_or_default()).collect();
    assert_eq!(events, ["DGPhoneResponse", "DGPhoneEvent"], "{answer:?}");

    // The far end rings 2 s; an idle hangup is answered Ready.
    let sim = common::sim(SimConfig { timestamp_interval: None, ..Profile::Field2013.config() });
    let (mut field, _) = Field::connect(&sim);
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    assert_eq!(field.exchange("Hangup", &[("Line", "1")]), ["Ready:1"]);
    let dialled = Instant::now();
    assert_eq!(field.exchange("Dial", &[("Number", "100"), ("Line", "1")]), ["Dialing:1"]);
    assert_eq!(summaries(&field.read_until_silence()), ["Answer:1"]);
    assert!(dialled.elapsed() >= Duration::from_secs(2), "{:?}", dialled.elapsed());
}

#[test]
fn the_classic_profile_is_todays_behaviour() {
    let sim = sim(Profile::Classic.config());
    let (mut field, greeting) = Field::connect(&sim);
    assert_eq!(greeting, "DGPhone Remote Control/1.0\r\n");
    assert_eq!(field.exchange("Login", &[("User", "201"), ("RemoteMode", "1")]), ["Success"]);
    assert_eq!(field.exchange("Dial", &[("Number", "100")]), ["Dialing:1", "Answer:1"], "answered at once");
    assert_eq!(field.exchange("Hangup", &[]), ["Hangup:1", "Ready:1"]);
    assert_eq!(field.exchange("Hangup", &[]), ["Error:1"]);
    field.send("DGTimeStamp", &[]);
    let stamp = packets(&field.read_until_silence());
    assert!(value(&stamp[0], "Time").is_some() && value(&stamp[0], "Timestamp").is_none(), "{stamp:?}");
}
