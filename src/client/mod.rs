//! The client layer: one connection to DGPhone, its reader thread, commands,
//! waits, the line state, and event delivery to a callback and/or a queue.
//!
//! # Threads
//! Each connection has one reader thread (64 KiB stack; 128 KiB when a
//! logger is set, since a host's log callback runs on it). It reads,
//! decodes, updates the line state, settles waits and login at socket
//! speed, then hands the events of each read on: to the callback thread's
//! bounded backlog, and to the pull queue, each in one go (one lock, and at
//! most one wake-up, per read). It never runs the callback.
//!
//! A client with a callback has one callback thread (128 KiB stack by
//! default, [`Options::callback_stack_size`]; see [`EventHandler`]), started
//! when the first callback is set. The reader hands it the events of each
//! read as one batch; it calls the callback once per event, in order. A slow callback delays only its own
//! later events; its backlog holds [`Options::delivery_backlog`] events,
//! and when full the [`Options::overflow`] policy applies: losses are
//! counted ([`ClientHandle::dropped_events`]) and reported to the callback
//! as one [`ClientEvent::Overflow`] before its next event. (With
//! [`OverflowPolicy::Block`] the reader waits for the callback instead:
//! nothing is lost, but reading, and so waits and login, wait too.)
//!
//! # Delivery
//! Events go to the callback while one is registered, and to the pull queue
//! while no callback is registered or [`Options::queue_with_callback`]
//! asks for both: a callback-only application never fills a queue nobody
//! pulls.
//!
//! Waits (`login`, `send_and_confirm`, [`Expectation`]) are settled as soon
//! as the reader has read the event, before the event reaches the queue and
//! the callback: a thread blocked in a wait never depends on the callback
//! finishing (so a callback that needs a lock the waiting thread holds does
//! not deadlock it), but when a wait returns, the callback may not have seen
//! that event yet.
//!
//! From inside the callback, commands work (they only write). Calls that
//! wait for the client's threads — `login`, `send_and_confirm`,
//! `Expectation::wait`, `connect`, setting the handler — return
//! [`Error::WouldDeadlock`] there instead of hanging (with the Block policy
//! the reader may be waiting for that very callback).
//!
//! # Closing
//! Once a [`Client`] starts closing, no callback starts; closing waits for
//! the one running, if any, and no Disconnected is delivered for it.

mod backoff;
mod delivery;
mod event;
mod log;
mod notify;
mod options;
mod queue;
mod reader;
mod socket;
mod waiter;

use crossbeam_utils::CachePadded;
use std::cell::Cell;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub use event::{ClientEvent, DisconnectReason};
pub use options::{LogLevel, Logger, Options, OverflowPolicy, Reconnect, DEFAULT_CALLBACK_STACK, MIN_CALLBACK_STACK};

use crate::error::{Error, Result};
use crate::protocol::validate::{check_text, MAX_VALUE_LEN};
use crate::protocol::{confirmation, Command, Confirmation, Event, Line, Verdict};
use crate::session::Session;
use crate::state::{Change, LineInfo, PhoneState};
use crate::wire::record::Side;
use delivery::{Batch, Delivery};
use queue::EventQueue;
use waiter::{Judge, WaitSlot, Waiters};

/// An event callback. It runs on the client's callback thread, whose stack
/// is [`Options::callback_stack_size`] (128 KiB by default; not the reader thread: reading goes on while it runs); see
/// the module docs for the backlog and what it may call.
pub type EventHandler = Arc<dyn Fn(&ClientHandle, &ClientEvent) + Send + Sync>;

thread_local! {
    /// The client whose reader or callback thread this is (its `Shared`
    /// address), so blocking calls made from a callback (or a logger) can
    /// refuse instead of deadlock.
    static READER_OF: Cell<usize> = const { Cell::new(0) };
}

/// The connection's socket and whether it should stop. The socket is
/// shared by the reader (`&TcpStream` reads), writers (serialised by
/// `Shared::write_lock`) and whoever shuts it down, so a write blocked on a
/// peer that stopped reading never holds up a disconnect.
#[derive(Default)]
struct Conn {
    stream: Option<Arc<TcpStream>>,
    /// This connection's number in the wire log, when there is one.
    wire: Option<u64>,
    /// Set by disconnect/close: the reader stops and does not reconnect.
    stop: bool,
    /// A connect in progress (the application's or a reconnection):
    /// dropping it calls the connect off.
    connecting: Option<Connecting>,
}

