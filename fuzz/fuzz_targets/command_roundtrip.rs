//! Commands both ways. Invariant: every command `to_packet` accepts reads
//! back through `from_packet` as itself (DTMF digits in upper case, as
//! they are written; a `Generic` spelling a known command's name reads
//! back as that command, by design, so it is skipped), and so does the
//! packet after a trip over the wire. The client writes with one, the
//! simulator reads with the other: a difference would be a command the
//! simulator misunderstands.
#![no_main]

use dgphone_proto::protocol::names::command as known;
use dgphone_proto::protocol::Command;
use dgphone_proto::wire::{Decoder, Frame};
use libfuzzer_sys::fuzz_target;

#[path = "shared/input.rs"]
mod input;

use input::Input;

fuzz_target!(|input: Input| {
    let command = match input.command() {
        Some(Command::Generic { name, .. }) if known::ALL.iter().any(|k| k.eq_ignore_ascii_case(&name)) => return,
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
