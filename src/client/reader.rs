//! The reader thread: reads, frames, types, updates state, settles waits,
//! delivers; on a lost connection, reports it and (if asked) reconnects.
//! The events of a large read that only the callback gets are judged
//! where they lie and built on the callback thread ([`on_run`]).

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::backoff::Backoff;
use super::{lock, ClientEvent, ClientHandle, DisconnectReason, LogLevel, Shared, Staged, READER_OF};
use crate::protocol::{Command, Event, PlacedEvents};
use crate::session::Applied;
use crate::state::Change;
use crate::wire::record::{Side, WireLog};
use crate::wire::{Decoder, Frame};

pub(crate) fn run(shared: Arc<Shared>, mut stream: Arc<TcpStream>, mut addr: SocketAddr) {
    READER_OF.with(|r| r.set(Arc::as_ptr(&shared) as usize));
    let handle = ClientHandle { shared: shared.clone() };
    let mut decoder = Decoder::new(shared.options.max_packet);
    let mut reconnected = false;
    let mut backoff = shared.options.reconnect.as_ref().map(Backoff::new);
    if let Some(backoff) = &mut backoff {
        backoff.connection_up(Instant::now());
    }
    loop {
        shared.dispatch(&handle, ClientEvent::Connected { addr });
        if reconnected {
            relogin(&shared);
        }
        let reason = read_until_closed(&shared, &stream, &mut decoder);
        // Bytes left over when the application stopped the client were cut
        // short by us, not by DGPhone: not a truncation to report.
        let truncated = decoder.finish().filter(|_| reason != DisconnectReason::Requested);
        if let Some(error) = truncated {
            shared.dispatch(&handle, ClientEvent::ProtocolError(error));
        }
        if let Some(backoff) = &mut backoff {
            backoff.connection_down(Instant::now());
        }
        let reconnect = connection_ended(&shared, &handle, reason);
        let next = match &mut backoff {
            Some(backoff) if reconnect => reconnect_with_backoff(&shared, &handle, backoff),
            _ => None,
        };
        match next {
            Some((new_stream, new_addr)) => {
                stream = new_stream;
                addr = new_addr;
                reconnected = true;
            }
            None => break,
        }
    }
    shared.running.store(false, Ordering::SeqCst);
}

fn read_until_closed(shared: &Arc<Shared>, stream: &TcpStream, decoder: &mut Decoder) -> DisconnectReason {
    let wire = lock(&shared.conn).wire;
    let mut stream = WireTap { stream, log: shared.options.wire_log.as_ref().zip(wire) };
    // The events of one read, handed over together.
    let mut staged = Staged::default();
    loop {
        match decoder.read_from(&mut stream) {
            Ok(0) => return ended_reason(shared, DisconnectReason::ClosedByPeer),
            Ok(_) => {
                let in_place = reads_in_place(shared);
                loop {
                    if let Some(run) = in_place.then(|| PlacedEvents::take(decoder)).flatten() {
                        on_run(shared, &mut staged, Arc::new(run));
                    }
                    let frame = decoder.next_frame();
                    // Once the application stops the client, the rest of a
                    // batch is dropped: closing waits for one callback at
                    // most, not for a backlog of thousands.
                    if shared.is_stopping() {
                        shared.deliver_staged(&mut staged);
                        return DisconnectReason::Requested;
                    }
                    let frame = match frame {
                        Some(frame) => frame,
                        None => break,
                    };
                    match frame {
                        Ok(Frame::Packet(packet)) => on_event(shared, &mut staged, Event::from_packet(packet)),
                        Ok(Frame::Greeting(text)) => {
                            shared.stage(&mut staged, ClientEvent::Greeting(text), Change::None)
                        }
                        Err(error) => {
                            shared.log.log(LogLevel::Warn, || format!("protocol error: {error}"));
                            shared.stage(&mut staged, ClientEvent::ProtocolError(error), Change::None);
                        }
                    }
                }
                shared.deliver_staged(&mut staged);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) && !shared.is_stopping() => {
                let silent_for = shared.options.dead_peer_timeout.unwrap_or_default();
                return DisconnectReason::DeadPeer { silent_for };
            }
            Err(e) => return ended_reason(shared, DisconnectReason::Io(e.to_string())),
        }
    }
}

