//! Encoding arbitrary commands. Invariant: what `to_packet` accepts never
//! carries a CR, LF or NUL inside a value (no injected header or action):
//! the encoded bytes decode back to exactly one packet, equal to the one
//! encoded.
#![no_main]

use dgphone_proto::wire::{Decoder, Frame};
use libfuzzer_sys::fuzz_target;

#[path = "shared/input.rs"]
mod input;

use input::Input;

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
