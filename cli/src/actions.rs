//! What the action subcommands and the console's commands do, the same
//! for both: send a command and wait until DGPhone confirms it with the
//! event it causes (PROTOCOL.md), so the exit code tells whether it took.

use std::time::{Duration, Instant};

use dgphone::protocol::names::command;
use dgphone::{ClientHandle, Command, Event, EventKind, Line, LineState};

use crate::failure::Failure;

/// A line number from the command line, checked.
pub fn line(number: u32) -> Result<Line, Failure> {
    Line::new(number).map_err(Failure::invalid)
}

pub fn optional_line(number: Option<u32>) -> Result<Option<Line>, Failure> {
    number.map(line).transpose()
}

/// Checks a command's arguments before anything is sent (or connected).
pub fn check(command: &Command) -> Result<(), Failure> {
    command.validate().map_err(Failure::invalid)
}

/// What `hold` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldMode {
    Toggle,
    On,
    Off,
}

impl HoldMode {
    pub fn from_flags(on: bool, off: bool) -> HoldMode {
        match (on, off) {
            (true, _) => HoldMode::On,
            (_, true) => HoldMode::Off,
            _ => HoldMode::Toggle,
        }
    }

    fn command(self) -> Command {
        Command::Hold(match self {
            HoldMode::Toggle => None,
            HoldMode::On => Some(true),
            HoldMode::Off => Some(false),
        })
    }
}

/// The statuses DGPhone answers `Status` with, one per line.
fn is_line_status(kind: EventKind) -> bool {
    use EventKind::*;
    matches!(kind, Ready | ReceivingCall | Dialing | Answer | Hold | Hangup | Busy | OtherStatus)
}

/// The actions, on one logged-in client, each waiting up to `wait`.
pub struct Actions<'a> {
    client: &'a ClientHandle,
    wait: Duration,
}

impl<'a> Actions<'a> {
    pub fn new(client: &'a ClientHandle, wait: Duration) -> Actions<'a> {
        Actions { client, wait }
    }

    fn confirm(&self, command: Command) -> Result<Event, Failure> {
        let name = command.name().to_string();
        let doing = match command.line() {
            Some(line) => format!("{name} on line {line}"),
            None => name,
        };
        self.client.send_and_confirm(&command, self.wait).map_err(|e| Failure::from_error(e, &doing))
    }

    /// A test for events of the logged-in extension (one connection may
    /// carry other extensions' events). The extension is read now: a wait's
    /// test runs on the reader thread, which must not be made to wait.
    fn own_events(&self) -> impl Fn(&Event) -> bool + Send + Sync + 'static {
        let own = self.client.user();
        move |event| match (event.user(), own.as_deref()) {
            (Some(theirs), Some(ours)) => theirs.eq_ignore_ascii_case(ours),
            _ => true,
        }
    }

    /// The line a command given none should act on, when DGPhone's
    /// selected line would be the wrong one: the only line with a call,
    /// when the selected line has none (or which one is selected is not
    /// known). Answering a call does not select its line, so without this
    /// `hold` after `answer 2` would act on line 1.
    pub fn line_in_call(&self) -> Option<Line> {
        let state = self.client.state();
        let in_call = |line: Line| {
            matches!(state.line(line).state, LineState::Dialing | LineState::Connected | LineState::OnHold)
        };
        if state.selected().is_some_and(in_call) {
            return None;
        }
        let mut calls = Line::all().filter(|&line| in_call(line));
        match (calls.next(), calls.next()) {
            (Some(line), None) => Some(line),
            _ => None,
        }
    }

    /// Selects `line`, or the line in a call when none is given and the
    /// selected one would be wrong (see [`Actions::line_in_call`]).
    fn select_for(&self, line: Option<Line>) -> Result<(), Failure> {
        match line.or_else(|| self.line_in_call()) {
            Some(line) => self.select(line).map(drop),
            None => Ok(()),
        }
    }

