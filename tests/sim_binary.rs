//! The `dgphone-sim` binary as a script would use it: read the port from
//! its first stdout line, talk to it, kill it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use dgphone::wire::{Decoder, Frame, Packet};

const BINARY: &str = env!("CARGO_BIN_EXE_dgphone-sim");

/// Kills the simulator even when the test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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
    let child = Command::new(BINARY)
        .args(["--port", "0", "--reject", "Invalid user", "--timestamp-secs", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut sim = Running(child);
    let mut first_line = String::new();
    BufReader::new(sim.0.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let addr = first_line
        .trim_end()
        .strip_prefix("dgphone-sim listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"));
    let port: u16 = addr.parse().unwrap();

    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
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

    // The log is written as things happen; read it on a thread so a
    // missing line fails after a timeout instead of hanging.
    let stderr = BufReader::new(sim.0.stderr.take().unwrap());
    let (lines, log) = mpsc::channel();
    std::thread::spawn(move || stderr.lines().map_while(Result::ok).try_for_each(|line| lines.send(line)));
    let mut wanted = vec!["[1] <- Login User=201", "[1] -> DGPhoneResponse Response=Error"];
    while !wanted.is_empty() {
        let line = log.recv_timeout(Duration::from_secs(10)).expect("a log line within 10 s");
        wanted.retain(|w| !line.starts_with(w));
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--timestamp-secs"));

    let bad = Command::new(BINARY).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
}
