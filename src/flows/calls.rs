//! The call actions as a person means them: each sends its command and
//! waits until DGPhone confirms it with the event it causes (PROTOCOL.md),
//! and a command given no line acts on the line that person means (the
//! ringing one for Answer, the one in a call for Hangup, Hold and DTMF),
//! not blindly on DGPhone's selected line. The `dgphone` command and the C
//! ABI run these same functions. Not from inside a callback: each waits
//! for the client's threads.

use std::fmt;
use std::time::{Duration, Instant};

use crate::client::ClientHandle;
use crate::protocol::names::command;
use crate::protocol::{Command, Event, EventKind, Line};
use crate::Error;

/// What a hold does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldMode {
    /// Toggle (the documented Hold).
    Toggle,
    /// Put on hold (`Hold: 1`).
    On,
    /// Take off hold (`Hold: 0`).
    Off,
}

impl HoldMode {
    fn command(self) -> Command {
        Command::Hold(match self {
            HoldMode::Toggle => None,
            HoldMode::On => Some(true),
            HoldMode::Off => Some(false),
        })
    }
}

/// A failed action: what it was doing when it failed ("Answer on line 4",
/// "waiting for a call to ring", "Status"), and why.
#[derive(Debug)]
pub struct StepError {
    pub doing: String,
    pub error: Error,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.doing, self.error)
    }
}

impl std::error::Error for StepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

type Result<T> = std::result::Result<T, StepError>;

fn step(doing: impl Into<String>) -> impl FnOnce(Error) -> StepError {
    let doing = doing.into();
    move |error| StepError { doing, error }
}

/// Sends `command` and waits up to `timeout` for its confirmation.
fn confirm(client: &ClientHandle, command: Command, timeout: Duration) -> Result<Event> {
    let doing = match command.line() {
        Some(line) => format!("{} on line {line}", command.name()),
        None => command.name().to_string(),
    };
    client.send_and_confirm(&command, timeout).map_err(step(doing))
}

/// Refuses bad input before anything is sent: a flow that selects a line
/// first must not select it for a command it will then refuse.
fn checked(command: Command) -> Result<Command> {
    match command.validate() {
        Ok(()) => Ok(command),
        Err(error) => Err(StepError { doing: command.name().to_string(), error: error.into() }),
    }
}

/// A test for events of the logged-in extension, read now: a wait's test
/// runs on the reader thread, which must not be made to wait.
fn own_events(client: &ClientHandle) -> impl Fn(&Event) -> bool + Send + Sync + 'static {
    let own = client.user();
    move |event| event.is_for(own.as_deref())
}

/// Selects `line`, or the line in a call when none is given and the
/// selected one would be wrong ([`PhoneState::line_in_call`](crate::PhoneState::line_in_call)).
fn select_for(client: &ClientHandle, line: Option<Line>, timeout: Duration) -> Result<()> {
    match line.or_else(|| client.state().line_in_call()) {
        Some(line) => select(client, line, timeout).map(drop),
        None => Ok(()),
    }
}

/// Selects `line`: returns the LineSelected.
pub fn select(client: &ClientHandle, line: Line, timeout: Duration) -> Result<Event> {
    confirm(client, Command::LineSelect(line), timeout)
}

/// Selects `line` first when given, then dials: returns the Dialing.
pub fn call(client: &ClientHandle, number: &str, line: Option<Line>, timeout: Duration) -> Result<Event> {
    let dial = checked(Command::Dial { number: number.to_string(), line: None })?;
    if let Some(line) = line {
        select(client, line, timeout)?;
    }
    confirm(client, dial, timeout)
}

/// Answers `line`, else the ringing line when the client knows of one (ask
/// [`status`] first to know), else DGPhone's selected line. With
/// `wait_for_ring`, a call that starts ringing within that time is
/// answered too. Returns the Answer.
pub fn answer(
    client: &ClientHandle,
    line: Option<Line>,
    wait_for_ring: Option<Duration>,
    timeout: Duration,
) -> Result<Event> {
    if line.is_some() {
        return confirm(client, Command::Answer(line), timeout);
    }
    let ringing = || client.state().ringing_line();
    let target = match (ringing(), wait_for_ring) {
        (Some(line), _) => Some(line),
        (None, None) => None,
        (None, Some(wait)) => {
            // Registered now, so a call that rings from here on is seen;
            // the state is read again for one that rang just before.
            let own = own_events(client);
            let ring = client.expect(move |e| e.kind() == EventKind::ReceivingCall && e.line().is_some() && own(e));
            match ringing() {
                Some(line) => Some(line),
                None => ring.wait(wait).map_err(step("waiting for a call to ring"))?.line(),
            }
        }
    };
    confirm(client, Command::Answer(target), timeout)
}

/// Hangs up `line`, else the line in a call, else DGPhone's selected line.
/// Returns the Hangup.
pub fn hangup(client: &ClientHandle, line: Option<Line>, timeout: Duration) -> Result<Event> {
    confirm(client, Command::Hangup(line.or_else(|| client.state().line_in_call())), timeout)
}

/// Holds on `line` (selecting it first), else on the line in a call, else
/// on DGPhone's selected line. Returns the Hold.
pub fn hold(client: &ClientHandle, mode: HoldMode, line: Option<Line>, timeout: Duration) -> Result<Event> {
    select_for(client, line, timeout)?;
    confirm(client, mode.command(), timeout)
}

/// Sends DTMF on `line` (selecting it first), else on the line in a call,
/// else on DGPhone's selected line. Nothing confirms DTMF, so a Status
/// follows it: DGPhone handles commands in order, so once the Status is
/// answered the digits were taken or refused, and a refusal is reported.
/// Returns the Status answers.
pub fn dtmf(client: &ClientHandle, digits: &str, line: Option<Line>, timeout: Duration) -> Result<Vec<Event>> {
    let send_dtmf = checked(Command::SendDtmf(digits.to_string()))?;
    select_for(client, line, timeout)?;
    let own = own_events(client);
    let refusal = client.expect(move |e| e.kind() == EventKind::Error && own(e));
    client.send(&send_dtmf).map_err(step(command::SEND_DTMF))?;
    let statuses = status(client, timeout)?;
    match refusal.wait(Duration::ZERO) {
        Ok(event) => {
            Err(StepError { doing: command::SEND_DTMF.into(), error: Error::CommandFailed { event: Box::new(event) } })
        }
        Err(_) => Ok(statuses),
    }
}

/// Asks for Status and waits up to `timeout` in all for the answer about
/// each of the six lines; the client's line state is then DGPhone's.
/// Returns those events, line 1 first.
pub fn status(client: &ClientHandle, timeout: Duration) -> Result<Vec<Event>> {
    let waits: Vec<_> = Line::all()
        .map(|line| {
            let own = own_events(client);
            client.expect(move |e| e.line() == Some(line) && e.kind().is_line_status() && own(e))
        })
        .collect();
    client.request_status().map_err(step(command::STATUS))?;
    let deadline = Instant::now() + timeout;
    waits
        .into_iter()
        .map(|wait| wait.wait(deadline.saturating_duration_since(Instant::now())).map_err(step(command::STATUS)))
        .collect()
}
