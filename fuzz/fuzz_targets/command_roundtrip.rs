//! Commands both ways. Invariant: every command `to_packet` accepts reads
//! back through `from_packet` as itself (DTMF digits in upper case, as
//! they are written; a `Generic` spelling a known command's name reads
//! back as that command, by design, so it is skipped), and so does the
//! packet after a trip over the wire. The client writes with one, the
//! simulator reads with the other: a difference would be a command the
//! simulator misunderstands.
#![no_main]

use dgphone_proto::protocol::names::command as known;
use dgphone_proto::protocol::{Command, Line};
use dgphone_proto::wire::{Decoder, Frame};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// `Command`, with what the fuzzer makes (the library does not depend on
/// `arbitrary`).
#[derive(Arbitrary, Debug)]
enum Input {
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
    fn command(self) -> Option<Command> {
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
            Input::Generic(name, _) if known::ALL.iter().any(|k| k.eq_ignore_ascii_case(&name)) => return None,
            Input::Generic(name, headers) => Command::Generic { name, headers },
        })
    }
}

fuzz_target!(|input: Input| {
    let command = match input.command() {
        Some(command) => command,
        None => return,
    };
    let packet = match command.to_packet(None) {
        Ok(packet) => packet,
        Err(_) => return,
    };
    let expected = match &command {
        Command::SendDtmf(digits) => Command::SendDtmf(digits.to_ascii_uppercase()),
        other => other.clone(),
    };
    assert_eq!(Command::from_packet(&packet).as_ref(), Ok(&expected), "{packet:?}");
    let mut decoder = Decoder::default();
    decoder.push(&packet.encode());
    match decoder.next_frame() {
        Some(Ok(Frame::Packet(decoded))) => {
            assert_eq!(Command::from_packet(&decoded).as_ref(), Ok(&expected), "{decoded:?} off the wire")
        }
        other => panic!("{command:?} decoded as {other:?}"),
    }
});
