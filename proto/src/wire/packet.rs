//! A packet: an ordered list of `Key: Value` headers.

use std::fmt;

use bytes::{Bytes, BytesMut};

pub(crate) use super::spans::Span;
use super::spans::Spans;
use super::text;

impl Span {
    /// Splits one received header line, which starts `at` bytes into its
    /// packet and has its first colon at `colon` (the decoder found both
    /// while looking for the line's end, so a packet's bytes are walked
    /// once). Packets are shorter than 4 GiB (the decoder's bound).
    #[inline(always)]
    pub(crate) fn of_line(at: usize, line: &[u8], colon: Option<usize>) -> Span {
        let place = |(start, end): (usize, usize)| ((at + start) as u32, (at + end) as u32);
        let (key, value) = match colon {
            Some(colon) => usual_split(line, colon)
                .unwrap_or_else(|| (trimmed(line, 0, colon), trimmed(line, colon + 1, line.len()))),
            None => ((0, 0), trimmed(line, 0, line.len())),
        };
        let value = place(value);
        // An empty key has no position of its own in the line: it is the
        // empty string at the value's end, whose NUL it shares.
        let key = if key.0 == key.1 { (value.1, value.1) } else { place(key) };
        Span { key, value }
    }
}

/// The key and value of a line in DGPhone's own shape, `Key: Value\r`
/// (nothing around the key, one space after the colon, CR LF at the end),
/// told by a few compares; `None` for any other shape, which
/// [`trimmed`] then walks.
#[inline(always)]
fn usual_split(line: &[u8], colon: usize) -> Option<((usize, usize), (usize, usize))> {
    // Where the CR is; room for "K: V" before it.
    let end = line.len().checked_sub(1)?;
    if colon == 0 || colon + 3 > end {
        return None;
    }
    // SAFETY: every index read is below `end`, which is below the line's
    // length: 0 < colon, colon + 2 < end, and end - 1 >= colon + 2. The
    // general framing's split of a line (the fast path, `wire::usual`,
    // takes most); the decoder inlines both, and with these bounds checks
    // a flood's parse costs 20 instructions more per event (1,365 against
    // 1,345, callgrind) and about a point of the parse ratio.
    let byte = |at: usize| unsafe { *line.get_unchecked(at) };
    let solid = |at: usize| byte(at) > b' ';
    let usual = solid(0)
        & solid(colon - 1)
        & (byte(colon + 1) == b' ')
        & solid(colon + 2)
        & (byte(end) == b'\r')
        & solid(end - 1);
    usual.then(|| ((0, colon), (colon + 2, end)))
}

