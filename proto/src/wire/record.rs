//! Wire recordings: the raw bytes of DGPhone connections, both directions,
//! timestamped, in a line format a person can read and edit. The simulator
//! records to it and replays from it; the client library can log its own
//! connections to it (`Options::wire_log`), so a problem met in the field
//! can be captured by a user and reproduced by a developer.
//!
//! # Format (version 1)
//! ```text
//! # dgphone wire recording v1
//! 0 1 open
//! 2 1 S "DGPhone Remote Control/1.0\r\n"
//! 5 1 C "Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\nRemoteMode: 1\r\n\r\n"
//! 6 1 S "Event: DGPhoneResponse\r\nResponse: Success\r\n..."
//! 9120 1 close S
//! ```
//! One event per line: milliseconds since the recording began, the
//! connection's number (from 1, in the order they opened), then
//! - `open`: the connection opened;
//! - `C "bytes"`: bytes the client (the application) sent to DGPhone;
//! - `S "bytes"`: bytes DGPhone (the server) sent to the client;
//! - `close C`, `close S` or `close -`: the connection ended, closed by the
//!   client, by DGPhone, or nobody knows (a network error).
//!
//! Bytes are one write or one read as it happened, escaped as in
//! [`escape`](super::escape) (`\r`, `\n`, `\xNN`...), so the file is
//! ASCII and exact. Lines starting with `#` and blank lines are comments.
//! A client's log hides DTMF digits (`Digits: <redacted>`) unless told not
//! to, since an agent's password travels as DTMF; the simulator's
//! recordings always hide them, the same way ([`super::redact`]).

use std::fmt;
use std::fs::File;
use std::io::{self, LineWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::escape::{escape, unescape};
use crate::sync::lock;

/// The first line of every recording.
pub const HEADER: &str = "# dgphone wire recording v1";

/// Which end sent some bytes, or closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The application (`C`).
    Client,
    /// DGPhone (`S`).
    Server,
}

impl Side {
    fn letter(self) -> char {
        match self {
            Side::Client => 'C',
            Side::Server => 'S',
        }
    }
}

/// Writes a recording as things happen. Cheap to clone (clones share the
/// file and the clock); usable from any thread. Each line is written out
/// as soon as it is complete, so a recording survives a crash or a kill.
/// Write errors are ignored: a log must never break a connection.
#[derive(Clone)]
pub struct WireLog {
    inner: Arc<LogInner>,
}

struct LogInner {
    start: Instant,
    out: Mutex<Box<dyn Write + Send>>,
    next_connection: AtomicU64,
}

impl WireLog {
    /// A recording written to `out`, starting with the header line.
    pub fn new(out: impl Write + Send + 'static) -> WireLog {
        let log = WireLog {
            inner: Arc::new(LogInner {
                start: Instant::now(),
                out: Mutex::new(Box::new(out)),
                next_connection: AtomicU64::new(1),
            }),
        };
        log.write_line(HEADER);
        log
    }

    /// A recording written to a new file at `path` (replacing any).
    pub fn create(path: impl AsRef<Path>) -> io::Result<WireLog> {
        Ok(WireLog::new(LineWriter::new(File::create(path)?)))
    }

    fn write_line(&self, line: &str) {
        let mut out = lock(&self.inner.out);
        let _ = writeln!(out, "{line}");
    }

    fn event(&self, connection: u64, what: &str) {
        let mut out = lock(&self.inner.out);
        // Read the clock under the lock, so times never go back down the file.
        let ms = self.inner.start.elapsed().as_millis();
        let _ = writeln!(out, "{ms} {connection} {what}");
    }

    /// Records a new connection; returns its number for the other calls.
    pub fn open(&self) -> u64 {
        let connection = self.inner.next_connection.fetch_add(1, Ordering::SeqCst);
        self.event(connection, "open");
        connection
    }

    /// Records bytes sent by `from` on `connection`.
    pub fn data(&self, connection: u64, from: Side, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.event(connection, &format!("{} \"{}\"", from.letter(), escape(bytes)));
        }
    }

    /// Records the end of `connection`, closed by `by` (`None`: unknown).
    pub fn close(&self, connection: u64, by: Option<Side>) {
        self.event(connection, &format!("close {}", by.map_or('-', Side::letter)));
    }

    /// Writes out anything buffered.
    pub fn flush(&self) {
        let _ = self.inner.out.lock().unwrap_or_else(|e| e.into_inner()).flush();
    }
}

impl fmt::Debug for WireLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireLog")
            .field("connections", &(self.inner.next_connection.load(Ordering::SeqCst) - 1))
            .finish()
    }
}

/// Bytes one side sent, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Since the recording began.
    pub at: Duration,
    pub from: Side,
    pub bytes: Vec<u8>,
}

/// One recorded connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedConnection {
    /// Its number in the recording.
    pub number: u64,
    /// When it opened, since the recording began (its first line, if the
    /// `open` line is missing).
    pub opened: Duration,
    /// Every write and read, in order.
    pub chunks: Vec<Chunk>,
    /// When it closed and who closed it (`None` inside: unknown); `None`
    /// when the recording ends first.
    pub closed: Option<(Duration, Option<Side>)>,
}

/// A whole recording, connections in the order they opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    pub connections: Vec<RecordedConnection>,
}

