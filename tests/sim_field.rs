//! The simulator driven the way 2013-era field code drives a DGPhone: a raw
//! socket, bare-LF commands, the greeting read before anything is sent, and
//! each answer read until the line falls silent.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common;

use common::sim;
use dgphone_sim::{SimConfig, Simulator};

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