struct Connecting {
    /// Dropped to call the connect off ([`socket::Abort`]).
    _abort: crossbeam_channel::Sender<()>,
    /// The application's `connect` call, which `cancel` calls off too;
    /// the reader's reconnections end only with a disconnect.
    by_application: bool,
}

/// One read's events on their way to the callback thread and to the
/// queue: each gets its share in one hand-off (one lock, at most one
/// wake-up) per read, not per event.
#[derive(Default)]
pub(crate) struct Staged {
    callback: Batch,
    queue: Vec<ClientEvent>,
}

pub(crate) struct Shared {
    options: Options,
    log: log::Log,
    conn: Mutex<Conn>,
    /// Keeps each packet's bytes together on the wire.
    write_lock: Mutex<()>,
    /// Wakes the reader from a reconnect back-off when the client stops.
    wake: Condvar,
    /// Taken by the reader for every event; padded, as `handler` is, so
    /// that the two threads' per-event writes never share a cache line.
    session: CachePadded<Mutex<Session>>,
    waiters: Waiters,
    queue: EventQueue,
    delivery: Delivery,
    /// Held while the callback runs, so replacing it or closing waits for a
    /// running callback to return (taken by the callback thread for every
    /// event).
    handler: CachePadded<Mutex<Option<EventHandler>>>,
    reader: Mutex<Option<JoinHandle<()>>>,
    /// Where to reconnect: the host and port of the last connect.
    target: Mutex<Option<(String, u16)>>,
    callback_panics: AtomicU64,
    /// True between a successful connect and the end of its reader thread.
    running: AtomicBool,
    /// `Conn::stop`, readable without the lock.
    stopping: AtomicBool,
}

use crate::sync::lock;

impl Shared {
    fn on_reader_thread(self: &Arc<Self>) -> bool {
        READER_OF.with(|r| r.get() == Arc::as_ptr(self) as usize)
    }

    fn refuse_on_reader(self: &Arc<Self>, what: &'static str) -> Result<()> {
        if self.on_reader_thread() {
            Err(Error::WouldDeadlock(what))
        } else {
            Ok(())
        }
    }

