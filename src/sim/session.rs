//! One client connection: its socket, its phone, and the thread that reads
//! its commands and sends its timestamps.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::clock;
use super::phone::Phone;
use super::server::{lock, Shared};
use super::Traffic;
use crate::wire::{Decoder, Frame, Packet};

/// How long a write may block on a client that does not read before that
/// client is dropped; keeps injection calls and `stop` bounded.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connected client, shared by its session thread and the threads that
/// inject events.
///
/// Lock order: `phone`, then `writer`. Holding the phone while writing
/// keeps the packets on the wire in the order the phone produced them.
pub(crate) struct Client {
    pub(crate) id: u64,
    pub(crate) peer: SocketAddr,
    /// Only for `shutdown`: never behind a lock, so it can always wake a
    /// session blocked in a read or a write.
    control: TcpStream,
    phone: Mutex<Phone>,
    writer: Mutex<TcpStream>,
    /// Mirrors `phone.is_logged_in()` for readers that must not wait on the
    /// phone's lock (counting logins, timestamps, `send_packet`).
    logged_in: AtomicBool,
}

impl Client {
    /// Wraps an accepted socket; returns the client and the stream its
    /// session thread reads from.
    pub(crate) fn new(id: u64, stream: TcpStream, phone: Phone) -> io::Result<(Client, TcpStream)> {
        let peer = stream.peer_addr()?;
        // Small packets, each written once: send them now, not after Nagle's delay.
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        let client = Client {
            id,
            peer,
            control: stream.try_clone()?,
            phone: Mutex::new(phone),
            writer: Mutex::new(stream.try_clone()?),
            logged_in: AtomicBool::new(false),
        };
        Ok((client, stream))
    }

    pub(crate) fn is_logged_in(&self) -> bool {
        self.logged_in.load(Ordering::SeqCst)
    }

    /// Closes the connection both ways; the session thread sees the end of
    /// its stream and exits.
    pub(crate) fn shutdown(&self) {
        self.logged_in.store(false, Ordering::SeqCst);
        let _ = self.control.shutdown(Shutdown::Both);
    }

    /// Sends packets, each in one write. A failed write closes the client.
    pub(crate) fn send(&self, shared: &Shared, packets: &[Packet]) {
        let mut writer = lock(&self.writer);
        for packet in packets {
            if shared.is_silent() {
                return;
            }
            if writer.write_all(&shared.encoding.packet(packet)).is_err() {
                self.shutdown();
                return;
            }
            shared.observe(&Traffic::Sent { client: self.id, packet });
        }
    }

    /// Sends bytes as they are, in one write.
    pub(crate) fn send_raw(&self, shared: &Shared, bytes: &[u8]) {
        let mut writer = lock(&self.writer);
        if shared.is_silent() {
            return;
        }
        if writer.write_all(bytes).is_err() {
            self.shutdown();
            return;
        }
        shared.observe(&Traffic::SentRaw { client: self.id, bytes });
    }

    /// Lets the phone handle a received packet and sends its reply. Returns
    /// true when the connection must close.
    fn handle(&self, shared: &Shared, packet: &Packet) -> bool {
        let mut phone = lock(&self.phone);
        let reply = phone.handle(packet);
        let was_logged_in = self.logged_in.swap(phone.is_logged_in(), Ordering::SeqCst);
        self.send(shared, &reply.packets);
        drop(phone);
        if was_logged_in != self.is_logged_in() {
            shared.clients_changed();
        }
        reply.close
    }

    /// Plays a far-end happening on this client's phone, if logged in.
    pub(crate) fn inject(&self, shared: &Shared, happening: &dyn Fn(&mut Phone) -> Vec<Packet>) {
        let mut phone = lock(&self.phone);
        let packets = happening(&mut phone);
        self.send(shared, &packets);
    }
}

/// The session thread's body: serves the client until it leaves, breaks
/// the protocol or is shut down, then forgets it.
pub(crate) fn run(client: Arc<Client>, mut reader: TcpStream, shared: Arc<Shared>) {
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
    fn tick(&mut self, client: &Client, shared: &Shared) -> Option<Duration> {
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
fn serve(client: &Client, reader: &mut TcpStream, shared: &Shared) -> String {
    if let Some(greeting) = &shared.config.greeting {
        client.send_raw(shared, &shared.encoding.line(greeting));
    }
    let mut timestamps = Timestamps::new(shared.config.timestamp_interval);
    let mut decoder = Decoder::default();
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
            Err(error) => return format!("read error: {error}"),
        }
    }
}
