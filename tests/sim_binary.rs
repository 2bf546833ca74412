//! The `dgphone-sim` binary as a script or a person would use it: read the
//! port from its first stdout line, point a client at it, read its log,
//! type actions on its stdin, kill it (or let `--once` end it).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::*;
use dgphone::wire::{Decoder, Frame, Packet};
use dgphone::{Client, EventKind, Options};

#[path = "common/child_sim.rs"]
mod child_sim;

/// A running simulator process, killed even when the test fails half-way.
struct Running {
    child: Child,
    port: u16,
    /// Its stderr, line by line, read on a thread so a missing line fails
    /// after a timeout instead of hanging.
    log: Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(child_sim::binary())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
        let port = first_line
            .trim_end()
            .strip_prefix("dgphone-sim listening on 127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .parse()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (lines, log) = mpsc::channel();
        std::thread::spawn(move || stderr.lines().map_while(Result::ok).try_for_each(|line| lines.send(line)));
        Running { child, port, log }
    }

    /// Waits for a log line that starts with each of `wanted`, in any order.
    fn expect_log(&self, wanted: &[&str]) {
        let mut wanted = wanted.to_vec();
        let mut seen = Vec::new();
        while !wanted.is_empty() {
            match self.log.recv_timeout(WAIT) {
                Ok(line) => {
                    wanted.retain(|w| !line.starts_with(w));
                    seen.push(line);
                }
                Err(_) => panic!("no log line starting with {wanted:?} within {WAIT:?}; saw {seen:#?}"),
            }
        }
    }

    fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().unwrap()
    }

    /// Waits (up to the patience) for the process to exit by itself.
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the simulator did not exit within {WAIT:?}");
            // Only the pace of the check: the outcome does not depend on it.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_packet(stream: &mut TcpStream, decoder: &mut Decoder) -> Packet {
    loop {
        match decoder.next_frame() {
            Some(Ok(Frame::Packet(packet))) => return packet,
            Some(other) => panic!("unexpected {other:?}"),
            None => assert!(decoder.read_from(stream).expect("an answer within 10 s") > 0, "closed"),
        }
    }
}

#[test]
fn prints_its_port_then_serves_and_logs() {
    let sim = Running::start(&["--port", "0", "--reject", "Invalid user", "--timestamp-secs", "0"]);
    let mut stream = TcpStream::connect(("127.0.0.1", sim.port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut decoder = Decoder::default();
    stream.write_all(b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\n\r\n").unwrap();
    let greeting = loop {
        match decoder.next_frame() {
            Some(Ok(Frame::Greeting(text))) => break text,
            Some(other) => panic!("expected the greeting first, got {other:?}"),
            None => assert!(decoder.read_from(&mut stream).unwrap() > 0),
        }
    };
    assert_eq!(greeting, "DGPhone Remote Control/1.0");
    let response = read_packet(&mut stream, &mut decoder);
    assert_eq!((response.get("Response"), response.get("Message")), (Some("Error"), Some("Invalid user")));
    sim.expect_log(&["[1] <- Login User=201", "[1] -> DGPhoneResponse Response=Error"]);
}

#[test]
fn a_shipped_scenario_with_once_exits_with_its_outcome() {
    let mut sim = Running::start(&["--port", "0", "--scenario", "incoming-call", "--once", "--timestamp-secs", "0"]);
    let client = Client::connect("127.0.0.1", sim.port, Options::default()).unwrap();
    client.login("201").unwrap();
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    client.answer(ringing.line()).unwrap();
    wait_phone(&client, EventKind::Ready, Some(1));
    sim.expect_log(&["[1] scenario line 13: ring 1 5511999990000", "[1] scenario incoming-call passed"]);
    assert!(sim.wait().success());
}

#[test]
fn a_failed_run_exits_non_zero() {
    let file = std::env::temp_dir().join(format!("dgphone-bin-{}-quick.scn", std::process::id()));
    std::fs::write(&file, "expect Dial within 50ms\n").unwrap();
    let mut sim = Running::start(&["--port", "0", "--scenario", file.to_str().unwrap(), "--once"]);
    let _client = Client::connect("127.0.0.1", sim.port, Options::default()).unwrap();
    sim.expect_log(&["[1] scenario FAILED: "]);
    assert_eq!(sim.wait().code(), Some(1));
    let _ = std::fs::remove_file(&file);
}

#[test]
fn actions_typed_on_stdin_reach_every_client() {
    let mut sim = Running::start(&["--port", "0", "--timestamp-secs", "0"]);
    let client = Client::connect("127.0.0.1", sim.port, Options::default()).unwrap();
    client.login("201").unwrap();
    writeln!(sim.stdin(), "ring 3 5511777").unwrap();
    assert_eq!(wait_phone(&client, EventKind::ReceivingCall, Some(3)).number(), Some("5511777"));
    writeln!(sim.stdin(), "ring 9 1\nring 3 1\nfault garbage").unwrap();
    sim.expect_log(&[
        "[*] \"ring 9 1\": expected a line number 1 to 6, found 9",
        "[1] \"ring 3 1\": line 3 is busy",
        "[1] fault: garbage",
    ]);
}

#[test]
fn replays_a_recording() {
    let file = std::env::temp_dir().join(format!("dgphone-bin-{}.dgrec", std::process::id()));
    let recording = "# dgphone wire recording v1\n0 1 open\n\
                     1 1 S \"Event: DGPhoneEvent\\r\\nStatus: ReceivingCall\\r\\nLine: 2\\r\\nNumber: 9\\r\\n\\r\\n\"\n";
    std::fs::write(&file, recording).unwrap();
    let mut sim = Running::start(&["--port", "0", "--replay", file.to_str().unwrap(), "--once"]);
    let client = Client::connect("127.0.0.1", sim.port, Options::default()).unwrap();
    assert_eq!(wait_phone(&client, EventKind::ReceivingCall, Some(2)).number(), Some("9"));
    assert!(sim.wait().success());
    let _ = std::fs::remove_file(&file);
}

#[test]
fn help_lists_and_mistakes() {
    let help = Command::new(child_sim::binary()).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--timestamp-secs") && text.contains("--scenario") && text.contains("--fault"));

    let list = Command::new(child_sim::binary()).arg("--list-scenarios").output().unwrap();
    let names = String::from_utf8_lossy(&list.stdout);
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        ["outgoing-call", "incoming-call", "agent-login", "queue-call", "user-logoff"]
    );

    let bad = Command::new(child_sim::binary()).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unexpected argument '--bogus'"));

    let file = std::env::temp_dir().join(format!("dgphone-bin-{}-bad.scn", std::process::id()));
    std::fs::write(&file, "expect Login\nring 9 100\n").unwrap();
    let broken = Command::new(child_sim::binary()).args(["--scenario", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let message = String::from_utf8_lossy(&broken.stderr);
    assert!(message.contains("-bad.scn:2: expected a line number 1 to 6, found 9"), "{message}");
    let _ = std::fs::remove_file(&file);
}
