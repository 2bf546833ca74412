//! What the simulator's threads share: the connected clients, the log of
//! received commands, the accept loop, the restart fault, and an orderly
//! stop.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::act;
use super::config::SimConfig;
use super::connection::Connection;
use super::fault::{Fault, WriteFaults};
use super::phone::Phone;
use super::scenario::{Action, ScenarioOutcome};
use super::serve;
use super::{Observer, Traffic};
use crate::protocol::names::header;
use crate::wire::Encoding;
use crate::wire::Packet;

/// Locks, ignoring poisoning: a panicking observer must not wedge the
/// simulator, and every guarded value stays consistent between statements.
pub(crate) use dgphone_proto::sync::{lock, wait_timeout, wait_timeout_while};

/// The listener's side of a restart.
#[derive(Default)]
struct Listening {
    /// A restart asked for and not yet begun: how long to stay down.
    requested: Option<Duration>,
    /// Between taking a request and listening again: the accept thread is
    /// not blocked in `accept`, so `stop` cannot (and need not) wake it
    /// with a connection.
    down: bool,
    /// Restarts that have dropped their clients, for `restart` to wait on.
    dropped: u64,
}

/// One received packet, as `commands` and `wait_for_command` see it.
struct Logged {
    packet: Packet,
    /// The simulator's answer has been sent: `wait_for_command` returns
    /// only answered commands, so a test that waited can rely on the
    /// command's effects.
    answered: bool,
    /// Already returned by `wait_for_command`.
    taken: bool,
}

pub(crate) struct Shared {
    pub(crate) config: Arc<SimConfig>,
    /// How packets and lines become bytes (from the config).
    pub(crate) encoding: Encoding,
    observer: Option<Observer>,
    silent: AtomicBool,
    stopping: AtomicBool,
    next_client_id: AtomicU64,
    clients: Mutex<Vec<Arc<Connection>>>,
    /// Signalled when a client comes, goes, logs in or out.
    clients_changed: Condvar,
    /// Every packet received, in order.
    commands: Mutex<Vec<Logged>>,
    command_answered: Condvar,
    /// The threads serving each connection, to join on stop. Lock order:
    /// `servers`, then `clients`.
    servers: Mutex<Vec<JoinHandle<()>>>,
    /// The lasting faults a new connection starts with.
    faults: Mutex<WriteFaults>,
    /// Where the listener is bound (set once it is).
    local_addr: Mutex<Option<SocketAddr>>,
    listening: Mutex<Listening>,
    /// Signalled when `listening` changes or the simulator stops.
    listening_changed: Condvar,
    /// How each connection's scenario ended, in order; `true` once
    /// returned by `wait_for_scenario`.
    outcomes: Mutex<Vec<(ScenarioOutcome, bool)>>,
    outcome_added: Condvar,
}

impl Shared {
    pub(crate) fn new(config: SimConfig, observer: Option<Observer>) -> Shared {
        let mut faults = WriteFaults::default();
        config.faults.iter().for_each(|fault| faults.set(fault));
        Shared {
            encoding: config.encoding(),
            config: Arc::new(config),
            observer,
            silent: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            next_client_id: AtomicU64::new(1),
            clients: Mutex::new(Vec::new()),
            clients_changed: Condvar::new(),
            commands: Mutex::new(Vec::new()),
            command_answered: Condvar::new(),
            servers: Mutex::new(Vec::new()),
            faults: Mutex::new(faults),
            local_addr: Mutex::new(None),
            listening: Mutex::new(Listening::default()),
            listening_changed: Condvar::new(),
            outcomes: Mutex::new(Vec::new()),
            outcome_added: Condvar::new(),
        }
    }

    /// Performs an action on every connection; a fault goes through
    /// `set_fault` (so a restart happens once).
    pub(crate) fn perform(&self, action: &Action) -> Vec<(u64, Result<(), String>)> {
        let clients = self.clients();
        if let Action::Fault(fault) = action {
            self.set_fault(fault);
            return clients.iter().map(|client| (client.id, Ok(()))).collect();
        }
        clients.iter().map(|client| (client.id, act::perform(client, self, action))).collect()
    }

