//! One connected client: its socket, its phone, and how bytes are written
//! to it (through its lasting faults). Shared by its serving thread and the
//! threads that inject events or faults.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::fault::{self, Fault, WriteFaults};
use super::phone::Phone;
use super::server::{lock, wait_timeout_while, Shared};
use super::Traffic;
use crate::protocol::{EventBuilder, EventKind, Line};
use crate::wire::Packet;

/// The flood's own header, no DGPhone one: numbers its events so a test
/// can tell whether any was lost.
const SEQ: &str = "Seq";

/// A flood is written in chunks of about this size: as fast as the socket
/// takes them, without one system call per event.
const FLOOD_CHUNK: usize = 64 * 1024;

/// How long a write may block on a client that does not read before that
/// client is dropped; keeps injection calls and `stop` bounded.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connected client, shared by its serving thread and the threads that
/// inject events.
///
/// Lock order: `phone`, then `writer`. Holding the phone while writing
/// keeps the packets on the wire in the order the phone produced them.
pub(crate) struct Connection {
    pub(crate) id: u64,
    pub(crate) peer: SocketAddr,
    /// Only for `shutdown`: never behind a lock, so it can always wake a
    /// serving thread blocked in a read or a write.
    control: TcpStream,
    phone: Mutex<Phone>,
    writer: Mutex<TcpStream>,
    /// Mirrors `phone.is_logged_in()` for readers that must not wait on the
    /// phone's lock (counting logins, timestamps, `send_packet`).
    logged_in: AtomicBool,
    /// The lasting faults, apart from `writer` so that setting one never
    /// waits for a slow write to end.
    faults: Mutex<WriteFaults>,
    /// Set once the simulator closed this connection; `closed_signal`
    /// wakes a write paused by a fault so it ends at once.
    closed: Mutex<bool>,
    closed_signal: Condvar,
}

impl Connection {
    /// Wraps an accepted socket; returns the client and the stream its
    /// serving thread reads from.
    pub(crate) fn new(
        id: u64,
        stream: TcpStream,
        phone: Phone,
        faults: WriteFaults,
    ) -> io::Result<(Connection, TcpStream)> {
        let peer = stream.peer_addr()?;
        // Small packets, each written once: send them now, not after Nagle's delay.
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        let client = Connection {
            id,
            peer,
            control: stream.try_clone()?,
            phone: Mutex::new(phone),
            writer: Mutex::new(stream.try_clone()?),
            logged_in: AtomicBool::new(false),
            faults: Mutex::new(faults),
            closed: Mutex::new(false),
            closed_signal: Condvar::new(),
        };
        Ok((client, stream))
    }

    pub(crate) fn is_logged_in(&self) -> bool {
        self.logged_in.load(Ordering::SeqCst)
    }

    /// The extension logged in on this connection's phone, if any.
    pub(crate) fn user(&self) -> Option<String> {
        lock(&self.phone).user().map(str::to_string)
    }

    /// Closes the connection both ways; the serving thread sees the end of
    /// its stream and exits, and a write paused by a fault ends.
    pub(crate) fn shutdown(&self) {
        self.logged_in.store(false, Ordering::SeqCst);
        *lock(&self.closed) = true;
        self.closed_signal.notify_all();
        let _ = self.control.shutdown(Shutdown::Both);
    }

    /// True once the simulator closed the connection (rather than the client).
    pub(crate) fn closed_here(&self) -> bool {
        *lock(&self.closed)
    }

    /// Waits `pause`, unless the connection closes first; false if it did.
    fn pause(&self, pause: Duration) -> bool {
        let closed = lock(&self.closed);
        !*wait_timeout_while(&self.closed_signal, closed, pause, |closed| !*closed)
    }

    /// Adds a lasting fault (one-shot faults are for [`Connection::fire`]).
    pub(crate) fn set_fault(&self, fault: &Fault) {
        lock(&self.faults).set(fault);
    }

    pub(crate) fn clear_faults(&self) {
        *lock(&self.faults) = WriteFaults::default();
    }

    /// Writes bytes as the lasting faults say: not at all while silent,
    /// after a delay, or one byte per write. False when nothing was
    /// written; a failed write closes the connection.
    fn write(&self, shared: &Shared, writer: &mut TcpStream, bytes: &[u8]) -> bool {
        let faults = *lock(&self.faults);
        if shared.is_silent() || faults.silent {
            return false;
        }
        if let Some(delay) = faults.delay {
            if !self.pause(delay) {
                return false;
            }
        }
        let mut write_once = |bytes: &[u8]| {
            shared.observe(&Traffic::BytesSent { client: self.id, bytes });
            writer.write_all(bytes).is_ok()
        };
        let written = match faults.byte_gap {
            None => write_once(bytes),
            Some(gap) => bytes.iter().enumerate().all(|(i, byte)| {
                (i == 0 || gap.is_zero() || self.pause(gap)) && write_once(std::slice::from_ref(byte))
            }),
        };
        if !written {
            self.shutdown();
        }
        written
    }

