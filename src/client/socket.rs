//! Opening the TCP connection: connect timeout, TCP_NODELAY (commands are
//! small and latency matters), OS keep-alive and a write timeout.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::Options;
use crate::Error;

/// Connects to the first address of `host:port` that answers.
pub fn open(host: &str, port: u16, options: &Options) -> Result<(TcpStream, SocketAddr), Error> {
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

fn configure(stream: &TcpStream, options: &Options) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(options.command_timeout))?;
    stream.set_read_timeout(options.dead_peer_timeout)?;
    if let Some(idle) = options.tcp_keepalive {
        set_keepalive(stream, idle)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_keepalive(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;

    fn set(fd: i32, level: i32, name: i32, value: i32) -> io::Result<()> {
        // SAFETY: setsockopt with a pointer to a live i32 and its size.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                (&value as *const i32).cast(),
                std::mem::size_of::<i32>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    let fd = stream.as_raw_fd();
    set(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1)?;
    let secs = i32::try_from(idle.as_secs().max(1)).unwrap_or(i32::MAX);
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        set(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, secs)?;
        set(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, secs.min(10))?;
        set(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3)?;
    }
    #[cfg(target_os = "macos")]
    set(fd, libc::IPPROTO_TCP, libc::TCP_KEEPALIVE, secs)?;
    let _ = secs;
    Ok(())
}

#[cfg(not(unix))]
fn set_keepalive(_stream: &TcpStream, _idle: Duration) -> io::Result<()> {
    // std offers no keep-alive setter; on Windows the dead-peer timeout is
    // the way to detect a silent DGPhone.
    Ok(())
}
