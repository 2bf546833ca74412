//! The decoder on arbitrary bytes cut into arbitrary reads. Invariants: no
//! panic; after the frames are drained, the bytes it holds stay within one
//! packet's bound (and the CR of its closing line); and how the bytes were
//! cut does not change the frames, oversize errors included; nor does
//! taking the packets of a large read in place (`PlacedEvents`).
#![no_main]

use dgphone_proto::protocol::PlacedEvents;
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

    // At least a large read's worth (the bytes repeated), whole, then with
    // runs taken in place wherever the decoder has one: the same frames.
    let large = bytes.repeat(4096 / bytes.len().max(1) + 1);
    let mut framed = Vec::new();
    let mut decoder = Decoder::new(max);
    decoder.push(&large);
    drain(&mut decoder, max, &mut framed);
    let framed_end = decoder.finish();
    let mut placed = Vec::new();
    let mut decoder = Decoder::new(max);
    decoder.push(&large);
    loop {
        if let Some(run) = PlacedEvents::take(&mut decoder) {
            placed.extend((0..run.len()).map(|i| Ok(Frame::Packet(run.event(i).into_packet()))));
        }
        match decoder.next_frame() {
            Some(frame) => placed.push(frame),
            None => break,
        }
    }
    assert_eq!(framed, placed, "taking packets in place changed the frames");
    assert_eq!(framed_end, decoder.finish());
});
