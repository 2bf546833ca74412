//! `Command`, with what the fuzzer makes (the library does not depend on
//! `arbitrary`): shared by the command targets, included with `#[path]`.

use dgphone_proto::protocol::{Command, Line};
use libfuzzer_sys::arbitrary::{self, Arbitrary};

/// One arbitrary command.
#[derive(Arbitrary, Debug)]
pub enum Input {
    Login(String, bool),
    Logoff,
    Status,
    LineSelect(u8),
    Hold(Option<bool>),
    Dial(String, Option<u8>),
    Answer(Option<u8>),
    SendDtmf(String),
    Hangup(Option<u8>),
    QueueStatus(Option<String>),
    AgentPause(String, bool, Option<String>),
    Generic(String, Vec<(String, String)>),
}

fn line(n: u8) -> Option<Line> {
    Line::new(u32::from(n)).ok()
}

impl Input {
    pub fn command(self) -> Option<Command> {
        Some(match self {
            Input::Login(user, remote_mode) => Command::Login { user, remote_mode },
            Input::Logoff => Command::Logoff,
            Input::Status => Command::Status,
            Input::LineSelect(n) => Command::LineSelect(line(n)?),
            Input::Hold(on) => Command::Hold(on),
            Input::Dial(number, n) => Command::Dial { number, line: n.and_then(line) },
            Input::Answer(n) => Command::Answer(n.and_then(line)),
            Input::SendDtmf(digits) => Command::SendDtmf(digits),
            Input::Hangup(n) => Command::Hangup(n.and_then(line)),
            Input::QueueStatus(queue) => Command::QueueStatus { queue },
            Input::AgentPause(agent, paused, reason) => Command::AgentPause { agent, paused, reason },
            Input::Generic(name, headers) => Command::Generic { name, headers },
        })
    }
}