    /// Opens a connection to `host:port` that a disconnect (and, for the
    /// application's own connect, a cancel) calls off at once. `conn`, the
    /// connection's lock, is let go while connecting and held again on
    /// return, so that the caller installs the stream before a disconnect
    /// can come between: either the disconnect called this connect off
    /// (`None`), or it comes after and ends the connection.
    fn open_connection<'a>(
        &'a self,
        mut conn: MutexGuard<'a, Conn>,
        host: &str,
        port: u16,
        by_application: bool,
    ) -> (MutexGuard<'a, Conn>, Option<Result<(TcpStream, SocketAddr)>>) {
        let (abort, aborted) = crossbeam_channel::bounded(0);
        conn.connecting = Some(Connecting { _abort: abort, by_application });
        drop(conn);
        let opened = socket::open_abortable(host, port, &self.options, &aborted);
        let mut conn = lock(&self.conn);
        let called_off = conn.connecting.take().is_none();
        (conn, (!called_off).then_some(opened))
    }

    /// Read for every frame, so an atomic mirror of `Conn::stop` rather
    /// than a lock.
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Writes one encoded packet in one call; the wire log (if any) gets
    /// `logged`, written first so it precedes any answer in the log.
    fn write(&self, bytes: &[u8], logged: &[u8]) -> Result<()> {
        use std::io::Write;
        let (stream, wire) = {
            let conn = lock(&self.conn);
            (conn.stream.clone().ok_or(Error::NotConnected)?, conn.wire)
        };
        let _whole_packet = lock(&self.write_lock);
        if let (Some(log), Some(wire)) = (&self.options.wire_log, wire) {
            log.data(wire, Side::Client, logged);
        }
        (&*stream).write_all(bytes).map_err(|e| {
            // A failed or timed-out write leaves the stream unusable: shut it
            // so the reader reports the disconnection.
            let _ = stream.shutdown(Shutdown::Both);
            Error::lost(e)
        })
    }

    /// The one place commands go out. Refuses, with nothing sent, what the
    /// session cannot take: anything but Login before login (DGPhone acts
    /// only for a logged-in extension), and a Login while logged in or
    /// while another Login awaits its answer. A Login let through marks the
    /// session as logging in before its bytes leave, so its response, which
    /// may come at once, finds it so.
    fn send(&self, command: &Command) -> Result<()> {
        let user = {
            // Bad input is reported as such whatever the session's state:
            // first, so that a disconnected client does not call it "not
            // connected".
            command.validate()?;
            let mut session = lock(&self.session);
            if !session.is_connected() {
                return Err(Error::NotConnected);
            }
            session.admit(command).map_err(Error::from)?;
            let is_login = matches!(command, Command::Login { .. });
            session.user().filter(|_| self.options.send_user && !is_login).map(str::to_string)
        };
        let sent = self.write_command(command, user.as_deref());
        if sent.is_err() && matches!(command, Command::Login { .. }) {
            // This Login never went out whole: no answer will settle it.
            lock(&self.session).abandon_login();
        }
        sent
    }

    /// Encodes and writes a command the session has admitted.
    fn write_command(&self, command: &Command, user: Option<&str>) -> Result<()> {
        let packet = command.to_packet(user)?;
        let bytes = packet.encode();
        let redacted = match command {
            Command::SendDtmf(_) if self.options.redact_dtmf && self.options.wire_log.is_some() => {
                Some(crate::wire::redact::redact_dtmf(&bytes))
            }
            _ => None,
        };
        self.write(&bytes, redacted.as_deref().unwrap_or(&bytes))?;
        self.log.log(LogLevel::Debug, || format!("sent {}", self.log.describe(command)));
        Ok(())
    }

    /// Who gets an event now, as `(queue, callback)`: the callback when one
    /// is set; the queue when it is enabled and either no callback is set
    /// or both deliveries were asked for.
    fn recipients(&self) -> (bool, bool) {
        let to_callback = self.delivery.is_wanted();
        let to_queue = self.queue.is_enabled() && (!to_callback || self.options.queue_with_callback);
        (to_queue, to_callback)
    }

    /// Hands one item on, on the reader thread: to the queue and/or the
    /// callback thread (see the module docs), never waiting for the
    /// callback. (`_handle` stays for the reader's call sites.)
    fn dispatch(self: &Arc<Self>, _handle: &ClientHandle, event: ClientEvent) {
        match self.recipients() {
            (true, true) => {
                self.queue_all(Some(event.clone()));
                self.deliver(event);
            }
            (true, false) => self.queue_all(Some(event)),
            (false, true) => self.deliver(event),
            (false, false) => {}
        }
    }

    /// [`Shared::dispatch`] for the events of one read: each consumer's
    /// share is gathered in `staged` and handed over by
    /// [`Shared::deliver_staged`] once per read (the callback thread's with
    /// the `change` each event made to the live state).
    fn stage(&self, staged: &mut Staged, event: ClientEvent, change: Change) {
        match self.recipients() {
            (true, true) => {
                staged.queue.push(event.clone());
                staged.callback.push(event, change);
            }
            (true, false) => staged.queue.push(event),
            (false, true) => staged.callback.push(event, change),
            (false, false) => {}
        }
    }

    /// Hands the gathered events to the queue and to the callback thread,
    /// each in one go. The queue's go first, so that with both deliveries
    /// an event the callback has seen is in the queue too; but with the
    /// Block policy the callback's do, as a queue that nobody pulls would
    /// hold them up.
    fn deliver_staged(&self, staged: &mut Staged) {
        if self.options.overflow != OverflowPolicy::Block {
            self.queue_all(staged.queue.drain(..));
        }
        self.deliver_batch(&mut staged.callback, &mut staged.queue);
        self.queue_all(staged.queue.drain(..));
    }

    /// Hands a batch to the callback thread. Refused (the callback was
    /// removed while it was gathered), it goes to `queued`, for the queue,
    /// in its place (unless the queue has its copies).
    fn deliver_batch(&self, batch: &mut Batch, queued: &mut Vec<ClientEvent>) {
        if !batch.is_empty() && self.delivery.send_batch(batch) {
            self.warn_overflow("callback backlog full", self.delivery.dropped(), "make the callback return sooner");
        }
        // Taken out either way: a refused batch left here would go to the
        // callback thread with the next read's, late.
        queued.extend(batch.drain().filter(|_| !self.options.queue_with_callback));
    }

    /// Hands events to the queue in one go, saying so when it starts losing
    /// them.
    fn queue_all(&self, events: impl IntoIterator<Item = ClientEvent>) {
        if self.queue.push_all(events) {
            self.warn_overflow("event queue full", self.queue.dropped(), "pull them with next_event");
        }
    }

    fn deliver(&self, event: ClientEvent) {
        if self.delivery.send(event) {
            self.warn_overflow("callback backlog full", self.delivery.dropped(), "make the callback return sooner");
        }
    }

    /// Said once per episode of losses, by the queue or the backlog.
    fn warn_overflow(&self, what: &str, total: u64, remedy: &str) {
        self.log.log(LogLevel::Warn, || format!("{what}: losing events ({total} so far); {remedy}"));
    }

    /// Runs the callback, on the callback thread. A panic in it is caught,
    /// counted and logged; delivery goes on.
    fn call_back(&self, handle: &ClientHandle, event: &ClientEvent) {
        let handler = lock(&self.handler);
        if let Some(callback) = handler.as_ref() {
            if catch_unwind(AssertUnwindSafe(|| callback(handle, event))).is_err() {
                self.callback_panics.fetch_add(1, Ordering::Relaxed);
                self.log.log(LogLevel::Error, || "the event callback panicked (caught; delivery goes on)".into());
            }
        }
    }

    /// Registers a wait for `judge` before anything is sent.
    fn expect(self: &Arc<Self>, judge: Judge, on_failure: fn(Event) -> Error) -> Expectation {
        let slot = WaitSlot::new(judge, on_failure);
        self.waiters.add(slot.clone());
        Expectation { shared: self.clone(), slot }
    }
}

