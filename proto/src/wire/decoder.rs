//! Incremental framing: bytes in any split, whole packets out.

use std::io::{self, Read};

use thiserror::Error;

use super::packet::Span;
use super::{text, Packet};

/// The default bound on one packet's size.
pub const DEFAULT_MAX_PACKET: usize = 64 * 1024;

/// What the decoder finds in the byte stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete packet.
    Packet(Packet),
    /// A line without a colon before anything else on the stream: DGPhone's
    /// banner (`DGPhone Manager/1.0`). Reported, never fatal. A colon-less
    /// line anywhere later is no greeting: it is [`WireError::StrayLine`].
    Greeting(String),
}

/// A framing error. The decoder recovers by itself: after an error it goes
/// on with the next packet.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum WireError {
    /// A packet grew past the configured bound; its bytes up to the next
    /// blank line are skipped.
    #[error("packet larger than {limit} bytes skipped")]
    Oversize { limit: usize },
    /// The stream ended in the middle of a packet; the partial packet is
    /// not delivered.
    #[error("connection closed in the middle of a packet ({bytes} bytes unfinished)")]
    Truncated { bytes: usize },
    /// A line without a colon between packets, after the stream's start
    /// (line noise, a stray banner): skipped. `text` is the line, decoded.
    #[error("line outside any packet skipped: {text:?}")]
    StrayLine { text: String },
}

/// An incremental decoder. Feed it bytes with [`Decoder::push`] (or let it
/// read them with [`Decoder::read_from`]) and take frames with
/// [`Decoder::next_frame`] until it returns `None`.
///
/// Lines may end in CRLF, LF or a mix. Blank lines between packets are
/// ignored. The buffer grows to at most about one packet plus one read.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes before this index are consumed.
    start: usize,
    /// Bytes up to this index have been split into lines.
    scan: usize,
    /// Bytes up to this index are filled (the rest of `buf` is spare room).
    end: usize,
    /// Start of the packet being gathered, if its first line has come.
    packet_start: Option<usize>,
    /// The header lines of that packet, split as they are framed.
    headers: Vec<Span>,
    /// Skipping an oversize packet up to its closing blank line.
    discarding: bool,
    /// While discarding, part of the current line was already dropped, so
    /// its end cannot be a blank line.
    line_dirty: bool,
    /// While discarding a line that began outside any packet and outgrew
    /// the bound before its end came: whether a colon was among the bytes
    /// dropped. At its end it is judged as if it had come whole: a header
    /// line starts a packet whose rest is skipped, a banner-like line does
    /// not.
    stray_line: Option<bool>,
    /// Something other than blank lines has come on this stream: a
    /// colon-less line is a greeting only before that.
    started: bool,
    max_packet: usize,
    /// How much room the next read gets.
    read_size: usize,
}

/// The first reads ask for this much, so that an idle session holds little
/// memory (thousands of sessions may share a process).
const MIN_READ: usize = 4 * 1024;
/// A read that fills all the room it was given doubles the next one, up to
/// this, so that a flood costs few system calls.
const MAX_READ: usize = 64 * 1024;

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(DEFAULT_MAX_PACKET)
    }
}

/// Where the first `\n` of `bytes` is. DGPhone's lines are a dozen bytes,
/// shorter than the set-up of a vectorised search called once per line, so
/// the first bytes are searched a word at a time; memchr takes over for a
/// longer line.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const WORDWISE: usize = 32;
    let mut at = 0;
    while at < WORDWISE {
        let word = match bytes.get(at..at + 8) {
            Some(chunk) => {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                u64::from_le_bytes(word)
            }
            None => return bytes[at..].iter().position(|&b| b == b'\n').map(|i| at + i),
        };
        // A zero byte of `x` is a newline; the lowest flag is exact.
        let x = word ^ (ONES * u64::from(b'\n'));
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr(b'\n', &bytes[at..]).map(|i| at + i)
}

fn is_blank(line: &[u8]) -> bool {
    line.is_empty() || line == b"\r"
}

impl Decoder {
    /// A decoder that refuses packets larger than `max_packet` bytes.
    pub fn new(max_packet: usize) -> Decoder {
        Decoder {
            buf: Vec::new(),
            start: 0,
            scan: 0,
            end: 0,
            packet_start: None,
            headers: Vec::new(),
            discarding: false,
            line_dirty: false,
            stray_line: None,
            started: false,
            max_packet: max_packet.max(1),
            read_size: MIN_READ,
        }
    }

