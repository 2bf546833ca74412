//! Records the simulator's raw traffic, both directions, timestamped, in
//! the wire recording format ([`crate::wire::record`]), by observing it.
//! DTMF digits the clients send are redacted as the client's own wire log
//! redacts them ([`crate::wire::redact`]): recordings get attached to
//! support tickets, and an agent's password travels as DTMF.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Mutex;

use super::server::lock;
use super::Traffic;
use crate::wire::record::{Side, WireLog};
use crate::wire::redact::DtmfRedactor;

/// An observer that writes every connection's bytes to a recording, with
/// the `Digits` of the clients' commands shown as `<redacted>`.
/// Combine it with another observer by calling [`Recorder::observe`] from
/// yours.
///
/// ```no_run
/// use dgphone_sim::{Recorder, SimConfig, Simulator};
/// let recorder = Recorder::create("session.dgrec")?;
/// let sim = Simulator::start_with_observer("127.0.0.1:0", SimConfig::default(), move |t| recorder.observe(t))?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Recorder {
    log: WireLog,
    /// The simulator's client numbers → the recording's connection numbers
    /// and the redaction of what that client sends.
    connections: Mutex<HashMap<u64, Recorded>>,
}

#[derive(Debug)]
struct Recorded {
    number: u64,
    client_side: DtmfRedactor,
}

impl Recorder {
    /// Records to a new file at `path` (replacing any).
    pub fn create(path: impl AsRef<Path>) -> io::Result<Recorder> {
        Ok(Recorder::new(WireLog::create(path)?))
    }

    /// Records to `log`.
    pub fn new(log: WireLog) -> Recorder {
        Recorder { log, connections: Mutex::new(HashMap::new()) }
    }

    /// The recording's number for a client, opening it on first sight (an
    /// injection may write to a client before its session says hello).
    fn connection(&self, client: u64) -> u64 {
        self.with_connection(client, |recorded| recorded.number)
    }

    fn with_connection<T>(&self, client: u64, f: impl FnOnce(&mut Recorded) -> T) -> T {
        let mut connections = lock(&self.connections);
        let recorded = connections
            .entry(client)
            .or_insert_with(|| Recorded { number: self.log.open(), client_side: DtmfRedactor::default() });
        f(recorded)
    }

    /// Writes down one piece of traffic; ignores what carries no bytes.
    pub fn observe(&self, traffic: &Traffic<'_>) {
        match traffic {
            Traffic::Connected { client, .. } => {
                self.connection(*client);
            }
            Traffic::BytesReceived { client, bytes } => {
                let (number, redacted) = self.with_connection(*client, |r| (r.number, r.client_side.redact(bytes)));
                // A piece that is only the start of a possible Digits line
                // is written with what completes it.
                if !redacted.is_empty() {
                    self.log.data(number, Side::Client, &redacted);
                }
            }
            Traffic::BytesSent { client, bytes } => self.log.data(self.connection(*client), Side::Server, bytes),
            Traffic::Closed { client, by_client, .. } => {
                let by = if *by_client { Side::Client } else { Side::Server };
                let (number, held) = self.with_connection(*client, |r| (r.number, r.client_side.finish()));
                if !held.is_empty() {
                    self.log.data(number, Side::Client, &held);
                }
                self.log.close(number, Some(by));
                lock(&self.connections).remove(client);
                self.log.flush();
            }
            _ => {}
        }
    }
}
