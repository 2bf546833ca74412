//! One connected client: its socket, its phone, and how bytes are written
//! to it. Shared by its session thread and the threads that inject events.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::phone::Phone;
use super::server::{lock, Shared};
use super::Traffic;
use crate::wire::Packet;

/// How long a write may block on a client that does not read before that
/// client is dropped; keeps injection calls and `stop` bounded.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connected client, shared by its session thread and the threads that
/// inject events.
///
/// Lock order: `phone`, then `writer`. Holding the phone while writing
/// keeps the packets on the wire in the order the phone produced them.
pub(crate) struct Connection {
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

impl Connection {
    /// Wraps an accepted socket; returns the client and the stream its
    /// session thread reads from.
    pub(crate) fn new(id: u64, stream: TcpStream, phone: Phone) -> io::Result<(Connection, TcpStream)> {
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

    /// Plays a far-end happening on this client's phone, if logged in.
    pub(crate) fn inject(&self, shared: &Shared, happening: &dyn Fn(&mut Phone) -> Vec<Packet>) {
        let mut phone = lock(&self.phone);
        let packets = happening(&mut phone);
        self.send(shared, &packets);
    }
}
