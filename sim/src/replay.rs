//! Replays a wire recording as a server: the n-th client to connect is
//! sent what DGPhone sent on the recording's n-th connection, with the
//! recorded timing, so a problem captured in the field happens again on a
//! developer's desk. Optionally each reply waits for the client to have
//! sent as many packets as the recorded client had by then, so a client
//! slower or faster than the recorded one still sees the same exchange.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::server::{accept_next, lock, reachable, wait_timeout_while};
use super::{Observer, Traffic};
use crate::wire::record::{RecordedConnection, Recording, Side};
use crate::wire::{Decoder, Frame};

/// How a recording is replayed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// Before each recorded reply, wait until the client has sent as many
    /// packets as the recorded client had; the reply then keeps its
    /// recorded distance from that packet. Off: the replies keep their
    /// recorded times from the connection's start, whatever the client
    /// does.
    pub wait_for_client: bool,
}

/// A recorded reply, and when to send it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Planned {
    bytes: Vec<u8>,
    /// Since the connection opened.
    at: Duration,
    /// Client packets the recorded client had sent by then.
    after_packets: usize,
    /// When the recorded client completed the last of those packets, since
    /// the connection opened.
    after_packet_at: Duration,
}

/// The replies of one recorded connection, with what each one follows.
fn plan(connection: &RecordedConnection) -> Vec<Planned> {
    let since_open = |at: Duration| at.saturating_sub(connection.opened);
    let mut decoder = Decoder::default();
    let mut packets = 0;
    let mut last_packet_at = Duration::ZERO;
    let mut plan = Vec::new();
    for chunk in &connection.chunks {
        match chunk.from {
            Side::Client => {
                decoder.push(&chunk.bytes);
                while let Some(frame) = decoder.next_frame() {
                    if let Ok(Frame::Packet(_)) = frame {
                        packets += 1;
                        last_packet_at = since_open(chunk.at);
                    }
                }
            }
            Side::Server => plan.push(Planned {
                bytes: chunk.bytes.clone(),
                at: since_open(chunk.at),
                after_packets: packets,
                after_packet_at: last_packet_at,
            }),
        }
    }
    plan
}

/// What the replay's threads share.
struct Shared {
    recording: Recording,
    options: ReplayOptions,
    observer: Option<Observer>,
    stopping: AtomicBool,
    next_client: AtomicU64,
    /// Live connections (for `stop` to close) and their threads.
    sockets: Mutex<Vec<(u64, TcpStream)>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Connections whose recorded part has been played in full.
    played: Mutex<usize>,
    played_changed: Condvar,
}

impl Shared {
    fn observe(&self, traffic: &Traffic<'_>) {
        if let Some(observer) = &self.observer {
            observer(traffic);
        }
    }
}

/// A running replay server. Stopping it (with [`Replay::stop`] or by
/// dropping it) closes every connection and joins every thread.
pub struct Replay {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
}

impl Replay {
    /// Listens on `addr` (`"127.0.0.1:0"` picks a free port) and replays
    /// `recording` to whoever connects.
    pub fn start(addr: impl ToSocketAddrs, recording: Recording, options: ReplayOptions) -> io::Result<Replay> {
        Replay::start_inner(addr, recording, options, None)
    }