    /// Drops consumed bytes so the buffer holds only what is still pending.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.scan -= self.start;
        self.packet_start = self.packet_start.map(|p| p - self.start);
        self.start = 0;
    }

    fn reserve(&mut self, additional: usize) {
        self.compact();
        if self.buf.len() - self.end < additional {
            self.buf.resize(self.end + additional, 0);
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.buf[self.end..self.end + bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Reads once from `source` straight into the buffer (no extra copy).
    /// Returns what `read` returned: `Ok(0)` is the end of the stream.
    pub fn read_from<R: Read + ?Sized>(&mut self, source: &mut R) -> io::Result<usize> {
        self.reserve(self.read_size);
        let room = self.buf.len() - self.end;
        let n = source.read(&mut self.buf[self.end..])?;
        self.end += n;
        if n == room && self.read_size < MAX_READ {
            self.read_size *= 2;
        }
        Ok(n)
    }

    /// Bytes received but not yet returned as frames.
    pub fn pending(&self) -> usize {
        self.end - self.start
    }

    /// The next complete frame, an error for a malformed stretch of input,
    /// or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame, WireError>> {
        loop {
            let line_start = self.scan;
            let newline = match find_newline(&self.buf[line_start..self.end]) {
                Some(at) => line_start + at,
                None => return self.check_partial_line(line_start),
            };
            self.scan = newline + 1;
            let line = &self.buf[line_start..newline];

            if self.discarding {
                match self.stray_line.take() {
                    Some(colon_dropped) if !colon_dropped && memchr::memchr(b':', line).is_none() => {
                        self.discarding = false
                    }
                    Some(_) => {}
                    None if is_blank(line) && !self.line_dirty => self.discarding = false,
                    None => {}
                }
                self.line_dirty = false;
                self.start = self.scan;
                continue;
            }
            if is_blank(line) {
                self.start = self.scan;
                match self.packet_start.take() {
                    Some(packet_start) => {
                        let packet = Packet::from_spans(&self.buf[packet_start..line_start], &self.headers);
                        return Some(Ok(Frame::Packet(packet)));
                    }
                    None => continue,
                }
            }
            match self.packet_start {
                None if memchr::memchr(b':', line).is_none() => {
                    // Counted with its newline, like a packet's lines.
                    if line.len() + 1 > self.max_packet {
                        self.started = true;
                        self.start = self.scan;
                        return Some(Err(WireError::Oversize { limit: self.max_packet }));
                    }
                    let text = text::decode(line).trim().to_string();
                    self.start = self.scan;
                    if std::mem::replace(&mut self.started, true) {
                        return Some(Err(WireError::StrayLine { text }));
                    }
                    return Some(Ok(Frame::Greeting(text)));
                }
                None => {
                    self.started = true;
                    self.packet_start = Some(line_start);
                    self.headers.clear();
                }
                Some(_) => {}
            }
            let packet_start = self.packet_start.expect("set above");
            self.headers.push(Span::of_line(line_start - packet_start, line));
            if self.scan - packet_start > self.max_packet {
                return Some(Err(self.start_discarding()));
            }
        }
    }

    /// With no complete line left, a packet (or a line) still growing past
    /// the bound is an error now rather than after it has eaten memory.
    /// The size counted is what a whole arrival would count: the line with
    /// at least its newline still to come. A lone CR may yet be a blank
    /// line, which counts for nothing, so it waits.
    fn check_partial_line(&mut self, line_start: usize) -> Option<Result<Frame, WireError>> {
        let held_from = self.packet_start.unwrap_or(line_start);
        let partial = &self.buf[line_start..self.end];
        if partial.is_empty() || partial == b"\r" || self.end - held_from < self.max_packet {
            return None;
        }
        let colon_in_partial = memchr::memchr(b':', &self.buf[line_start..self.end]).is_some();
        if self.discarding {
            if let Some(colon_dropped) = &mut self.stray_line {
                *colon_dropped |= colon_in_partial;
            }
            self.line_dirty = true;
            self.start = self.end;
            self.scan = self.end;
            return None;
        }
        if self.packet_start.is_none() {
            self.stray_line = Some(colon_in_partial);
        }
        let error = self.start_discarding();
        self.line_dirty = true;
        self.start = self.end;
        self.scan = self.end;
        Some(Err(error))
    }

    fn start_discarding(&mut self) -> WireError {
        // Whether it came whole or in pieces, an oversize stretch is the
        // stream's start as much as a packet is (found by the fuzzer).
        self.started = true;
        self.packet_start = None;
        self.discarding = true;
        self.start = self.scan;
        WireError::Oversize { limit: self.max_packet }
    }

    /// Call when the stream has ended: reports a packet (or a non-blank
    /// line) left unfinished, and resets the decoder for a new stream.
    pub fn finish(&mut self) -> Option<WireError> {
        let unfinished = self.packet_start.unwrap_or(self.scan);
        let rest = &self.buf[unfinished..self.end];
        let truncated = !self.discarding && !rest.iter().all(|&b| b == b'\r' || b == b'\n');
        let bytes = self.end - unfinished;
        *self = Decoder::new(self.max_packet);
        if truncated {
            Some(WireError::Truncated { bytes })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut Decoder, bytes: &[u8]) -> Vec<Result<Frame, WireError>> {
        decoder.push(bytes);
        std::iter::from_fn(|| decoder.next_frame()).collect()
    }

    fn packet(pairs: &[(&str, &str)]) -> Result<Frame, WireError> {
        Ok(Frame::Packet(Packet::from_pairs(pairs)))
    }

    #[test]
    fn crlf_lf_and_mixed() {
        let mut d = Decoder::default();
        let frames = decode_all(&mut d, b"A: 1\r\nB: 2\r\n\r\nC: 3\n\nD: 4\r\n\n");
        assert_eq!(frames, vec![packet(&[("A", "1"), ("B", "2")]), packet(&[("C", "3")]), packet(&[("D", "4")])]);
    }

    #[test]
    fn greeting_blank_lines_and_partial_input() {
        let mut d = Decoder::default();
        assert_eq!(
            decode_all(&mut d, b"DGPhone Manager/1.0\r\n\r\n\r\nEvent: DGTime"),
            vec![Ok(Frame::Greeting("DGPhone Manager/1.0".into()))]
        );
        assert_eq!(decode_all(&mut d, b"Stamp\r\nTime: 10:00\r\n"), vec![]);
        assert_eq!(decode_all(&mut d, b"\r\n"), vec![packet(&[("Event", "DGTimeStamp"), ("Time", "10:00")])]);
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn only_the_first_colon_less_line_is_a_greeting() {
        let mut d = Decoder::default();
        let frames = decode_all(&mut d, b"\r\nDGPhone/1.0\r\nEvent: A\r\n\r\nline noise\r\nbanner again\r\n");
        assert_eq!(
            frames,
            vec![
                Ok(Frame::Greeting("DGPhone/1.0".into())),
                packet(&[("Event", "A")]),
                Err(WireError::StrayLine { text: "line noise".into() }),
                Err(WireError::StrayLine { text: "banner again".into() }),
            ]
        );
        let mut d = Decoder::default();
        let frames = decode_all(&mut d, b"Event: A\r\n\r\nno banner first\r\n");
        assert_eq!(frames[1], Err(WireError::StrayLine { text: "no banner first".into() }));
        assert_eq!(d.finish(), None);
        assert_eq!(decode_all(&mut d, b"Banner/2\r\n"), vec![Ok(Frame::Greeting("Banner/2".into()))], "a new stream");
    }

    #[test]
    fn after_an_oversize_line_no_greeting_comes_however_it_was_cut() {
        let input = [&[b'x'; 40][..], b"\r\nbanner\r\n"].concat();
        let mut whole = Decoder::new(32);
        let whole = decode_all(&mut whole, &input);
        let mut cut = Decoder::new(32);
        let mut pieces = Vec::new();
        for piece in input.chunks(7) {
            pieces.extend(decode_all(&mut cut, piece));
        }
        assert_eq!(whole, pieces);
        assert_eq!(whole.last(), Some(&Err(WireError::StrayLine { text: "banner".into() })));
    }

    #[test]
    fn oversize_is_reported_and_skipped() {
        let mut d = Decoder::new(32);
        let mut input = b"Event: Big\r\n".to_vec();
        input.extend(std::iter::repeat(b'x').take(100));
        input.extend_from_slice(b": y\r\nMore: z\r\n\r\nEvent: Next\r\n\r\n");
        let frames = decode_all(&mut d, &input);
        assert_eq!(frames, vec![Err(WireError::Oversize { limit: 32 }), packet(&[("Event", "Next")])]);
    }

    #[test]
    fn oversize_line_without_newline_is_bounded() {
        let mut d = Decoder::new(32);
        let frames = decode_all(&mut d, &[b'x'; 100]);
        assert_eq!(frames, vec![Err(WireError::Oversize { limit: 32 })]);
        assert_eq!(decode_all(&mut d, &[b'y'; 100]), vec![]);
        assert!(d.pending() <= 32);
        // The dropped line had no colon: it ends at its newline (its end is
        // not taken for a blank line), and the next packet is whole.
        let rest = decode_all(&mut d, b"\r\nZ: 1\r\n\r\n\r\nA: 2\r\n\r\n");
        assert_eq!(rest, vec![packet(&[("Z", "1")]), packet(&[("A", "2")])]);
    }

    #[test]
    fn an_oversize_banner_costs_only_itself_however_it_is_split() {
        let mut input = vec![b'x'; 40];
        input.extend_from_slice(b"\r\nA: 1\r\n\r\nB: 2\r\n\r\n");
        let expected = vec![Err(WireError::Oversize { limit: 32 }), packet(&[("A", "1")]), packet(&[("B", "2")])];
        for chunk in [input.len(), 8, 1] {
            let mut d = Decoder::new(32);
            let frames: Vec<_> = input.chunks(chunk).flat_map(|c| decode_all(&mut d, c)).collect();
            assert_eq!(frames, expected, "in chunks of {chunk}");
        }
        // An oversize header line (a colon among the dropped bytes) starts a
        // packet: its rest is skipped up to the blank line, split or not.
        let mut input = b"Event: ".to_vec();
        input.extend(vec![b'x'; 40]);
        input.extend_from_slice(b"\r\nMore: 1\r\n\r\nB: 2\r\n\r\n");
        for chunk in [input.len(), 8, 1] {
            let mut d = Decoder::new(32);
            let frames: Vec<_> = input.chunks(chunk).flat_map(|c| decode_all(&mut d, c)).collect();
            assert_eq!(frames, [Err(WireError::Oversize { limit: 32 }), packet(&[("B", "2")])], "in chunks of {chunk}");
        }
    }

    #[test]
    fn a_packet_of_exactly_the_bound_passes_however_it_is_split() {
        // Found by fuzzing: the CR of the closing blank line, read before
        // its LF, was counted as part of the packet.
        let input = b"User: 201ne: 2\r\n\r\n";
        for cut in 1..input.len() {
            let mut d = Decoder::new(16);
            let mut frames = decode_all(&mut d, &input[..cut]);
            frames.extend(decode_all(&mut d, &input[cut..]));
            assert_eq!(frames, [packet(&[("User", "201ne: 2")])], "cut at {cut}");
        }
        let mut d = Decoder::new(15);
        assert_eq!(decode_all(&mut d, input), [Err(WireError::Oversize { limit: 15 })]);
    }

    #[test]
    fn truncation_is_reported_on_finish() {
        let mut d = Decoder::default();
        assert_eq!(decode_all(&mut d, b"Event: DGPhoneEvent\r\nStat"), vec![]);
        assert_eq!(d.finish(), Some(WireError::Truncated { bytes: 25 }));
        assert_eq!(d.finish(), None);
        assert_eq!(decode_all(&mut d, b"A: 1\r\n\r\n\r\n"), vec![packet(&[("A", "1")])]);
        assert_eq!(d.finish(), None);
    }

    #[test]
    fn find_newline_agrees_with_memchr_at_every_length_and_place() {
        for len in 0..80 {
            for at in (0..len).chain([len]) {
                let mut bytes = vec![b'x'; len];
                if at < len {
                    bytes[at] = b'\n';
                }
                // A second newline later, and bytes one apart from '\n'.
                if at + 3 < len {
                    bytes[at + 3] = b'\n';
                }
                if at > 0 {
                    bytes[at - 1] = b'\n' + 1;
                }
                assert_eq!(find_newline(&bytes), memchr::memchr(b'\n', &bytes), "len {len}, at {at}");
            }
        }
        assert_eq!(find_newline(b"\x8a\x0b\x09\n"), Some(3), "high bytes and neighbours are no newline");
    }

    #[test]
    fn read_from_fills_buffer() {
        let mut d = Decoder::default();
        let mut source: &[u8] = b"A: 1\r\n\r\n";
        assert_eq!(d.read_from(&mut source).unwrap(), 8);
        assert_eq!(d.next_frame(), Some(packet(&[("A", "1")])));
    }
}
