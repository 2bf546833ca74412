//! Running the built `dgphone` binary against an in-process simulator on
//! an ephemeral loopback port. Every wait has a generous deadline and ends
//! as soon as what it waits for happens: no sleeps.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dgphone::wire::Packet;
use dgphone::Line;
use dgphone_sim::{SimConfig, Simulator};

pub const BIN: &str = env!("CARGO_BIN_EXE_dgphone");

/// Generous: waits only take this long when something is broken.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn sim(config: SimConfig) -> Simulator {
    Simulator::start("127.0.0.1:0", config).expect("simulator starts on an ephemeral port")
}

pub fn line(n: u32) -> Line {
    Line::new(n).unwrap()
}

/// The binary with a clean environment: the developer's DGPHONE_* and
/// history must not change what a test sees.
pub fn dgphone(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    for var in ["DGPHONE_HOST", "DGPHONE_PORT", "DGPHONE_USER", "DGPHONE_TIMEOUT_MS"] {
        command.env_remove(var);
    }
    command.env("XDG_STATE_HOME", std::env::temp_dir().join("dgphone-cli-tests"));
    command
}

/// `args` then the connection options for `sim`, logging in as 201.
pub fn against(sim: &Simulator, args: &[&str]) -> Command {
    let mut command = dgphone(args);
    command.args(["--port", &sim.port().to_string(), "--user", "201"]);
    command
}

/// A port nothing listens on: bound, then closed.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit code, showing both outputs when it differs.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// The simulator's next `name` command (waiting for it), with `key`'s
/// value.
pub fn received(sim: &Simulator, name: &str, key: &str) -> Option<String> {
    let packet: Packet = sim.wait_for_command(name, WAIT).unwrap_or_else(|| panic!("no {name} within {WAIT:?}"));
    packet.get(key).map(str::to_string)
}

/// A running `dgphone` whose standard output is read line by line. Killed
/// when dropped, so a failing test leaves no process behind.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Each stdout line; `None` once stdout closed (the process ended).
    lines: Receiver<Option<String>>,
    seen: Vec<String>,
    /// Standard error, read as it comes so the process never blocks on a
    /// full pipe.
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Running {
    pub fn spawn(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dgphone starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut errors = child.stderr.take().unwrap();
        let sink = stderr.clone();
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match errors.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n])),
                }
            }
        });
        let stdin = child.stdin.take();
        Running { child, stdin, lines, seen: Vec::new(), stderr, stderr_reader: Some(stderr_reader) }
    }

    /// Reads stdout until a line contains `wanted`; returns that line.
    pub fn until(&mut self, wanted: &str) -> String {
        self.until_line(wanted, |line| line.contains(wanted))
    }

    /// Reads stdout until `matches` accepts a line; returns that line.
    pub fn until_line(&mut self, what: &str, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if matches(&line) {
                        return line;
                    }
                }
                Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("stdout closed before {what:?}; saw:\n{}\nstderr:\n{}", self.seen.join("\n"), self.stderr())
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what:?} within {WAIT:?}; saw:\n{}", self.seen.join("\n"))
                }
            }
        }
    }

    /// Types a line on its standard input.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("dgphone reads its stdin");
        stdin.flush().unwrap();
    }

    /// Closes its standard input (end of file).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the process to end (its stdout closes first) and returns
    /// its exit code and standard error.
    pub fn exit(mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Some(line)) => self.seen.push(line),
                Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("still running after {WAIT:?}; saw:\n{}", self.seen.join("\n"))
                }
            }
        }
        let status = self.child.wait().expect("dgphone exits");
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        (status.code(), self.stderr())
    }

    /// Everything it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Everything read from stdout so far.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