fn command_failed(event: Event) -> Error {
    Error::CommandFailed { event: Box::new(event) }
}

fn login_rejected(event: Event) -> Error {
    let message = event.message().unwrap_or(event.status().unwrap_or("no message")).to_string();
    Error::LoginRejected { message, event: Box::new(event) }
}

/// A registered wait for an event. Register it (with
/// [`ClientHandle::expect`]) before sending the command that causes the
/// event, then [`wait`](Expectation::wait).
pub struct Expectation {
    shared: Arc<Shared>,
    slot: Arc<WaitSlot>,
}

impl Expectation {
    /// Waits up to `timeout` for the event. Fails with the event that
    /// refused it, a timeout, or the lost connection.
    pub fn wait(self, timeout: Duration) -> Result<Event> {
        self.shared.refuse_on_reader("waiting for an event")?;
        self.slot.wait(timeout, "confirming event")
    }
}

impl Drop for Expectation {
    fn drop(&mut self) {
        self.shared.waiters.remove(&self.slot);
    }
}

/// Commands, waits, state and events of one client. Cheap to clone; the
/// callback receives one. Closing belongs to [`Client`].
#[derive(Clone)]
pub struct ClientHandle {
    shared: Arc<Shared>,
}

impl ClientHandle {
    /// Logs `user` (an extension) in and waits for DGPhone's response, up
    /// to the command timeout. Rejection carries DGPhone's message.
    pub fn login(&self, user: &str) -> Result<Event> {
        self.shared.refuse_on_reader("login")?;
        let command = Command::Login { user: user.to_string(), remote_mode: self.shared.options.remote_mode };
        command.validate()?;
        let confirm = confirmation(&command, None).expect("Login is confirmed by its response");
        let expectation = self.shared.expect(judge(confirm), login_rejected);
        // Refused (already logged in, not connected) or not written: the
        // session is as it was, and may belong to another login.
        self.shared.send(&command)?;
        let outcome = expectation.wait(self.shared.options.command_timeout);
        if outcome.is_err() {
            lock(&self.shared.session).abandon_login();
        }
        outcome.map_err(|e| match e {
            Error::Timeout { waited, .. } => Error::Timeout { what: "login response", waited },
            other => other,
        })
    }

