//! The thread that serves one connection: reads its commands, has them
//! answered, and sends its timestamps.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::clock;
use super::connection::Connection;
use super::server::Shared;
use super::Traffic;
use crate::wire::{Decoder, Frame, Packet};

/// The session thread's body: serves the client until it leaves, breaks
/// the protocol or is shut down, then forgets it.
pub(crate) fn run(client: Arc<Connection>, mut reader: TcpStream, shared: Arc<Shared>) {
    shared.observe(&Traffic::Connected { client: client.id, peer: client.peer });
    let reason = serve(&client, &mut reader, &shared);
    client.shutdown();
    shared.forget(&client);
    shared.observe(&Traffic::Closed { client: client.id, reason: &reason });
}

/// When the next DGTimeStamp is due: one interval after login, then every
/// interval, for as long as the client stays logged in.
struct Timestamps {
    interval: Option<Duration>,
    next: Option<Instant>,
}

impl Timestamps {
    fn new(interval: Option<Duration>) -> Timestamps {
        // A zero interval would mean a timestamp storm; treat it as none.
        Timestamps { interval: interval.filter(|i| !i.is_zero()), next: None }
    }

    /// Sends a timestamp if one is due; returns how long the next read may
    /// wait (`None`: as long as it takes).
    fn tick(&mut self, client: &Connection, shared: &Shared) -> Option<Duration> {
        let interval = match self.interval {
            Some(interval) if client.is_logged_in() => interval,
            _ => {
                self.next = None;
                return None;
            }
        };
        let now = Instant::now();
        let mut due = *self.next.get_or_insert(now + interval);
        if now >= due {
            let stamp = Packet::new().with("Event", "DGTimeStamp").with("Time", &clock::now_utc());
            client.send(shared, &[stamp]);
            due = now + interval;
            self.next = Some(due);
        }
        // A zero read timeout is an error, hence the floor of 1 ms.
        Some(due.saturating_duration_since(now).max(Duration::from_millis(1)))
    }
}

/// Reads and answers commands; returns why the session ended.
fn serve(client: &Connection, reader: &mut TcpStream, shared: &Shared) -> String {
    if let Some(greeting) = &shared.config.greeting {
        client.send_raw(shared, &shared.encoding.line(greeting));
    }
    let mut timestamps = Timestamps::new(shared.config.timestamp_interval);
    let mut decoder = Decoder::default();
    // The configured one-shot faults, played once after the login.
    let mut login_faults: Vec<_> = shared.config.faults.iter().filter(|f| !f.is_lasting()).collect();
    loop {
        while let Some(frame) = decoder.next_frame() {
            match frame {
                Ok(Frame::Packet(packet)) => {
                    shared.observe(&Traffic::Received { client: client.id, packet: &packet });
                    let entry = shared.record(&packet);
                    let close = client.handle(shared, &packet);
                    shared.answered(entry);
                    if close {
                        return "logged off".to_string();
                    }
                    if client.is_logged_in() {
                        for fault in login_faults.drain(..) {
                            client.fire(shared, fault);
                        }
                    }
                }
                // A stray colon-less line from a client is harmless.
                Ok(Frame::Greeting(_)) => {}
                Err(error) => return error.to_string(),
            }
        }
        // No polling: the read blocks until bytes come or a timestamp is due.
        if let Err(error) = reader.set_read_timeout(timestamps.tick(client, shared)) {
            return format!("socket error: {error}");
        }
        match decoder.read_from(reader) {
            Ok(0) if client.closed_here() => return "closed by the simulator".to_string(),
            Ok(0) => {
                return match decoder.finish() {
                    Some(error) => error.to_string(),
                    None => "closed by the client".to_string(),
                }
            }
            Ok(_) => {}
            // A timeout (WouldBlock on Unix, TimedOut on Windows): a
            // timestamp is due, which the next tick sends.
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) if client.closed_here() => return "closed by the simulator".to_string(),
            Err(error) => return format!("read error: {error}"),
        }
    }
}