/// `line[start..end]` without the blanks around it (and a line end's CR).
#[inline(always)]
fn trimmed(line: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && matches!(line[start], b' ' | b'\t') {
        start += 1;
    }
    while end > start && matches!(line[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    (start, end)
}

/// One packet of the protocol, headers in the order they came.
///
/// Keys keep their original spelling and may repeat; [`Packet::get`] matches
/// them without regard to case. Values are always valid UTF-8 (see the
/// crate's notes on text encoding); [`Packet::raw_value`] gives the bytes as
/// they were received.
///
/// A received packet's text is a view into the decoder's read buffer when it
/// came with many others in one read (a flood): framing it copies and
/// allocates nothing, and cloning it is a reference count. The read buffer
/// lives as long as any of its packets, so a packet kept for long pins up to
/// one read's buffer (64 KiB at most; [`Packet::unshared`] copies it out);
/// a packet that came in a small read is copied into its own allocation
/// instead. The table of headers is stored in the packet itself for a
/// DGPhone-sized one (see `Spans`).
///
/// In the text every key and every value is followed by a NUL byte, so the
/// C library hands out pointers into it as they are: between the read that
/// brought it and a C callback, a received packet is copied at most once
/// (out of a small read's buffer; [`Packet::nul_text`]).
#[derive(Clone, Default)]
pub struct Packet {
    /// Valid UTF-8, and each span in it ends on a character boundary (see
    /// [`Packet::str_at`]).
    text: Bytes,
    spans: Spans,
    /// The received bytes, kept only when decoding changed some value.
    raw: Option<Box<Raw>>,
}

/// A converted packet's received bytes and where each value lies in them.
#[derive(Clone)]
struct Raw {
    bytes: Bytes,
    values: Vec<(u32, u32)>,
}

fn range(span: (u32, u32)) -> std::ops::Range<usize> {
    span.0 as usize..span.1 as usize
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("packet larger than 4 GiB")
}

impl Packet {
    /// An empty packet, to be filled with [`Packet::push`].
    pub fn new() -> Packet {
        Packet::default()
    }

    /// Builds a packet from `(key, value)` pairs.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Packet {
        let mut packet = Packet::new();
        for (key, value) in pairs {
            packet.push(key.as_ref(), value.as_ref());
        }
        packet
    }

    /// Parses the header lines of one packet (without its closing blank
    /// line), for tests; the decoder splits the lines as it frames them.
    #[cfg(test)]
    pub(crate) fn parse(region: &[u8]) -> Packet {
        let mut spans = Vec::new();
        let mut at = 0;
        for line in region.split(|&b| b == b'\n') {
            if !line.is_empty() && line != b"\r" {
                spans.push(Span::of_line(at, line, line.iter().position(|&b| b == b':')));
            }
            at += line.len() + 1;
        }
        Packet::from_region(BytesMut::from(region), &spans, false)
    }

    /// A packet from its received bytes and the spans of its header lines
    /// (see [`Span::of_line`]). `plain` says the decoder saw only ASCII
    /// without NUL in them. Callers have checked the size.
    pub(crate) fn from_region(mut region: BytesMut, spans: &[Span], plain: bool) -> Packet {
        if plain || (memchr::memchr(0, &region).is_none() && std::str::from_utf8(&region).is_ok()) {
            // The fast path: the text is the received bytes, the spans
            // point into them, and the byte after each key and value (a
            // colon, a blank or a line end: none part of either, all ASCII,
            // so the text stays UTF-8 and each span ends on a character
            // boundary) becomes its NUL. Every region holds its last line's
            // end.
            end_with_nuls(&mut region, spans);
            return Packet { text: region.freeze(), spans: Spans::from_slice(spans), raw: None };
        }
        Packet::converting(region.freeze(), spans)
    }

    /// A plain packet framed in place: `text` is its slice of the read's
    /// buffer, whose NULs the decoder wrote (see `Decoder::take_run`), and
    /// `spans` point into it.
    pub(crate) fn placed(text: Bytes, spans: &[Span]) -> Packet {
        Packet { text, spans: Spans::from_slice(spans), raw: None }
    }

    /// The slow path: some value is not clean UTF-8, so each key and value is
    /// decoded on its own and the received bytes are kept beside the text.
    fn converting(region: Bytes, spans: &[Span]) -> Packet {
        let mut packet = Packet::new();
        for span in spans {
            packet.push(&text::decode(&region[range(span.key)]), &text::decode(&region[range(span.value)]));
        }
        let values = spans.iter().map(|span| span.value).collect();
        packet.raw = Some(Box::new(Raw { bytes: region, values }));
        packet
    }

    /// Appends a header. The caller is responsible for the content of
    /// commands (see the protocol layer's validation).
    pub fn push(&mut self, key: &str, value: &str) {
        // Packets are built a few headers at a time (commands, tests); the
        // text is taken back without a copy when nothing else shares it.
        let mut text = Vec::from(std::mem::take(&mut self.text));
        let mut append = |part: &str| {
            let start = offset(text.len());
            text.extend_from_slice(part.as_bytes());
            let end = offset(text.len());
            text.push(0);
            (start, end)
        };
        let span = Span { key: append(key), value: append(value) };
        self.text = Bytes::from(text);
        self.spans.push(span);
    }

    /// A copy whose text is its own allocation, not a view into the read
    /// buffer it came in: for a packet kept long (see the type's notes).
    pub fn unshared(&self) -> Packet {
        let raw = self
            .raw
            .as_ref()
            .map(|raw| Box::new(Raw { bytes: Bytes::copy_from_slice(&raw.bytes), values: raw.values.clone() }));
        Packet { text: Bytes::copy_from_slice(&self.text), spans: self.spans.clone(), raw }
    }

    /// Builder form of [`Packet::push`].
    pub fn with(mut self, key: &str, value: &str) -> Packet {
        self.push(key, value);
        self
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the packet has no header.
    pub fn is_empty(&self) -> bool {
        self.spans.len() == 0
    }

    /// The text of one span.
    #[inline(always)]
    fn str_at(&self, span: (u32, u32)) -> &str {
        let bytes = &self.text[range(span)];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: the text is valid UTF-8 (checked by the decoder, or built
        // from `&str`s) and every span starts and ends on a character
        // boundary: at the text's ends, at a pushed `&str`'s ends, or next
        // to an ASCII delimiter (see `from_region`). Validating each of the
        // dozen lookups an event gets would cost more than framing it.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// The value of header `index` alone (a lookup by the protocol layer's
    /// index of known headers, which needs no key).
    #[inline(always)]
    pub(crate) fn value(&self, index: usize) -> Option<&str> {
        self.spans.value(index).map(|value| self.str_at(value))
    }

    /// The header at `index`, as `(key, value)` with the key as received.
    pub fn header(&self, index: usize) -> Option<(&str, &str)> {
        self.spans.get(index).map(|span| (self.str_at(span.key), self.str_at(span.value)))
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans.iter().map(move |span| (self.str_at(span.key), self.str_at(span.value)))
    }

    /// Calls `f` with the index and bytes of each header's key, in order:
    /// for typing, the one pass over every key.
    #[inline(always)]
    pub(crate) fn for_each_key<'a>(&'a self, mut f: impl FnMut(usize, &'a [u8])) {
        let text: &'a [u8] = &self.text;
        self.spans.for_each_key(|index, key| f(index, &text[range(key)]));
    }

    /// The packet's text as C reads it, and where each header's key and
    /// value lie in it as `[key_start, key_len, value_start, value_len]`:
    /// each is followed by a NUL byte. So is every `&str` this packet
    /// returns ([`Packet::get`], [`Packet::header`], [`Packet::iter`]), whose
    /// pointer is therefore a C string. (A value pushed with a NUL in it
    /// reads shorter in C; received values never hold one.)
    pub fn nul_text(&self) -> (&[u8], impl Iterator<Item = [u32; 4]> + '_) {
        let offsets = self.spans.iter().map(|s| [s.key.0, s.key.1 - s.key.0, s.value.0, s.value.1 - s.value.0]);
        (&self.text, offsets)
    }

    /// The value of the first header named `key`, compared without regard to
    /// ASCII case.
    pub fn get(&self, key: &str) -> Option<&str> {
        // The exact spelling first: a memcmp, where the case-blind
        // comparison goes byte by byte.
        let matches = |span: &Span| {
            let name = &self.text[range(span.key)];
            name == key.as_bytes() || name.eq_ignore_ascii_case(key.as_bytes())
        };
        self.spans.iter().find(matches).map(|span| self.str_at(span.value))
    }

    /// Every value of the headers named `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    /// The bytes of the value at `index` exactly as received (for a packet
    /// built in memory, its UTF-8).
    pub fn raw_value(&self, index: usize) -> Option<&[u8]> {
        let span = self.spans.get(index)?;
        Some(match &self.raw {
            Some(raw) => &raw.bytes[range(raw.values[index])],
            None => &self.text[range(span.value)],
        })
    }

    /// Writes the packet in the documented wire form (UTF-8, CRLF after
    /// each line, a blank line at the end) to `out`; other forms:
    /// [`Encoding`](super::Encoding).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        super::Encoding::default().packet_into(self, out);
    }

    /// The packet in the documented wire form.
    pub fn encode(&self) -> Vec<u8> {
        super::Encoding::default().packet(self)
    }

    /// About how many bytes the packet takes on the wire, to size a buffer.
    pub(crate) fn encoded_len_hint(&self) -> usize {
        self.text.len() + 2 * self.spans.len() + 2
    }
}

/// Makes the byte after each key and value of `spans` in `text` a NUL,
/// for C (see [`Packet::nul_text`]): a colon, a blank or a line end, none
/// part of either.
#[inline(always)]
pub(crate) fn end_with_nuls(text: &mut [u8], spans: &[Span]) {
    for span in spans {
        text[span.key.1 as usize] = 0;
        text[span.value.1 as usize] = 0;
    }
}

/// A packet's headers wherever they lie: in a [`Packet`], or still in the
/// read buffer they came in, framed in place (see `Decoder::take_run`):
/// what typing and the protocol's lookups read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Headers<'a> {
    Packet(&'a Packet),
    /// A plain packet's text (ASCII only) and its spans.
    Placed {
        text: &'a [u8],
        spans: &'a [Span],
    },
}

impl<'a> Headers<'a> {
    pub fn len(self) -> usize {
        match self {
            Headers::Packet(packet) => packet.len(),
            Headers::Placed { spans, .. } => spans.len(),
        }
    }

    /// Calls `f` with the index and bytes of each key, in order.
    #[inline(always)]
    pub fn for_each_key(self, mut f: impl FnMut(usize, &'a [u8])) {
        match self {
            Headers::Packet(packet) => packet.for_each_key(f),
            Headers::Placed { text, spans } => {
                spans.iter().enumerate().for_each(|(index, span)| f(index, &text[range(span.key)]))
            }
        }
    }

    /// The key of header `index`, as bytes.
    pub fn key(self, index: usize) -> Option<&'a [u8]> {
        match self {
            Headers::Packet(packet) => packet.spans.get(index).map(|span| &packet.text[range(span.key)]),
            Headers::Placed { text, spans } => spans.get(index).map(|span| &text[range(span.key)]),
        }
    }

    /// The value of header `index`.
    #[inline(always)]
    pub fn value(self, index: usize) -> Option<&'a str> {
        match self {
            Headers::Packet(packet) => packet.value(index),
            Headers::Placed { text, spans } => spans.get(index).map(|span| {
                let bytes = &text[range(span.value)];
                debug_assert!(bytes.is_ascii());
                // SAFETY: `Placed` is made only by `PlacedEvents`, over the
                // packets `Decoder::take_run` found plain (ASCII only), so
                // any stretch of their text is UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }),
        }
    }
}

/// Two packets are equal when their headers are, in order, whatever the
/// line endings or blanks they were read with.
impl PartialEq for Packet {
    fn eq(&self, other: &Packet) -> bool {
        self.len() == other.len()
            && self.iter().eq(other.iter())
            && (0..self.len()).all(|i| self.raw_value(i) == other.raw_value(i))
    }
}

impl Eq for Packet {}

impl fmt::Debug for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_shape_splits_as_the_general_trim_does() {
        // Every line of up to seven bytes over blanks, a letter, a colon and
        // a high byte: where the shortcut answers, it answers the same.
        let alphabet = [b' ', b'\t', b'\r', b'a', b':', 0xC3];
        let mut taken = 0;
        for len in 0..=7u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        let byte = alphabet[n % alphabet.len()];
                        n /= alphabet.len();
                        byte
                    })
                    .collect();
                let colon = match line.iter().position(|&b| b == b':') {
                    Some(colon) => colon,
                    None => continue,
                };
                if let Some(split) = usual_split(&line, colon) {
                    assert_eq!(split, (trimmed(&line, 0, colon), trimmed(&line, colon + 1, line.len())), "{line:?}");
                    taken += 1;
                }
            }
        }
        assert!(taken > 100, "the shortcut answered {taken} lines");
    }

    #[test]
    fn splits_at_first_colon_and_trims() {
        let p = Packet::parse(b"Event: DGTimeStamp\r\nTime:  12:34:56 \r\n");
        assert_eq!(p.get("time"), Some("12:34:56"));
        assert_eq!(p.header(0), Some(("Event", "DGTimeStamp")));
    }

    #[test]
    fn keeps_order_spelling_and_repeats() {
        let p = Packet::parse(b"A: 1\nb: 2\nA: 3\n");
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![("A", "1"), ("b", "2"), ("A", "3")]);
        assert_eq!(p.get_all("a").collect::<Vec<_>>(), vec!["1", "3"]);
        assert_eq!(p.get("B"), Some("2"));
    }

    #[test]
    fn empty_value_and_colonless_line() {
        let p = Packet::parse(b"Number: \r\nsome body line\r\n");
        assert_eq!(p.get("Number"), Some(""));
        assert_eq!(p.header(1), Some(("", "some body line")));
    }

    #[test]
    fn converted_values_keep_raw_bytes() {
        let p = Packet::parse(b"Message: N\xe3o\r\nUser: 201\r\n");
        assert_eq!(p.get("message"), Some("Não"));
        assert_eq!(p.raw_value(0), Some(&b"N\xe3o"[..]));
        assert_eq!(p.raw_value(1), Some(&b"201"[..]));
    }

    #[test]
    fn encodes_with_crlf() {
        let p = Packet::new().with("Action", "DGPhoneCommand").with("Command", "Status");
        assert_eq!(p.encode(), b"Action: DGPhoneCommand\r\nCommand: Status\r\n\r\n");
    }
}