    /// Sends a command and returns once its bytes are written.
    pub fn send(&self, command: &Command) -> Result<()> {
        self.shared.send(command)
    }

    /// Sends a command and waits for the event that confirms it (Dial →
    /// Dialing on the line, Hold → Hold, ...), up to `timeout`.
    pub fn send_and_confirm(&self, command: &Command, timeout: Duration) -> Result<Event> {
        self.shared.refuse_on_reader("send_and_confirm")?;
        command.validate()?;
        let selected = self.state().selected();
        let confirm = confirmation(command, selected).ok_or_else(|| Error::NoConfirmation(command.name().into()))?;
        let on_failure = if matches!(command, Command::Login { .. }) { login_rejected } else { command_failed };
        let expectation = self.shared.expect(judge(confirm), on_failure);
        self.shared.send(command)?;
        expectation.wait(timeout)
    }

    /// Registers a wait for the first event `matches` accepts. Register it
    /// before sending the command that will cause the event.
    pub fn expect<F>(&self, matches: F) -> Expectation
    where
        F: Fn(&Event) -> bool + Send + Sync + 'static,
    {
        let judge = move |event: &Event, _: Option<&str>| {
            if matches(event) {
                Verdict::Confirmed
            } else {
                Verdict::Unrelated
            }
        };
        self.shared.expect(Box::new(judge), command_failed)
    }

    /// Logs off; DGPhone closes the connection (no reconnection follows).
    pub fn logoff(&self) -> Result<()> {
        self.send(&Command::Logoff)
    }

    /// Asks DGPhone for the state of every line.
    pub fn request_status(&self) -> Result<()> {
        self.send(&Command::Status)
    }

    pub fn select_line(&self, line: Line) -> Result<()> {
        self.send(&Command::LineSelect(line))
    }

    /// Dials `number` on the selected line.
    pub fn dial(&self, number: &str) -> Result<()> {
        self.send(&Command::Dial { number: number.to_string(), line: None })
    }

    /// Answers on `line`, or on the selected line.
    pub fn answer(&self, line: Option<Line>) -> Result<()> {
        self.send(&Command::Answer(line))
    }

    /// Toggles hold on the selected line.
    pub fn hold(&self) -> Result<()> {
        self.send(&Command::Hold(None))
    }

    /// Puts the selected line on hold (`true`) or takes it off (`false`).
    pub fn set_hold(&self, on_hold: bool) -> Result<()> {
        self.send(&Command::Hold(Some(on_hold)))
    }

    /// Sends DTMF digits (`0-9 * # A-D`) on the selected line.
    pub fn send_dtmf(&self, digits: &str) -> Result<()> {
        self.send(&Command::SendDtmf(digits.to_string()))
    }

    /// Ends the call on `line`, or on the selected line.
    pub fn hangup(&self, line: Option<Line>) -> Result<()> {
        self.send(&Command::Hangup(line))
    }

    /// A snapshot of the line and agent state. Never waits on the network.
    /// Inside the callback, the state as of the event being delivered (the
    /// reader may already have applied later ones).
    pub fn state(&self) -> PhoneState {
        if delivery::on_callback_thread(&self.shared) {
            return self.shared.delivery.seen_state();
        }
        lock(&self.shared.session).phone().clone()
    }

    /// One line's state and number (inside the callback: as of its event).
    pub fn line(&self, line: Line) -> LineInfo {
        if delivery::on_callback_thread(&self.shared) {
            return self.shared.delivery.seen_line(line);
        }
        lock(&self.shared.session).phone().line(line).clone()
    }

    pub fn is_connected(&self) -> bool {
        lock(&self.shared.session).is_connected()
    }

    pub fn is_logged_in(&self) -> bool {
        lock(&self.shared.session).is_logged_in()
    }

    /// The extension logged in (or last logging in).
    pub fn user(&self) -> Option<String> {
        lock(&self.shared.session).user().map(str::to_string)
    }

    /// Takes the next queued event, waiting up to `timeout`.
    pub fn next_event(&self, timeout: Duration) -> Option<ClientEvent> {
        self.shared.queue.pop(Some(timeout))
    }