    /// Sends packets, each in one write (unless a fault splits it).
    pub(crate) fn send(&self, shared: &Shared, packets: &[Packet]) {
        let mut writer = lock(&self.writer);
        for packet in packets {
            if !self.write(shared, &mut writer, &shared.encoding.packet(packet)) {
                return;
            }
            shared.observe(&Traffic::Sent { client: self.id, packet });
        }
    }

    /// Sends bytes as they are, in one write (unless a fault splits it).
    pub(crate) fn send_raw(&self, shared: &Shared, bytes: &[u8]) {
        let mut writer = lock(&self.writer);
        if self.write(shared, &mut writer, bytes) {
            shared.observe(&Traffic::SentRaw { client: self.id, bytes });
        }
    }

    /// Plays a fault on this connection: a lasting one is set, a one-shot
    /// one is played now. Told to the observer first, since its bytes are
    /// not told one packet at a time.
    pub(crate) fn fire(&self, shared: &Shared, fault: &Fault) {
        shared.observe(&Traffic::Fault { client: Some(self.id), fault });
        if fault.is_lasting() {
            self.set_fault(fault);
            return;
        }
        let user = self.user().unwrap_or_default();
        let bytes = match fault {
            Fault::CloseMidPacket => fault::mid_packet(&user),
            Fault::Oversize(size) => fault::oversize(&user, *size),
            Fault::InvalidUtf8 => fault::invalid_utf8(&user),
            Fault::Nul => fault::nul(&user),
            Fault::Garbage => fault::garbage(),
            Fault::Flood(count) => return self.flood(shared, &user, *count),
            Fault::Restart(down_for) => return shared.restart(*down_for),
            _ => return,
        };
        let mut writer = lock(&self.writer);
        self.write(shared, &mut writer, &bytes);
        drop(writer);
        if *fault == Fault::CloseMidPacket {
            self.shutdown();
        }
    }

    /// `count` DTMFReceived events numbered by `Seq:`, in a few big writes.
    fn flood(&self, shared: &Shared, user: &str, count: u32) {
        let mut writer = lock(&self.writer);
        let mut chunk = Vec::with_capacity(FLOOD_CHUNK + 256);
        for seq in 1..=count {
            let digit = char::from(b'0' + (seq % 10) as u8);
            let event = EventBuilder::new(EventKind::DtmfReceived)
                .user(user)
                .line(Line::new(1).ok())
                .digit(digit)
                .header(SEQ, &seq.to_string())
                .build();
            chunk.extend_from_slice(&shared.encoding.packet(&event));
            if chunk.len() >= FLOOD_CHUNK || seq == count {
                if !self.write(shared, &mut writer, &chunk) {
                    return;
                }
                chunk.clear();
            }
        }
    }

    /// Lets the phone handle a received packet and sends its reply. Returns
    /// true when the connection must close.
    pub(crate) fn handle(&self, shared: &Shared, packet: &Packet) -> bool {
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

    /// Sends the far end's delayed answers that are due at `now`; returns
    /// when the next one is.
    pub(crate) fn answers_due(&self, shared: &Shared, now: Instant) -> Option<Instant> {
        let mut phone = lock(&self.phone);
        let packets = phone.answers_due(now);
        self.send(shared, &packets);
        phone.next_answer()
    }

    /// Plays a far-end happening on this client's phone, if logged in.
    pub(crate) fn inject(&self, shared: &Shared, happening: &dyn Fn(&mut Phone) -> Vec<Packet>) {
        let _ = self.play(shared, |phone| Ok::<_, ()>(happening(phone)));
    }

    /// Lets `act` change the phone and sends the packets it returns, under
    /// the phone's lock so they go out in the order the phone made them.
    pub(crate) fn play<E>(
        &self,
        shared: &Shared,
        act: impl FnOnce(&mut Phone) -> Result<Vec<Packet>, E>,
    ) -> Result<(), E> {
        let mut phone = lock(&self.phone);
        let packets = act(&mut phone)?;
        self.send(shared, &packets);
        Ok(())
    }
}