/// The socket as the reader reads it: every read goes to the wire log too.
struct WireTap<'a> {
    stream: &'a TcpStream,
    log: Option<(&'a WireLog, u64)>,
}

impl Read for WireTap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (&*self.stream).read(buf)?;
        if let Some((log, wire)) = self.log {
            log.data(wire, Side::Server, &buf[..n]);
        }
        Ok(n)
    }
}

/// A close we asked for, or that follows a logoff, is not the peer's fault.
fn ended_reason(shared: &Shared, otherwise: DisconnectReason) -> DisconnectReason {
    if shared.is_stopping() {
        DisconnectReason::Requested
    } else if lock(&shared.session).logged_off() {
        DisconnectReason::LoggedOff
    } else {
        otherwise
    }
}

/// Whether this read's events may be read in place (see [`on_run`]): only
/// the callback gets them, no wait needs them whole, nothing logs them.
fn reads_in_place(shared: &Shared) -> bool {
    shared.recipients() == (false, true) && shared.waiters.is_empty() && !shared.log.enabled(LogLevel::Trace)
}

fn on_event(shared: &Arc<Shared>, staged: &mut Staged, event: Event) {
    let applied = {
        let mut session = lock(&shared.session);
        // Settled under the session's lock, so a waiter woken here sees the
        // session as this event leaves it.
        shared.waiters.resolve(&event, session.user());
        session.apply(&event)
    };
    if shared.log.enabled(LogLevel::Trace) {
        shared.log.log(LogLevel::Trace, || format!("received {:?}", event.packet()));
    }
    shared.stage(staged, ClientEvent::Phone(event), applied.change);
    after_applied(shared, staged, applied);
}

/// A run of events read in place, for the callback thread alone: each
/// judged here as [`on_event`] judges one, and built on the callback
/// thread (see [`PlacedEvents`]), which takes a packet's building off the
/// thread every event waits for. Stops short when the client stops.
fn on_run(shared: &Arc<Shared>, staged: &mut Staged, run: Arc<PlacedEvents>) {
    staged.callback.push_run(run.clone());
    // Locked once for the run (one read's events: other threads wait tens
    // of microseconds at most), not once per event; let go for what a
    // login calls for, which sends.
    let mut session = lock(&shared.session);
    for index in 0..run.len() {
        if shared.is_stopping() {
            return;
        }
        let applied = session.apply(run.get(index));
        staged.callback.push_placed(index, applied.change);
        if applied.logged_in.is_some() || applied.reconcile {
            drop(session);
            after_applied(shared, staged, applied);
            session = lock(&shared.session);
        }
    }
}

/// What an event's effect on the session calls for: the news of a login,
/// and the Status that reconciles the lines after a re-login.
fn after_applied(shared: &Arc<Shared>, staged: &mut Staged, applied: Applied) {
    if let Some(user) = applied.logged_in {
        shared.log.log(LogLevel::Info, || format!("logged in as {user}"));
        shared.stage(staged, ClientEvent::LoggedIn { user }, Change::None);
    }
    if applied.reconcile {
        if let Err(e) = shared.send(&Command::Status) {
            shared.log.log(LogLevel::Warn, || format!("status request after re-login failed: {e}"));
        }
    }
}

