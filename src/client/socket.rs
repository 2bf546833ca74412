//! Opening the TCP connection: connect timeout, TCP_NODELAY (commands are
//! small and latency matters), OS keep-alive and a write timeout.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};

use super::Options;
use crate::Error;

/// Connects to the first address of `host:port` that answers.
fn open(host: &str, port: u16, options: &Options) -> Result<(TcpStream, SocketAddr), Error> {
    let name = format!("{host}:{port}");
    let fail = |source| Error::Connect { addr: name.clone(), source };
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(fail)?.collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name has no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, options.connect_timeout) {
            Ok(stream) => {
                configure(&stream, options).map_err(fail)?;
                return Ok((stream, addr));
            }
            Err(e) => last = e,
        }
    }
    Err(fail(last))
}

/// The connect thread's stack (see [`open_abortable`]): what a resolver
/// expects of a Windows thread, half of Rust's default. Not smaller: glibc
/// keeps the stacks of ended threads and hands one to a new thread asking
/// for up to four times less, so a smaller one would be reused by readers
/// and callback threads (64 and 128 KiB) and grow every session.
const CONNECT_STACK: usize = 1024 * 1024;

/// How a connect in progress is called off: dropping the `Sender` (a
/// disconnect, a cancel) makes [`open_abortable`] return at once.
pub type Abort = crossbeam_channel::Receiver<()>;

/// [`open`] that another thread can call off, for `connect` and for the
/// reader's reconnections. The connect runs on a short-lived thread: a
/// TCP connect cannot be interrupted portably, but waiting for it can, so
/// a desk that gives up on an unreachable DGPhone gets its answer at once,
/// not after the connect timeout; the connection, if it still comes, is
/// closed as that thread ends. One thread per connect attempt, which is
/// rare; it has a full stack ([`CONNECT_STACK`]), since the system
/// resolver (NSS modules, DNS over a VPN's plug-in) may need far more
/// than the reader keeps.
pub fn open_abortable(
    host: &str,
    port: u16,
    options: &Options,
    abort: &Abort,
) -> Result<(TcpStream, SocketAddr), Error> {
    let (name, owned) = (host.to_string(), options.clone());
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    let spawned =
        std::thread::Builder::new().name("dgphone-connect".into()).stack_size(CONNECT_STACK).spawn(move || {
            // Refused once nobody waits: the connection is dropped, closed.
            let _ = done_tx.send(open(&name, port, &owned));
        });
    if let Err(source) = spawned {
        return Err(Error::Connect { addr: format!("{host}:{port}"), source });
    }
    crossbeam_channel::select! {
        recv(done_rx) -> opened => opened.unwrap_or_else(|_| {
            Err(Error::Connect {
                addr: format!("{host}:{port}"),
                source: io::Error::new(io::ErrorKind::Other, "the connect thread panicked"),
            })
        }),
        recv(abort) -> _ => Err(Error::Cancelled("the connect")),
    }
}

fn configure(stream: &TcpStream, options: &Options) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(options.command_timeout))?;
    stream.set_read_timeout(options.dead_peer_timeout)?;
    if let Some(idle) = options.tcp_keepalive {
        set_keepalive(stream, idle)?;
    }
    Ok(())
}

/// OS keep-alive through socket2, which covers Windows too (where std has
/// no setter at all): probes start after `idle`, then every `idle` (at most
/// 10 s), and where the OS lets us choose, three unanswered ones end it.
fn set_keepalive(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    let idle = idle.max(Duration::from_secs(1));
    let keepalive = TcpKeepalive::new().with_time(idle).with_interval(idle.min(Duration::from_secs(10)));
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "macos", target_os = "freebsd"))]
    let keepalive = keepalive.with_retries(3);
    SockRef::from(stream).set_tcp_keepalive(&keepalive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn the_connection_has_keep_alive_with_the_idle_time_asked_for() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let options = Options { tcp_keepalive: Some(Duration::from_secs(42)), ..Options::default() };
        let (stream, _) = open("127.0.0.1", port, &options).unwrap();
        let socket = SockRef::from(&stream);
        assert!(socket.keepalive().unwrap());
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            assert_eq!(socket.keepalive_time().unwrap(), Duration::from_secs(42));
            assert_eq!(socket.keepalive_interval().unwrap(), Duration::from_secs(10));
            assert_eq!(socket.keepalive_retries().unwrap(), 3);
        }
        let off = Options { tcp_keepalive: None, ..Options::default() };
        let (stream, _) = open("127.0.0.1", port, &off).unwrap();
        assert!(!SockRef::from(&stream).keepalive().unwrap());
    }
}
