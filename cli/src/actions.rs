//! What the action subcommands and the console's commands do, the same
//! for both: the library's call flows (`dgphone::flows::calls`), which send
//! a command and wait until DGPhone confirms it, with their failures put
//! in the command's words, so the exit code tells whether it took.

use std::time::Duration;

use dgphone::flows::{self, HoldMode, StepError};
use dgphone::{ClientHandle, Command, Event, Line};

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

/// What `hold --on`/`--off` ask for.
pub fn hold_mode(on: bool, off: bool) -> HoldMode {
    match (on, off) {
        (true, _) => HoldMode::On,
        (_, true) => HoldMode::Off,
        _ => HoldMode::Toggle,
    }
}

fn failure(e: StepError) -> Failure {
    Failure::from_error(e.error, &e.doing)
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

    /// The line a command given none acts on when DGPhone's selected one
    /// would be wrong (`PhoneState::line_in_call`).
    pub fn line_in_call(&self) -> Option<Line> {
        self.client.state().line_in_call()
    }

    pub fn select(&self, line: Line) -> Result<Event, Failure> {
        flows::select(self.client, line, self.wait).map_err(failure)
    }

    pub fn call(&self, number: &str, line: Option<Line>) -> Result<Event, Failure> {
        flows::call(self.client, number, line, self.wait).map_err(failure)
    }

    pub fn answer(&self, line: Option<Line>, wait_for_ring: Option<Duration>) -> Result<Event, Failure> {
        flows::answer(self.client, line, wait_for_ring, self.wait).map_err(failure)
    }

    pub fn hangup(&self, line: Option<Line>) -> Result<Event, Failure> {
        flows::hangup(self.client, line, self.wait).map_err(failure)
    }

    pub fn hold(&self, mode: HoldMode, line: Option<Line>) -> Result<Event, Failure> {
        flows::hold(self.client, mode, line, self.wait).map_err(failure)
    }

    pub fn dtmf(&self, digits: &str, line: Option<Line>) -> Result<Vec<Event>, Failure> {
        flows::dtmf(self.client, digits, line, self.wait).map_err(failure)
    }

    pub fn status(&self) -> Result<Vec<Event>, Failure> {
        flows::status(self.client, self.wait).map_err(failure)
    }
}
