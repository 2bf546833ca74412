//! Encoding arbitrary commands. Invariant: what `to_packet` accepts never
//! carries a CR, LF or NUL inside a value (no injected header or action):
//! the encoded bytes decode back to exactly one packet, equal to the one
//! encoded.
#![no_main]

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
            Input::Generic(name, headers) => Command::Generic { name, headers },
        })
    }
}

fuzz_target!(|input: (Input, Option<String>)| {
    let (input, user) = input;
    let command = match input.command() {
        Some(command) => command,
        None => return,
    };
    let packet = match command.to_packet(user.as_deref()) {
        Ok(packet) => packet,
        Err(_) => return,
    };
    for (key, value) in packet.iter() {
        for text in [key, value] {
            assert!(!text.contains(['\r', '\n', '\0']), "{text:?} in {command:?}");
        }
    }
    let bytes = packet.encode();
    let mut decoder = Decoder::default();
    decoder.push(&bytes);
    match decoder.next_frame() {
        Some(Ok(Frame::Packet(decoded))) => assert_eq!(decoded, packet, "{command:?} did not survive the wire"),
        other => panic!("{command:?} encoded as {bytes:?} decoded as {other:?}"),
    }
    assert!(decoder.next_frame().is_none(), "{command:?} encoded as more than one packet");
    assert_eq!(decoder.finish(), None);
});
