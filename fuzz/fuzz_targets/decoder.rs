//! The decoder on arbitrary bytes cut into arbitrary reads. Invariants: no
//! panic; after the frames are drained, the bytes it holds stay within one
//! packet's bound (and the CR of its closing line); and how the bytes were
//! cut does not change the frames, oversize errors included.
#![no_main]

use dgphone_proto::wire::{Decoder, Frame, WireError};
use libfuzzer_sys::fuzz_target;

fn drain(decoder: &mut Decoder, max: usize, out: &mut Vec<Result<Frame, WireError>>) {
    while let Some(frame) = decoder.next_frame() {
        out.push(frame);
    }
    // A packet of exactly the bound may wait for its closing blank line,
    // one CR of which may already be in.
    assert!(decoder.pending() <= max + 1, "holds {} bytes, bound {max}", decoder.pending());
}

fuzz_target!(|data: &[u8]| {
    let (max, seed, bytes) = match data {
        [m, s, rest @ ..] => (16 + usize::from(*m) * 8, *s, rest),
        _ => return,
    };
    let mut whole = Vec::new();
    let mut decoder = Decoder::new(max);
    decoder.push(bytes);
    drain(&mut decoder, max, &mut whole);
    let whole_end = decoder.finish();

    // The same bytes in reads of 1 to 32 bytes, sizes from a small PRNG.
    let mut pieces = Vec::new();
    let mut decoder = Decoder::new(max);
    let (mut state, mut rest) = (u32::from(seed) | 1, bytes);
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state as usize % 32 + 1).min(rest.len());
        decoder.push(&rest[..n]);
        rest = &rest[n..];
        drain(&mut decoder, max, &mut pieces);
    }
    let pieces_end = decoder.finish();

    assert_eq!(whole, pieces, "the frames depend on how the bytes were cut");
    assert_eq!(whole_end, pieces_end);
});
