//! Records the simulator's raw traffic, both directions, timestamped, in
//! the wire recording format ([`crate::wire::record`]), by observing it.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Mutex;

use super::server::lock;
use super::Traffic;
use crate::wire::record::{Side, WireLog};

/// An observer that writes every connection's bytes to a recording.
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
    /// The simulator's client numbers → the recording's connection numbers.
    connections: Mutex<HashMap<u64, u64>>,
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
        *lock(&self.connections).entry(client).or_insert_with(|| self.log.open())
    }

    /// Writes down one piece of traffic; ignores what carries no bytes.
    pub fn observe(&self, traffic: &Traffic<'_>) {
        match traffic {
            Traffic::Connected { client, .. } => {
                self.connection(*client);
            }
            Traffic::BytesReceived { client, bytes } => self.log.data(self.connection(*client), Side::Client, bytes),
            Traffic::BytesSent { client, bytes } => self.log.data(self.connection(*client), Side::Server, bytes),
            Traffic::Closed { client, by_client, .. } => {
                let by = if *by_client { Side::Client } else { Side::Server };
                self.log.close(self.connection(*client), Some(by));
                lock(&self.connections).remove(client);
                self.log.flush();
            }
            _ => {}
        }
    }
}
