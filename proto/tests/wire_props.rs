//! Property tests of the wire layer: any valid packet survives
//! encode → decode, and the decoder's output does not depend on how the
//! bytes were split.

use dgphone_proto::wire::{Decoder, Frame, Packet};
use proptest::prelude::*;

/// A key as DGPhone writes them: a token.
fn key() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_-]{0,15}"
}

/// A value: any text without control characters, no blanks at either end
/// (the protocol trims them), colons allowed.
fn value() -> impl Strategy<Value = String> {
    "[^\\p{Cc}]{0,40}".prop_map(|v| v.trim_matches(|c| c == ' ' || c == '\t').to_string())
}

fn packet() -> impl Strategy<Value = Packet> {
    prop::collection::vec((key(), value()), 1..8).prop_map(|pairs| Packet::from_pairs(&pairs))
}

fn decode_in_pieces(bytes: &[u8], cuts: &[usize]) -> Vec<Frame> {
    let mut decoder = Decoder::default();
    let mut frames = Vec::new();
    let mut start = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    points.push(bytes.len());
    for end in points {
        decoder.push(&bytes[start..end.max(start)]);
        start = end.max(start);
        while let Some(frame) = decoder.next_frame() {
            frames.push(frame.expect("valid input decodes"));
        }
    }
    assert_eq!(decoder.finish(), None);
    frames
}

/// Every key and value of `packet` as C reads it from `nul_text`: where
/// its offsets say, and ended by a NUL.
fn read_as_c(packet: &Packet) -> Vec<(String, String)> {
    let (text, offsets) = packet.nul_text();
    let c_str = |start: u32, len: u32| {
        let (start, len) = (start as usize, len as usize);
        assert_eq!(text[start + len], 0, "a NUL ends each string");
        String::from_utf8(text[start..start + len].to_vec()).unwrap()
    };
    offsets.map(|[k, kl, v, vl]| (c_str(k, kl), c_str(v, vl))).collect()
}

proptest! {
    #[test]
    fn c_reads_every_header_of_a_decoded_or_built_packet(
        lines in prop::collection::vec((key(), value(), " {0,2}", "(\\r)?\\n"), 1..8),
    ) {
        // Blanks and line ends as a DGPhone might write them.
        let mut bytes = Vec::new();
        for (key, value, blanks, eol) in &lines {
            bytes.extend_from_slice(format!("{key}{blanks}:{blanks}{value}{blanks}{eol}").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        let frames = decode_in_pieces(&bytes, &[]);
        let expected: Vec<(String, String)> = lines.iter().map(|(k, v, _, _)| (k.clone(), v.clone())).collect();
        match &frames[..] {
            [Frame::Packet(packet)] => {
                prop_assert_eq!(read_as_c(packet), expected.clone());
                prop_assert_eq!(read_as_c(&Packet::from_pairs(&expected)), expected);
            }
            other => prop_assert!(false, "one packet expected, got {:?}", other),
        }
    }

    #[test]
    fn encode_then_decode_round_trips(packets in prop::collection::vec(packet(), 1..6)) {
        let bytes: Vec<u8> = packets.iter().flat_map(|p| p.encode()).collect();
        let frames = decode_in_pieces(&bytes, &[]);
        let expected: Vec<Frame> = packets.into_iter().map(Frame::Packet).collect();
        prop_assert_eq!(frames, expected);
    }

    #[test]
    fn every_split_gives_the_same_packets(
        packets in prop::collection::vec(packet(), 1..5),
        lf_only in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut bytes: Vec<u8> = b"DGPhone Remote Control/1.0\r\n".to_vec();
        bytes.extend(packets.iter().flat_map(|p| p.encode()));
        if lf_only {
            bytes.retain(|&b| b != b'\r');
        }
        let whole = decode_in_pieces(&bytes, &[]);
        prop_assert_eq!(&decode_in_pieces(&bytes, &cuts), &whole);
        prop_assert_eq!(whole.len(), packets.len() + 1);
    }

    #[test]
    fn byte_at_a_time_equals_whole(packets in prop::collection::vec(packet(), 1..4)) {
        let bytes: Vec<u8> = packets.iter().flat_map(|p| p.encode()).collect();
        let every_byte: Vec<usize> = (0..bytes.len()).collect();
        prop_assert_eq!(decode_in_pieces(&bytes, &every_byte), decode_in_pieces(&bytes, &[]));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut decoder = Decoder::new(256);
        for chunk in bytes.chunks(97) {
            decoder.push(chunk);
            while let Some(frame) = decoder.next_frame() {
                if let Ok(Frame::Packet(p)) = frame {
                    for (k, v) in p.iter() {
                        prop_assert!(!k.contains('\0') && !v.contains('\0'));
                    }
                }
            }
            prop_assert!(decoder.pending() <= 256 + 97);
        }
    }
}