    pub fn select(&self, line: Line) -> Result<Event, Failure> {
        self.confirm(Command::LineSelect(line))
    }

    /// Selects `line` first when given, then dials: returns the Dialing.
    pub fn call(&self, number: &str, line: Option<Line>) -> Result<Event, Failure> {
        if let Some(line) = line {
            self.select(line)?;
        }
        self.confirm(Command::Dial { number: number.to_string(), line: None })
    }

    /// Answers `line`, else the ringing line when the client knows of one
    /// (ask [`Actions::status`] first to know), else DGPhone's selected
    /// line. With `wait_for_ring`, a call that starts ringing within that
    /// time is answered too.
    pub fn answer(&self, line: Option<Line>, wait_for_ring: Option<Duration>) -> Result<Event, Failure> {
        if line.is_some() {
            return self.confirm(Command::Answer(line));
        }
        let ringing = || Line::all().find(|&l| self.client.line(l).state == LineState::Offering);
        let target = match (ringing(), wait_for_ring) {
            (Some(line), _) => Some(line),
            (None, None) => None,
            (None, Some(wait)) => {
                // Registered now, so a call that rings from here on is seen;
                // the state is read again for one that rang just before.
                let own = self.own_events();
                let ring =
                    self.client.expect(move |e| e.kind() == EventKind::ReceivingCall && e.line().is_some() && own(e));
                match ringing() {
                    Some(line) => Some(line),
                    None => {
                        let event =
                            ring.wait(wait).map_err(|e| Failure::from_error(e, "waiting for a call to ring"))?;
                        event.line()
                    }
                }
            }
        };
        self.confirm(Command::Answer(target))
    }

    /// Hangs up `line`, else the line in a call, else DGPhone's selected
    /// line.
    pub fn hangup(&self, line: Option<Line>) -> Result<Event, Failure> {
        self.confirm(Command::Hangup(line.or_else(|| self.line_in_call())))
    }

    /// Holds on `line` (selecting it first), else on the line in a call,
    /// else on DGPhone's selected line.
    pub fn hold(&self, mode: HoldMode, line: Option<Line>) -> Result<Event, Failure> {
        self.select_for(line)?;
        self.confirm(mode.command())
    }

    /// Sends DTMF on `line` (selecting it first), else on the line in a
    /// call, else on DGPhone's selected line. Nothing confirms DTMF, so a
    /// Status follows it: DGPhone handles commands in order, so once the
    /// Status is answered the digits were taken or refused, and a refusal
    /// is reported.
    pub fn dtmf(&self, digits: &str, line: Option<Line>) -> Result<Vec<Event>, Failure> {
        self.select_for(line)?;
        let own = self.own_events();
        let refusal = self.client.expect(move |e| e.kind() == EventKind::Error && own(e));
        self.client.send_dtmf(digits).map_err(|e| Failure::from_error(e, command::SEND_DTMF))?;
        let statuses = self.status()?;
        match refusal.wait(Duration::ZERO) {
            Ok(event) => Err(Failure::refused(command::SEND_DTMF, event)),
            Err(_) => Ok(statuses),
        }
    }

    /// Asks for Status and waits for the answer about each of the six
    /// lines; the client's line state is then DGPhone's. Returns those
    /// events, line 1 first.
    pub fn status(&self) -> Result<Vec<Event>, Failure> {
        let waits: Vec<_> = Line::all()
            .map(|line| {
                let own = self.own_events();
                self.client.expect(move |e| e.line() == Some(line) && is_line_status(e.kind()) && own(e))
            })
            .collect();
        self.client.request_status().map_err(|e| Failure::from_error(e, command::STATUS))?;
        let deadline = Instant::now() + self.wait;
        waits
            .into_iter()
            .map(|wait| {
                let left = deadline.saturating_duration_since(Instant::now());
                wait.wait(left).map_err(|e| Failure::from_error(e, command::STATUS))
            })
            .collect()
    }
}