/// Marks the session disconnected, fails pending waits and tells the
/// application. Returns whether to reconnect.
fn connection_ended(shared: &Arc<Shared>, handle: &ClientHandle, reason: DisconnectReason) -> bool {
    {
        let mut conn = lock(&shared.conn);
        if let Some(stream) = conn.stream.take() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        if let (Some(log), Some(wire)) = (&shared.options.wire_log, conn.wire.take()) {
            let by = match reason {
                DisconnectReason::Requested | DisconnectReason::DeadPeer { .. } => Some(Side::Client),
                DisconnectReason::ClosedByPeer | DisconnectReason::LoggedOff => Some(Side::Server),
                DisconnectReason::Io(_) => None,
            };
            log.close(wire, by);
        }
    }
    lock(&shared.session).disconnected();
    shared.waiters.fail_all(&reason.to_string());
    let level = if reason == DisconnectReason::Requested { LogLevel::Info } else { LogLevel::Warn };
    shared.log.log(level, || format!("disconnected: {reason}"));
    let expected = matches!(reason, DisconnectReason::Requested | DisconnectReason::LoggedOff);
    shared.dispatch(handle, ClientEvent::Disconnected { reason });
    !expected && shared.options.reconnect.is_some() && !shared.is_stopping()
}

/// Tries to connect again, waiting as `backoff` says (with jitter), until
/// it works, the attempts run out, or the client stops.
fn reconnect_with_backoff(
    shared: &Arc<Shared>,
    handle: &ClientHandle,
    backoff: &mut Backoff,
) -> Option<(Arc<TcpStream>, SocketAddr)> {
    let (host, port) = lock(&shared.target).clone()?;
    loop {
        let attempt = backoff.attempt();
        let delay = match backoff.next_delay() {
            Some(delay) => delay,
            None => {
                let attempts = backoff.failures();
                shared.log.log(LogLevel::Warn, || {
                    format!("giving up reconnecting after {attempts} failed attempts in a row")
                });
                shared.dispatch(handle, ClientEvent::ReconnectFailed { attempts });
                return None;
            }
        };
        let wait = jitter(delay);
        shared.dispatch(handle, ClientEvent::Reconnecting { attempt, delay: wait });
        if !sleep_unless_stopped(shared, wait) {
            return None;
        }
        let conn = lock(&shared.conn);
        if conn.stop {
            return None;
        }
        // A disconnect meanwhile called it off (and set `stop`): the end.
        let (mut conn, opened) = shared.open_connection(conn, &host, port, false);
        match opened? {
            Ok((stream, addr)) => {
                backoff.connection_up(Instant::now());
                let stream = Arc::new(stream);
                conn.stream = Some(stream.clone());
                conn.wire = shared.options.wire_log.as_ref().map(|log| log.open());
                drop(conn);
                lock(&shared.session).connected();
                shared.log.log(LogLevel::Info, || format!("reconnected to {addr} (attempt {attempt})"));
                return Some((stream, addr));
            }
            Err(e) => {
                drop(conn);
                backoff.attempt_failed();
                shared.log.log(LogLevel::Warn, || format!("reconnect attempt {attempt} failed: {e}"));
            }
        }
    }
}

/// Sleeps `wait` unless the client stops first; false when it stopped.
fn sleep_unless_stopped(shared: &Shared, wait: Duration) -> bool {
    let conn = lock(&shared.conn);
    let conn = crate::sync::wait_timeout_while(&shared.wake, conn, wait, |c| !c.stop);
    !conn.stop
}

/// A delay between half and all of `delay`, so that many desks losing the
/// same server do not all come back at the same instant.
fn jitter(delay: Duration) -> Duration {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut x = u64::from(nanos) ^ (std::process::id() as u64).rotate_left(32) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    let fraction = 0.5 + (x % 1000) as f64 / 2000.0;
    delay.mul_f64(fraction)
}

/// Logs the same user in again after a reconnection; the response is
/// handled like any login's, and Status reconciles the lines.
fn relogin(shared: &Arc<Shared>) {
    // Sending the Login marks it pending; its answer then asks for Status.
    let login = lock(&shared.session).relogin(shared.options.remote_mode);
    if let Some(login) = login {
        if let Err(e) = shared.send(&login) {
            shared.log.log(LogLevel::Warn, || format!("re-login failed: {e}"));
        }
    }
}