/// A recording that cannot be read: the text formats' one error.
pub type RecordError = crate::format::FormatError;

impl Recording {
    /// Reads a recording file.
    pub fn load(path: impl AsRef<Path>) -> Result<Recording, RecordError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RecordError {
            file: file.clone(),
            line: 0,
            expected: "a readable recording".into(),
            found: e.to_string(),
        })?;
        Recording::parse(&file, &text)
    }

    /// Reads a recording's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Recording, RecordError> {
        let mut recording = Recording::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |expected: &str, found: &str| RecordError {
                file: file.to_string(),
                line: index + 1,
                expected: expected.to_string(),
                found: found.to_string(),
            };
            let mut fields = line.splitn(3, ' ');
            let (ms, number, rest) = (fields.next().unwrap_or(""), fields.next(), fields.next());
            let at = ms.parse::<u64>().map(Duration::from_millis).map_err(|_| fail("milliseconds", ms))?;
            let number = number.unwrap_or("");
            let number = number.parse::<u64>().map_err(|_| fail("a connection number", number))?;
            let connection = recording.connection(number, at);
            match rest.unwrap_or("").split_once(' ').unwrap_or((rest.unwrap_or(""), "")) {
                ("open", "") => {}
                ("close", who) => {
                    let by = match who {
                        "C" => Some(Side::Client),
                        "S" => Some(Side::Server),
                        "-" => None,
                        other => return Err(fail("C, S or -", other)),
                    };
                    connection.closed = Some((at, by));
                }
                (side @ ("C" | "S"), quoted) => {
                    let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
                    let inner = inner.ok_or_else(|| fail("quoted bytes", quoted))?;
                    let bytes = unescape(inner).map_err(|expected| fail(&expected, quoted))?;
                    let from = if side == "C" { Side::Client } else { Side::Server };
                    connection.chunks.push(Chunk { at, from, bytes });
                }
                (other, _) => return Err(fail("open, C, S or close", other)),
            }
        }
        Ok(recording)
    }

    /// The connection numbered `number`, added (opened at `at`) when new.
    fn connection(&mut self, number: u64, at: Duration) -> &mut RecordedConnection {
        let index = match self.connections.iter().position(|c| c.number == number) {
            Some(index) => index,
            None => {
                self.connections.push(RecordedConnection { number, opened: at, chunks: Vec::new(), closed: None });
                self.connections.len() - 1
            }
        };
        &mut self.connections[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn written_then_read_back() {
        let out = Shared::default();
        let log = WireLog::new(out.clone());
        let first = log.open();
        log.data(first, Side::Server, b"DGPhone\r\n");
        log.data(first, Side::Client, b"Action: X\r\n\r\n");
        log.data(first, Side::Client, b"");
        let second = log.open();
        log.data(second, Side::Server, b"N\xe3o \"q\"\0");
        log.close(first, Some(Side::Server));
        log.close(second, None);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        assert_eq!(lines[0], HEADER);
        assert!(lines[2].ends_with(" 1 S \"DGPhone\\r\\n\""), "{}", lines[2]);
        assert!(lines[5].ends_with(" 2 S \"N\\xe3o \\\"q\\\"\\0\""), "{}", lines[5]);

        let recording = Recording::parse("t", &text).unwrap();
        assert_eq!(recording.connections.len(), 2);
        let one = &recording.connections[0];
        let chunks: Vec<(Side, &[u8])> = one.chunks.iter().map(|c| (c.from, &c.bytes[..])).collect();
        assert_eq!(chunks, [(Side::Server, &b"DGPhone\r\n"[..]), (Side::Client, &b"Action: X\r\n\r\n"[..])]);
        assert_eq!(one.closed.map(|(_, by)| by), Some(Some(Side::Server)));
        assert_eq!(recording.connections[1].chunks[0].bytes, b"N\xe3o \"q\"\0");
        assert_eq!(recording.connections[1].closed.map(|(_, by)| by), Some(None));
    }

    #[test]
    fn hand_written_recordings_and_mistakes() {
        let text = "# comment\n\n100 3 S \"x\"\n250 3 C \"y\"\n";
        let recording = Recording::parse("hand", text).unwrap();
        let only = &recording.connections[0];
        assert_eq!((only.number, only.opened, only.closed), (3, Duration::from_millis(100), None));
        assert_eq!(only.chunks[1].at, Duration::from_millis(250));

        let error = |text: &str| Recording::parse("bad.rec", text).unwrap_err().to_string();
        assert_eq!(error("x 1 open"), "bad.rec:1: expected milliseconds, found x");
        assert_eq!(error("1 one open"), "bad.rec:1: expected a connection number, found one");
        assert_eq!(error("\n1 1 jump"), "bad.rec:2: expected open, C, S or close, found jump");
        assert_eq!(error("1 1 close X"), "bad.rec:1: expected C, S or -, found X");
        assert_eq!(error("1 1 C abc"), "bad.rec:1: expected quoted bytes, found abc");
        assert_eq!(
            error("1 1 S \"\\q\""),
            "bad.rec:1: expected one of \\\\ \\\" \\r \\n \\t \\0 \\xNN at column 1, found \"\\q\""
        );
        assert!(Recording::load("/nonexistent.rec")
            .unwrap_err()
            .to_string()
            .starts_with("/nonexistent.rec: expected a readable recording"));
    }
}