    /// Like [`Replay::start`], telling `observer` of connections and bytes
    /// (`Connected`, `BytesReceived`, `BytesSent`, `Closed`).
    pub fn start_with_observer(
        addr: impl ToSocketAddrs,
        recording: Recording,
        options: ReplayOptions,
        observer: impl Fn(&Traffic<'_>) + Send + Sync + 'static,
    ) -> io::Result<Replay> {
        Replay::start_inner(addr, recording, options, Some(Arc::new(observer)))
    }

    fn start_inner(
        addr: impl ToSocketAddrs,
        recording: Recording,
        options: ReplayOptions,
        observer: Option<Observer>,
    ) -> io::Result<Replay> {
        let listener = TcpListener::bind(addr)?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            recording,
            options,
            observer,
            stopping: AtomicBool::new(false),
            next_client: AtomicU64::new(1),
            sockets: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            played: Mutex::new(0),
            played_changed: Condvar::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("dgphone-replay-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Replay { shared, local_addr, accept_thread: Some(accept_thread) })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Waits until `n` connections have been sent everything their
    /// recorded connection holds; false if not within `timeout`.
    pub fn wait_until_played(&self, n: usize, timeout: Duration) -> bool {
        let played = lock(&self.shared.played);
        let played = wait_timeout_while(&self.shared.played_changed, played, timeout, |played| *played < n);
        *played >= n
    }

    /// Stops: closes the listener and every connection, joins every thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let accept_thread = match self.accept_thread.take() {
            Some(thread) => thread,
            None => return,
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        if TcpStream::connect_timeout(&reachable(self.local_addr), Duration::from_secs(2)).is_ok() {
            let _ = accept_thread.join();
        }
        for (_, socket) in lock(&self.shared.sockets).iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay").field("local_addr", &self.local_addr).finish()
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    loop {
        let stream = accept_next(listener);
        // Under the threads lock, so stop either joins this thread or
        // this loop sees stop.
        let mut threads = lock(&shared.threads);
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let id = shared.next_client.fetch_add(1, Ordering::SeqCst);
        let control = match stream.try_clone() {
            Ok(control) => control,
            Err(_) => continue,
        };
        lock(&shared.sockets).push((id, control));
        threads.retain(|thread| !thread.is_finished());
        let session_shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name(format!("dgphone-replay-{id}"))
            .spawn(move || serve(id, stream, &session_shared));
        if let Ok(thread) = spawned {
            threads.push(thread);
        }
    }
}

/// One connection: plays its recorded connection, then waits for the
/// client to leave (or closes first, if DGPhone did in the recording).
fn serve(id: u64, mut stream: TcpStream, shared: &Shared) {
    if let Ok(peer) = stream.peer_addr() {
        shared.observe(&Traffic::Connected { client: id, peer });
    }
    let recorded = usize::try_from(id - 1).ok().and_then(|i| shared.recording.connections.get(i));
    let (reason, by_client) = match recorded {
        Some(recorded) => play(id, &mut stream, recorded, shared),
        None => ("the recording has no connection left to replay".to_string(), false),
    };
    let _ = stream.shutdown(Shutdown::Both);
    lock(&shared.sockets).retain(|(socket_id, _)| *socket_id != id);
    shared.observe(&Traffic::Closed { client: id, reason: &reason, by_client });
}

/// Plays one connection; returns why it ended and whether the client
/// ended it.
fn play(id: u64, stream: &mut TcpStream, recorded: &RecordedConnection, shared: &Shared) -> (String, bool) {
    let opened = Instant::now();
    let mut client = ClientSide { decoder: Decoder::default(), packet_times: Vec::new(), closed: false };
    for reply in plan(recorded) {
        loop {
            let due = if shared.options.wait_for_client && reply.after_packets > 0 {
                let gap = reply.at.saturating_sub(reply.after_packet_at);
                client.packet_times.get(reply.after_packets - 1).map(|&t| t + gap)
            } else {
                Some(opened + reply.at)
            };
            let now = Instant::now();
            if due.map_or(false, |due| now >= due) {
                break;
            }
            let wait = due.map(|due| (due - now).max(Duration::from_millis(1)));
            if let Err(error) = client.read(id, stream, wait, shared) {
                return error;
            }
        }
        shared.observe(&Traffic::BytesSent { client: id, bytes: &reply.bytes });
        if let Err(error) = stream.write_all(&reply.bytes) {
            return (format!("write error: {error}"), false);
        }
    }
    *lock(&shared.played) += 1;
    shared.played_changed.notify_all();
    if let Some((_, Some(Side::Server))) = recorded.closed {
        return ("closed as in the recording".to_string(), false);
    }
    // As in the recording, the client is the one to close.
    loop {
        if let Err(error) = client.read(id, stream, None, shared) {
            return error;
        }
    }
}

/// What the client has sent so far.
struct ClientSide {
    decoder: Decoder,
    /// When each complete packet arrived.
    packet_times: Vec<Instant>,
    closed: bool,
}

impl ClientSide {
    /// Reads once (waiting up to `wait`, or for ever) and counts packets.
    /// Err: the connection ended, why, and whether the client ended it.
    fn read(
        &mut self,
        id: u64,
        stream: &mut TcpStream,
        wait: Option<Duration>,
        shared: &Shared,
    ) -> Result<(), (String, bool)> {
        if self.closed {
            return Err(("closed by the client".into(), true));
        }
        stream.set_read_timeout(wait).map_err(|e| (format!("socket error: {e}"), false))?;
        let mut buf = [0u8; 4096];
        match stream.read(&mut buf) {
            Ok(0) if shared.stopping.load(Ordering::SeqCst) => Err(("stopped".into(), false)),
            Ok(0) => {
                self.closed = true;
                Err(("closed by the client".into(), true))
            }
            Ok(n) => {
                shared.observe(&Traffic::BytesReceived { client: id, bytes: &buf[..n] });
                self.decoder.push(&buf[..n]);
                while let Some(frame) = self.decoder.next_frame() {
                    if let Ok(Frame::Packet(_)) = frame {
                        self.packet_times.push(Instant::now());
                    }
                }
                Ok(())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(())
            }
            Err(e) if shared.stopping.load(Ordering::SeqCst) => Err((format!("stopped ({e})"), false)),
            Err(e) => Err((format!("read error: {e}"), false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::record::Chunk;

    fn chunk(ms: u64, from: Side, bytes: &[u8]) -> Chunk {
        Chunk { at: Duration::from_millis(ms), from, bytes: bytes.to_vec() }
    }

    #[test]
    fn replies_know_which_client_packet_they_follow() {
        let recorded = RecordedConnection {
            number: 1,
            opened: Duration::from_millis(1000),
            chunks: vec![
                chunk(1001, Side::Server, b"greeting\r\n"),
                chunk(1010, Side::Client, b"Action: DGPhoneCommand\r\nCommand: Lo"),
                chunk(1012, Side::Client, b"gin\r\n\r\n"),
                chunk(1015, Side::Server, b"Event: DGPhoneResponse\r\n\r\n"),
                chunk(1500, Side::Server, b"Event: DGPhoneEvent\r\n\r\n"),
            ],
            closed: None,
        };
        let ms = Duration::from_millis;
        let summary: Vec<_> = plan(&recorded).iter().map(|p| (p.at, p.after_packets, p.after_packet_at)).collect();
        assert_eq!(summary, [(ms(1), 0, ms(0)), (ms(15), 1, ms(12)), (ms(500), 1, ms(12))]);
    }
}