    /// [`next_event`](Self::next_event) for callers that need to know why
    /// none came: [`Error::Timeout`], [`Error::Cancelled`] when
    /// [`cancel`](Self::cancel) was called meanwhile, or
    /// [`Error::WouldDeadlock`] inside the event callback (whose own events
    /// would be the ones it waits for).
    pub fn wait_event(&self, timeout: Duration) -> Result<ClientEvent> {
        let mut taken = None;
        self.take_events(timeout, 1, |event| {
            taken = Some(event);
            Ok(())
        })?;
        taken.ok_or(Error::Timeout { what: "queued event", waited: timeout })
    }

    /// Like [`wait_event`](Self::wait_event), for up to `max` events at
    /// once: waits up to `timeout` for the first (zero: no wait), then
    /// takes those already waiting. Appends them to `out`, oldest first (an
    /// Overflow report before the rest), and returns how many.
    pub fn wait_events(&self, max: usize, timeout: Duration, out: &mut Vec<ClientEvent>) -> Result<usize> {
        self.take_events(timeout, max, |event| {
            out.push(event);
            Ok(())
        })
    }

    /// The pull behind every other: hands `take` up to `max` events under
    /// the queue's lock, after waiting up to `timeout` (zero: no wait) for
    /// the first. An event `take` hands back stays first in the queue and
    /// ends the call (`Ok` with the number taken before it), so a caller
    /// filling a buffer takes exactly what fits. `take` runs under the
    /// queue's lock: it must not call into the client.
    pub fn take_events<F>(&self, timeout: Duration, max: usize, take: F) -> Result<usize>
    where
        F: FnMut(ClientEvent) -> std::result::Result<(), ClientEvent>,
    {
        const WHAT: &str = "waiting for a queued event";
        let waits = !timeout.is_zero();
        if waits {
            if delivery::on_callback_thread(&self.shared) {
                return Err(Error::WouldDeadlock(WHAT));
            }
            self.shared.refuse_on_reader(WHAT)?;
        }
        match self.shared.queue.take_while(waits.then_some(timeout), max, take) {
            Ok(taken) => Ok(taken),
            Err(queue::Empty::TimedOut) => Err(Error::Timeout { what: "queued event", waited: timeout }),
            Err(queue::Empty::Interrupted) => Err(Error::Cancelled(WHAT)),
        }
    }

    /// Makes every blocking call in progress on this client (connect,
    /// login, a confirmed command, an agent-login step, a pull that waits)
    /// return at once with [`Error::Cancelled`]. Calls started afterwards
    /// wait as usual; what the cancelled calls waited for may still happen
    /// (a late login answer still logs the session in), but a cancelled
    /// connect never connects. Any thread, the callback included; it never
    /// blocks.
    pub fn cancel(&self) {
        {
            let mut conn = lock(&self.shared.conn);
            if conn.connecting.as_ref().map_or(false, |c| c.by_application) {
                conn.connecting = None;
            }
        }
        self.shared.waiters.cancel_all();
        self.shared.queue.interrupt();
    }

    /// Takes the next queued event without waiting.
    pub fn try_next_event(&self) -> Option<ClientEvent> {
        self.shared.queue.pop(None)
    }

    /// Events waiting in the queue.
    pub fn queued_events(&self) -> usize {
        self.shared.queue.len()
    }

    /// Events lost to overflow, in all: by the queue and by the callback's
    /// backlog.
    pub fn dropped_events(&self) -> u64 {
        self.shared.queue.dropped() + self.shared.delivery.dropped()
    }

    /// Panics caught in the event callback, in all.
    pub fn callback_panics(&self) -> u64 {
        self.shared.callback_panics.load(Ordering::Relaxed)
    }

    /// A descriptor that is readable while the queue holds events (for
    /// poll/select/epoll or an event loop). Do not read from it or close it.
    #[cfg(unix)]
    pub fn notify_fd(&self) -> Option<std::os::unix::io::RawFd> {
        self.shared.queue.notifier().map(|n| n.fd())
    }

