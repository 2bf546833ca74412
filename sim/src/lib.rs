//! A DGPhone simulator: a TCP server that speaks DGPhone's remote-control
//! protocol, for the library's integration tests, for demos, and for host
//! applications' own tests.
//!
//! Each connected client gets its own simulated DGPhone: a login, six lines
//! and a selected line (line 1 at first). It plays the call flows described
//! in PROTOCOL.md: Login answered by a `DGPhoneResponse`, LineSelect, Dial
//! (the far end answers at once, or after [`SimConfig::answer_delay`],
//! unless [`SimConfig::auto_answer`] is off),
//! Answer, Hold (toggle or `Hold: 0|1`), SendDtmf, Hangup (then Ready),
//! Status (one event per line), logoff (UserLogoff, then the connection
//! closes), QueueStatus, AgentPause, and the agent login (dial the feature
//! code, then the agent code and the password as DTMF ending in `#`).
//! Commands act on the selected line unless they carry `Line:` (Dial,
//! Answer, Hangup, and Hold too); SendDtmf always uses the selected line.
//! A refused command is answered by `Status: Error` with a colon-free
//! `Message:` (field parsers split on every `:`); `Command: DGTimeStamp`
//! by a `DGTimeStamp`.
//!
//! The owner plays the far end and the PBX: [`Simulator::incoming_call`],
//! [`Simulator::far_end_answer`], [`Simulator::far_end_hangup`],
//! [`Simulator::dtmf_received`], [`Simulator::agent_event`], any
//! [`Action`] ([`Simulator::perform`]), or any packet or bytes at all.
//! Everything received is logged for assertions ([`Simulator::commands`],
//! [`Simulator::wait_for_command`]).
//!
//! Beyond that:
//! - **Scenarios** ([`Scenario`], [`SimConfig::scenario`]): a small text
//!   format, played against each connection with its own progress: waits,
//!   expected commands, events, far-end actions, faults. Five ship with
//!   the crate (`Scenario::builtin("incoming-call")`); see
//!   `scenarios/README.md` for the format.
//! - **Behaviour switches** in [`SimConfig`]: login accepted, rejected with
//!   DGPhone's message or ignored, and how a refusal is told; timestamp
//!   interval, fields, and whether they start at connect; the far end's
//!   answer delay; what an idle hangup gets; CRLF or bare LF; greeting or
//!   none; Windows-1252 text. A [`Profile`] sets the field behaviours of a
//!   family of DGPhones at once.
//! - **Faults** ([`Fault`]): lasting (delay, one byte per write, silent)
//!   or one-shot (close mid-packet, oversize, invalid UTF-8, NUL, garbage,
//!   flood, restart), at start ([`SimConfig::faults`]), at run time
//!   ([`Simulator::set_fault`]) or from a scenario (one connection).
//! - **Record and replay**: [`Recorder`] writes the raw traffic in the wire
//!   recording format ([`crate::wire::record`]); [`Replay`] serves a
//!   recording (the simulator's, or a client's `Options::wire_log`).
//!
//! ```
//! use std::io::Write;
//! use std::net::TcpStream;
//! use std::time::Duration;
//! use dgphone_sim::{SimConfig, Simulator};
//! use dgphone_proto::Line;
//!
//! let sim = Simulator::start("127.0.0.1:0", SimConfig::default())?;
//! let mut client = TcpStream::connect(sim.local_addr())?;
//! client.write_all(b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\n\r\n")?;
//! assert!(sim.wait_for_logins(1, Duration::from_secs(10)));
//! sim.incoming_call(Line::new(1).unwrap(), "5511999990000");
//! // The client reads the greeting, the Login response, then ReceivingCall.
//! sim.stop();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Threads: one accepts connections, one serves each client. The library
//! never prints; pass an observer to [`Simulator::start_with_observer`] to
//! see the traffic (the `dgphone-sim` binary, in the dgphone-cli package, prints it).