    /// Performs an action on one connection (a fault on it alone; a
    /// restart still restarts everything).
    pub(crate) fn perform_on(&self, id: u64, action: &Action) -> Option<Result<(), String>> {
        let client = self.clients().into_iter().find(|client| client.id == id)?;
        Some(act::perform(&client, self, action))
    }

    pub(crate) fn scenario_ended(&self, outcome: ScenarioOutcome) {
        self.observe(&Traffic::ScenarioEnded { client: outcome.client, outcome: &outcome });
        lock(&self.outcomes).push((outcome, false));
        self.outcome_added.notify_all();
    }

    pub(crate) fn scenario_outcomes(&self) -> Vec<ScenarioOutcome> {
        lock(&self.outcomes).iter().map(|(outcome, _)| outcome.clone()).collect()
    }

    pub(crate) fn wait_for_scenario(&self, timeout: Duration) -> Option<ScenarioOutcome> {
        let outcomes = lock(&self.outcomes);
        let mut outcomes = wait_timeout_while(&self.outcome_added, outcomes, timeout, |outcomes| {
            outcomes.iter().all(|(_, taken)| *taken)
        });
        let (outcome, taken) = outcomes.iter_mut().find(|(_, taken)| !*taken)?;
        *taken = true;
        Some(outcome.clone())
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Sets a lasting fault on every connection and every future one, or
    /// plays a one-shot fault now on every connection (a restart, once).
    pub(crate) fn set_fault(&self, fault: &Fault) {
        if let Fault::Restart(down_for) = fault {
            self.observe(&Traffic::Fault { client: None, fault });
            self.restart(*down_for);
            return;
        }
        if fault.is_lasting() {
            lock(&self.faults).set(fault);
        }
        for client in self.clients() {
            client.fire(self, fault);
        }
    }

    /// Clears the lasting faults of every connection and future one.
    pub(crate) fn clear_faults(&self) {
        *lock(&self.faults) = WriteFaults::default();
        for client in self.clients() {
            client.clear_faults();
        }
    }

    /// Asks the accept thread to drop every client, close the port for
    /// `down_for`, then listen again. Returns once the port is closed and
    /// the clients are dropped, so a caller can count on refused
    /// connections; at once if a restart is already under way.
    pub(crate) fn restart(&self, down_for: Duration) {
        let before = {
            let mut listening = lock(&self.listening);
            if listening.down || listening.requested.is_some() || self.is_stopping() {
                return;
            }
            listening.requested = Some(down_for);
            listening.dropped
        };
        let addr = match *lock(&self.local_addr) {
            Some(addr) => reachable(addr),
            None => return,
        };
        // The accept thread sees the request once `accept` returns.
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
        let listening = lock(&self.listening);
        let _ = self.listening_changed.wait_timeout_while(listening, Duration::from_secs(5), |l| l.dropped == before);
    }

    /// The accept thread takes a pending restart request, if any; from then
    /// on it is down until `listen_again`.
    fn take_restart(&self) -> Option<Duration> {
        let mut listening = lock(&self.listening);
        let down_for = listening.requested.take()?;
        listening.down = true;
        Some(down_for)
    }

    fn restart_dropped(&self) {
        lock(&self.listening).dropped += 1;
        self.listening_changed.notify_all();
    }

    /// Waits out the down time, then binds `addr` again (retrying while
    /// something else holds it). `None` when the simulator stopped.
    fn listen_again(&self, addr: SocketAddr, down_for: Duration) -> Option<TcpListener> {
        let mut wait = down_for;
        loop {
            let listening = lock(&self.listening);
            let listening = wait_timeout_while(&self.listening_changed, listening, wait, |_| !self.is_stopping());
            drop(listening);
            if self.is_stopping() {
                return None;
            }
            if let Ok(listener) = TcpListener::bind(addr) {
                let mut listening = lock(&self.listening);
                listening.down = false;
                // Checked under the lock `stop` sets `stopping` under: either
                // it is seen here, or `stop` finds the port open and wakes
                // `accept` with a connection.
                return if self.is_stopping() { None } else { Some(listener) };
            }
            wait = Duration::from_millis(50);
        }
    }

    pub(crate) fn observe(&self, traffic: &Traffic<'_>) {
        if let Some(observer) = &self.observer {
            observer(traffic);
        }
    }

    pub(crate) fn is_silent(&self) -> bool {
        self.silent.load(Ordering::SeqCst)
    }

    pub(crate) fn set_silent(&self, silent: bool) {
        self.silent.store(silent, Ordering::SeqCst);
    }

    /// A snapshot, so no lock is held while writing to the clients.
    pub(crate) fn clients(&self) -> Vec<Arc<Connection>> {
        lock(&self.clients).clone()
    }

    pub(crate) fn connections(&self) -> usize {
        lock(&self.clients).len()
    }

    /// Wakes `wait_for_logins`. Taking the lock orders the wake-up after
    /// the change the waiter re-checks.
    pub(crate) fn clients_changed(&self) {
        let _clients = lock(&self.clients);
        self.clients_changed.notify_all();
    }

    pub(crate) fn forget(&self, client: &Arc<Connection>) {
        lock(&self.clients).retain(|c| !Arc::ptr_eq(c, client));
        self.clients_changed();
    }

    /// Closes every client now and forgets them at once, so a following
    /// `connections()` or `wait_for_logins` sees only new clients.
    pub(crate) fn disconnect_all(&self) {
        let gone = std::mem::take(&mut *lock(&self.clients));
        for client in &gone {
            client.shutdown();
        }
        self.clients_changed();
    }

    pub(crate) fn wait_for_logins(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut clients = lock(&self.clients);
        loop {
            if clients.iter().filter(|c| c.is_logged_in()).count() >= n {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            clients = wait_timeout(&self.clients_changed, clients, left);
        }
    }

    /// Logs a received packet before it is handled (so `commands` lists
    /// everything a client has seen answered); returns its place.
    pub(crate) fn record(&self, packet: &Packet) -> usize {
        let mut log = lock(&self.commands);
        log.push(Logged { packet: packet.clone(), answered: false, taken: false });
        log.len() - 1
    }

    /// Marks the packet at `entry` as answered.
    pub(crate) fn answered(&self, entry: usize) {
        lock(&self.commands)[entry].answered = true;
        self.command_answered.notify_all();
    }

    pub(crate) fn commands(&self) -> Vec<Packet> {
        lock(&self.commands).iter().map(|logged| logged.packet.clone()).collect()
    }

    pub(crate) fn wait_for_command(&self, name: &str, timeout: Duration) -> Option<Packet> {
        let deadline = Instant::now() + timeout;
        let mut log = lock(&self.commands);
        loop {
            // The first match not yet returned; if it is still being
            // answered, wait for it rather than skip ahead.
            let found = log.iter_mut().find(|logged| {
                let command = logged.packet.get(header::COMMAND).unwrap_or("").trim();
                !logged.taken && command.eq_ignore_ascii_case(name)
            });
            if let Some(logged) = found.filter(|logged| logged.answered) {
                logged.taken = true;
                return Some(logged.packet.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            log = wait_timeout(&self.command_answered, log, left);
        }
    }
}

/// Binds, and starts the accept thread.
pub(crate) fn listen(
    addr: impl std::net::ToSocketAddrs,
    shared: &Arc<Shared>,
) -> io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr)?;
    let local_addr = listener.local_addr()?;
    *lock(&shared.local_addr) = Some(local_addr);
    let shared = Arc::clone(shared);
    let thread = thread::Builder::new()
        .name("dgphone-sim-accept".into())
        .spawn(move || accept_loop(listener, local_addr, &shared))?;
    Ok((local_addr, thread))
}

/// Waits for the next connection. Interrupted and aborted accepts are
/// retried; after other errors (out of descriptors and the like) it waits a
/// little rather than spin.
pub(crate) fn accept_next(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept() {
            Ok((stream, _)) => return stream,
            Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted) => {}
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn accept_loop(mut listener: TcpListener, local_addr: SocketAddr, shared: &Arc<Shared>) {
    loop {
        let stream = accept_next(&listener);
        if shared.is_stopping() {
            return;
        }
        if let Some(down_for) = shared.take_restart() {
            // Close the port first, so clients trying to come back are refused.
            drop(stream);
            drop(listener);
            shared.disconnect_all();
            shared.restart_dropped();
            shared.observe(&Traffic::Restarting { down_for });
            listener = match shared.listen_again(local_addr, down_for) {
                Some(listener) => listener,
                None => return,
            };
            shared.observe(&Traffic::Listening { addr: local_addr });
            continue;
        }
        let id = shared.next_client_id.fetch_add(1, Ordering::SeqCst);
        let phone = Phone::new(Arc::clone(&shared.config));
        let (client, reader) = match Connection::new(id, stream, phone, *lock(&shared.faults)) {
            Ok(parts) => parts,
            Err(_) => continue, // the peer is already gone
        };
        let client = Arc::new(client);
        // Under the servers lock, so stop() either sees this thread or
        // this loop sees stop() (when the wake-up could not be delivered).
        let mut servers = lock(&shared.servers);
        if shared.is_stopping() {
            return;
        }
        servers.retain(|server| !server.is_finished());
        lock(&shared.clients).push(Arc::clone(&client));
        let serve_shared = Arc::clone(shared);
        let served_client = Arc::clone(&client);
        let spawned = thread::Builder::new()
            .name(format!("dgphone-sim-client-{id}"))
            .spawn(move || serve::run(served_client, reader, serve_shared));
        match spawned {
            Ok(handle) => servers.push(handle),
            Err(_) => {
                drop(servers);
                client.shutdown();
                shared.forget(&client);
            }
        }
    }
}

/// Stops accepting, closes every client and joins every thread. Bounded:
/// the accept thread is woken by a connection to itself, and shutting a
/// socket down wakes a serving thread blocked on it.
pub(crate) fn stop(shared: &Shared, local_addr: SocketAddr, accept_thread: JoinHandle<()>) {
    {
        let _listening = lock(&shared.listening);
        shared.stopping.store(true, Ordering::SeqCst);
    }
    // Wakes an accept thread waiting out a restart's down time.
    shared.listening_changed.notify_all();
    let woken = TcpStream::connect_timeout(&reachable(local_addr), Duration::from_secs(2)).is_ok();
    if woken || lock(&shared.listening).down || accept_thread.is_finished() {
        let _ = accept_thread.join();
    }
    // Otherwise the accept thread is left to exit on its next connection;
    // it checks `stopping` and starts nothing more.
    let servers = std::mem::take(&mut *lock(&shared.servers));
    shared.disconnect_all();
    for server in servers {
        let _ = server.join();
    }
}

/// The address to connect to in order to reach a listener bound to
/// `local_addr` (a wildcard address is reached through loopback).
pub(crate) fn reachable(local_addr: SocketAddr) -> SocketAddr {
    let mut addr = local_addr;
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(Ipv4Addr::LOCALHOST.into()),
        IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(Ipv6Addr::LOCALHOST.into()),
        _ => {}
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_addresses_are_reached_through_loopback() {
        let v4: SocketAddr = "0.0.0.0:5038".parse().unwrap();
        assert_eq!(reachable(v4), "127.0.0.1:5038".parse().unwrap());
        let v6: SocketAddr = "[::]:5038".parse().unwrap();
        assert_eq!(reachable(v6), "[::1]:5038".parse().unwrap());
        let specific: SocketAddr = "192.0.2.1:5038".parse().unwrap();
        assert_eq!(reachable(specific), specific);
    }
}