    /// A manual-reset event handle, signalled while the queue holds events.
    /// Do not reset or close it.
    #[cfg(windows)]
    pub fn notify_handle(&self) -> Option<*mut std::os::raw::c_void> {
        self.shared.queue.notifier().map(|n| n.handle())
    }

    /// True on this client's callback thread, i.e. inside its event
    /// callback (or on its reader thread, where only a logger runs).
    pub fn is_callback_thread(&self) -> bool {
        self.shared.on_reader_thread()
    }

    /// Sets (or with `None` removes) the event callback; the first one
    /// starts the callback thread. Waits for a running callback to return;
    /// refused from inside the callback. Removing it first lets it see the
    /// events already handed to it (later ones go to the queue), so none is
    /// lost in the switch.
    pub fn set_event_handler(&self, handler: Option<EventHandler>) -> Result<()> {
        self.shared.refuse_on_reader("set_event_handler")?;
        match handler {
            Some(handler) => {
                let mut current = lock(&self.shared.handler);
                self.shared.delivery.set_wanted(&self.shared, true).map_err(Error::Thread)?;
                *current = Some(handler);
            }
            None => {
                self.shared.delivery.set_wanted(&self.shared, false).map_err(Error::Thread)?;
                // Not under the handler lock: the callback thread takes it
                // to deliver what it still has.
                self.shared.delivery.flush();
                *lock(&self.shared.handler) = None;
            }
        }
        Ok(())
    }