mod act;
mod clock;
mod config;
mod connection;
mod duration;
mod fault;
pub mod ffi;
mod phone;
mod player;
mod profile;
mod record;
mod replay;
mod scenario;
mod serve;
mod server;
mod traffic;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use config::{IdleHangup, LineEnding, LoginPolicy, LoginRefusal, SimConfig, TimestampFields};
pub use fault::Fault;
pub use profile::Profile;
pub use record::Recorder;
pub use replay::{Replay, ReplayOptions};
pub use scenario::{Action, Scenario, ScenarioError, ScenarioFailure, ScenarioOutcome, DEFAULT_EXPECT_TIMEOUT};

// The protocol as this crate's own modules, so every file names it the
// same way whichever crate it once lived in.
pub(crate) use dgphone_proto::{protocol, wire};
use protocol::{EventKind, Line};
use server::Shared;
pub use traffic::Traffic;
use wire::Packet;

/// Told of every [`Traffic`]. It runs on the simulator's threads, at times
/// while a client's lock is held: it must return quickly and must not call
/// the [`Simulator`]'s injection or send methods.
pub type Observer = Arc<dyn Fn(&Traffic<'_>) + Send + Sync>;

/// A running simulator. Stopping it (with [`Simulator::stop`] or by dropping
/// it) closes the listener and every client and joins every thread.
pub struct Simulator {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    /// `None` once stopped.
    accept_thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Listens on `addr` (`"127.0.0.1:0"` picks a free port) and starts
    /// serving clients.
    pub fn start(addr: impl ToSocketAddrs, config: SimConfig) -> io::Result<Simulator> {
        Simulator::start_inner(addr, config, None)
    }

    /// Like [`Simulator::start`], telling `observer` of every connection,
    /// packet and byte that goes through.
    pub fn start_with_observer(
        addr: impl ToSocketAddrs,
        config: SimConfig,
        observer: impl Fn(&Traffic<'_>) + Send + Sync + 'static,
    ) -> io::Result<Simulator> {
        Simulator::start_inner(addr, config, Some(Arc::new(observer)))
    }

    fn start_inner(addr: impl ToSocketAddrs, config: SimConfig, observer: Option<Observer>) -> io::Result<Simulator> {
        let shared = Arc::new(Shared::new(config, observer));
        let (local_addr, accept_thread) = server::listen(addr, &shared)?;
        Ok(Simulator { shared, local_addr, accept_thread: Some(accept_thread) })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// How many clients are connected now.
    pub fn connections(&self) -> usize {
        self.shared.connections()
    }

    /// Waits until at least `n` connected clients are logged in; false if
    /// that did not happen within `timeout`.
    pub fn wait_for_logins(&self, n: usize, timeout: Duration) -> bool {
        self.shared.wait_for_logins(n, timeout)
    }

    /// Plays a happening on every logged-in client's phone.
    fn inject(&self, happening: &dyn Fn(&mut phone::Phone) -> Vec<Packet>) {
        for client in self.shared.clients() {
            client.inject(&self.shared, happening);
        }
    }

    /// A call from `number` rings on `line` (`ReceivingCall`). Clients whose
    /// line is busy hear nothing.
    pub fn incoming_call(&self, line: Line, number: &str) {
        self.inject(&|phone| phone.incoming_call(line, number));
    }

    /// The far end answers the call being dialled on `line` (`Answer`), for
    /// use with [`SimConfig::auto_answer`] off (or before the answer delay
    /// is over). Only lines that are Dialing.
    pub fn far_end_answer(&self, line: Line) {
        self.inject(&|phone| phone.far_end_answer(line));
    }

    /// The far end hangs up the call on `line` (`Hangup`, then `Ready`).
    /// Only lines with a call (ringing, dialling, connected or held).
    pub fn far_end_hangup(&self, line: Line) {
        self.inject(&|phone| phone.far_end_hangup(line));
    }

    /// The far end sends a DTMF digit (`DTMFReceived` with `Digit`). Only
    /// lines dialling or connected, and only `0-9 * # A-D`.
    pub fn dtmf_received(&self, line: Line, digit: char) {
        self.inject(&|phone| phone.dtmf_received(line, digit));
    }

    /// An agent event from the PBX (`AgentCalled`, `AgentConnect`,
    /// `AgentComplete`, `AgentLogoff`...) with `Agent:` and, when given,
    /// `Uniqueid:`. A kind with no DGPhoneEvent status name (such as
    /// [`EventKind::TimeStamp`]) sends nothing.
    pub fn agent_event(&self, status: EventKind, agent: &str, uniqueid: Option<&str>) {
        self.inject(&|phone| phone.agent_event(status, agent, uniqueid));
    }

    /// Sends `packet` as it is, in one write, to every logged-in client.
    pub fn send_packet(&self, packet: &Packet) {
        for client in self.shared.clients().iter().filter(|c| c.is_logged_in()) {
            client.send(&self.shared, std::slice::from_ref(packet));
        }
    }

    /// Sends `bytes` as they are, in one write, to every connected client,
    /// logged in or not: for partial packets and garbage.
    pub fn send_raw(&self, bytes: &[u8]) {
        for client in self.shared.clients() {
            client.send_raw(&self.shared, bytes);
        }
    }

    /// While silent the simulator sends nothing at all (no answers, no
    /// timestamps, no injections) but still reads and logs every command,
    /// so clients can test their timeouts.
    pub fn set_silent(&self, silent: bool) {
        self.shared.set_silent(silent);
    }

    /// Sets a fault. A lasting one ([`Fault::is_lasting`]: delay, byte at a
    /// time, silent) applies to every connection, now and future, until
    /// [`Simulator::clear_faults`]. A one-shot one is played once, now, on
    /// every connection (logged in or not); [`Fault::Restart`] restarts the
    /// simulator once. To play one-shot faults on future connections too,
    /// list them in [`SimConfig::faults`].
    pub fn set_fault(&self, fault: Fault) {
        self.shared.set_fault(&fault);
    }

    /// Clears the lasting faults of every connection, now and future.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Drops every client, closes the port for `down_for` (connections are
    /// refused), then listens on the same port again: DGPhone or its host
    /// restarting. Returns once the port is closed and the clients are
    /// dropped; the simulator comes back by itself. Does nothing while a
    /// restart is already under way.
    pub fn restart(&self, down_for: Duration) {
        self.shared.restart(down_for);
    }

    /// Performs an action (any scenario step but wait, timeout and expect)
    /// on every connected client now, e.g. `"ring 1 5511".parse()`. Returns
    /// each client's number with what happened: an error says why the
    /// action did not fit that client (not logged in, line busy...).
    pub fn perform(&self, action: &Action) -> Vec<(u64, Result<(), String>)> {
        self.shared.perform(action)
    }

    /// Performs an action on one client only, numbered as in [`Traffic`]
    /// and [`ScenarioOutcome`]; `None` when it is not connected.
    pub fn perform_on(&self, client: u64, action: &Action) -> Option<Result<(), String>> {
        self.shared.perform_on(client, action)
    }

    /// Waits for the next scenario run to end (in the order they ended)
    /// that this method has not returned before; `None` if none ended
    /// within `timeout`. Runs that ended before the call count.
    pub fn wait_for_scenario(&self, timeout: Duration) -> Option<ScenarioOutcome> {
        self.shared.wait_for_scenario(timeout)
    }

    /// How every scenario run so far ended, in order.
    pub fn scenario_outcomes(&self) -> Vec<ScenarioOutcome> {
        self.shared.scenario_outcomes()
    }

    /// Closes every client's connection now; the simulator keeps listening.
    /// On return, [`Simulator::connections`] no longer counts them.
    pub fn disconnect_all(&self) {
        self.shared.disconnect_all();
    }

    /// Every packet received from any client, in the order received. A
    /// packet is logged once the simulator has answered it. The log lasts as
    /// long as the simulator.
    pub fn commands(&self) -> Vec<Packet> {
        self.shared.commands()
    }

    /// Waits for the first received packet whose `Command:` is `name`
    /// (without regard to case) that this method has not returned before.
    /// Commands received before the call count. When it returns, the
    /// simulator has already sent its answer to that command.
    pub fn wait_for_command(&self, name: &str, timeout: Duration) -> Option<Packet> {
        self.shared.wait_for_command(name, timeout)
    }

    /// Stops: closes the listener and every client and joins every thread.
    /// Dropping the simulator does the same.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(accept_thread) = self.accept_thread.take() {
            server::stop(&self.shared, self.local_addr, accept_thread);
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("local_addr", &self.local_addr)
            .field("connections", &self.connections())
            .finish()
    }
}