    /// Ends the connection (no reconnection) and, unless called from inside
    /// the callback, waits for the reader thread to finish and for the
    /// callback to have seen Disconnected. From inside the callback it
    /// returns at once. Events read but not yet delivered are dropped.
    pub fn disconnect(&self) {
        {
            let mut conn = lock(&self.shared.conn);
            // Events of a live connection that wait for the callback are cut
            // short like the reader's batch; after a connection that ended
            // by itself (its stream already taken), the callback still gets
            // all it read.
            if conn.stream.is_some() {
                self.shared.delivery.set_discarding(true);
            }
            conn.stop = true;
            // A connect in progress returns at once (Cancelled), and the
            // connection it was making never starts.
            conn.connecting = None;
            self.shared.stopping.store(true, Ordering::SeqCst);
            if let Some(stream) = conn.stream.take() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        self.shared.wake.notify_all();
        self.shared.queue.set_closed(true);
        if self.shared.on_reader_thread() {
            return;
        }
        let reader = lock(&self.shared.reader).take();
        if let Some(reader) = reader {
            let _ = reader.join();
        }
        self.shared.delivery.flush();
    }

    /// Opens the connection (within the connect timeout) and starts its
    /// reader thread. [`cancel`](Self::cancel) or
    /// [`disconnect`](Self::disconnect) from another thread calls it off
    /// at once ([`Error::Cancelled`]); the connection it was still making
    /// is then closed unused.
    pub fn connect(&self, host: &str, port: u16) -> Result<()> {
        self.shared.refuse_on_reader("connect")?;
        self.shared.options.validate()?;
        // A control character would otherwise reach the resolver (and its
        // DNS queries) instead of being refused as bad input.
        check_text("host", host, MAX_VALUE_LEN, true)?;
        let mut reader = lock(&self.shared.reader);
        if self.shared.running.load(Ordering::SeqCst) {
            return Err(Error::AlreadyConnected);
        }
        if let Some(old) = reader.take() {
            let _ = old.join();
        }
        let (stream, addr) = {
            let (mut conn, opened) = self.shared.open_connection(lock(&self.shared.conn), host, port, true);
            let (stream, addr) = opened.unwrap_or(Err(Error::Cancelled("the connect")))?;
            let stream = Arc::new(stream);
            let wire = self.shared.options.wire_log.as_ref().map(|log| log.open());
            *conn = Conn { stream: Some(stream.clone()), wire, stop: false, connecting: None };
            self.shared.stopping.store(false, Ordering::SeqCst);
            (stream, addr)
        };
        *lock(&self.shared.target) = Some((host.to_string(), port));
        lock(&self.shared.session).connected();
        self.shared.queue.set_closed(false);
        self.shared.delivery.set_discarding(false);
        // Events a disconnect dropped never reached the callback thread's
        // copy of the state: it starts again from the live one.
        let live = lock(&self.shared.session).phone().clone();
        self.shared.delivery.follow(live);
        self.shared.running.store(true, Ordering::SeqCst);
        self.shared.log.log(LogLevel::Info, || format!("connected to {addr}"));
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("dgphone-reader".into())
            // The reader runs no callback (only a logger), so a small stack:
            // a 32-bit process has room for a thousand sessions.
            .stack_size(reader_stack_size(&self.shared.options))
            .spawn(move || reader::run(shared, stream, addr));
        match spawned {
            Ok(thread) => {
                *reader = Some(thread);
                Ok(())
            }
            Err(e) => {
                self.shared.running.store(false, Ordering::SeqCst);
                lock(&self.shared.session).disconnected();
                *lock(&self.shared.conn) = Conn::default();
                Err(Error::Connect { addr: addr.to_string(), source: e })
            }
        }
    }
}

/// Stack of the reader thread: it decodes and applies state on the heap,
/// and resolves host names on a thread of their own
/// ([`socket::open_abortable`]), so 64 KiB. A logger runs on it too,
/// and a host's log callback (an interpreter) needs real stack: with a
/// logger it gets 128 KiB.
const READER_STACK_SIZE: usize = 64 * 1024;
const READER_STACK_SIZE_WITH_LOGGER: usize = 128 * 1024;

fn reader_stack_size(options: &Options) -> usize {
    if options.logger.is_some() {
        READER_STACK_SIZE_WITH_LOGGER
    } else {
        READER_STACK_SIZE
    }
}

/// A confirmation as a wait's judge.
fn judge(confirm: Confirmation) -> Judge {
    Box::new(move |event, own_user| confirm.judge(event, own_user))
}

/// A DGPhone client: owns the connection. Dropping it closes the
/// connection: from then on no callback starts (not even for the
/// Disconnected that closing causes); it waits for the reader thread and
/// for the one callback running, if any, and removes the callback. All
/// commands are on [`ClientHandle`], which `Client` dereferences to.
pub struct Client {
    handle: ClientHandle,
}

impl Client {
    /// A client that is not connected yet: set the callback, then
    /// [`connect`](ClientHandle::connect).
    pub fn new(options: Options) -> Client {
        let notifier = notify::Notifier::new().ok();
        let queue = EventQueue::new(options.queue_capacity, options.overflow, notifier);
        let delivery = Delivery::new(options.delivery_backlog, options.overflow);
        let shared = Shared {
            log: log::Log::new(&options),
            options,
            conn: Mutex::new(Conn::default()),
            write_lock: Mutex::new(()),
            wake: Condvar::new(),
            session: CachePadded::new(Mutex::new(Session::new())),
            waiters: Waiters::default(),
            queue,
            delivery,
            handler: CachePadded::new(Mutex::new(None)),
            reader: Mutex::new(None),
            target: Mutex::new(None),
            callback_panics: AtomicU64::new(0),
            running: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        };
        Client { handle: ClientHandle { shared: Arc::new(shared) } }
    }

    /// Creates a client and connects it to DGPhone at `host:port`.
    pub fn connect(host: &str, port: u16, options: Options) -> Result<Client> {
        let client = Client::new(options);
        client.handle.connect(host, port)?;
        Ok(client)
    }

    /// Sets the callback from a closure.
    pub fn on_event<F>(&self, handler: F) -> Result<()>
    where
        F: Fn(&ClientHandle, &ClientEvent) + Send + Sync + 'static,
    {
        self.handle.set_event_handler(Some(Arc::new(handler)))
    }

    /// A handle for other threads (commands, state, queue).
    pub fn handle(&self) -> ClientHandle {
        self.handle.clone()
    }

    /// Closes the connection and removes the callback. Same as dropping.
    pub fn close(self) {}
}

impl std::ops::Deref for Client {
    type Target = ClientHandle;

    fn deref(&self) -> &ClientHandle {
        &self.handle
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let shared = &self.handle.shared;
        // First, so that no callback starts from here on.
        shared.delivery.close();
        self.handle.disconnect();
        let inside_callback = shared.on_reader_thread();
        shared.delivery.join(inside_callback);
        if !inside_callback {
            *lock(&shared.handler) = None;
        }
    }
}
