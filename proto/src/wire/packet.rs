//! A packet: an ordered list of `Key: Value` headers.

use std::fmt;

use super::text;

/// Where one header's key and value sit in the packet's text, and where the
/// value's original bytes sit in the raw copy (kept only when decoding
/// changed them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    key: (u32, u32),
    value: (u32, u32),
    raw_value: (u32, u32),
}

impl Span {
    /// Splits one received header line, which starts `at` bytes into its
    /// packet. The decoder calls this as it frames each line, while the
    /// bytes are at hand, so a packet's bytes are walked once.
    pub(crate) fn of_line(at: usize, line: &[u8]) -> Span {
        let base = line.as_ptr() as usize;
        let place = |part: &[u8]| {
            let start = at + (part.as_ptr() as usize - base);
            (offset(start), offset(start + part.len()))
        };
        let (key, value) = split_line(line);
        let value = place(value);
        // An empty key has no position of its own in the line: it is the
        // empty string at the value's end, whose NUL it shares.
        let key = if key.is_empty() { (value.1, value.1) } else { place(key) };
        Span { key, value, raw_value: value }
    }
}

/// One packet of the protocol, headers in the order they came.
///
/// Keys keep their original spelling and may repeat; [`Packet::get`] matches
/// them without regard to case. Values are always valid UTF-8 (see the
/// crate's notes on text encoding); [`Packet::raw_value`] gives the bytes as
/// they were received.
///
/// A packet costs two allocations however many headers it has: one text
/// buffer and one table of offsets into it.
///
/// In the text every key and every value is followed by a NUL byte, so the
/// C library hands out pointers into it as they are: a received packet is
/// copied once, from the socket's buffer into its text, on its way to a C
/// callback ([`Packet::nul_text`]).
#[derive(Clone, Default)]
pub struct Packet {
    text: String,
    spans: Vec<Span>,
    /// The received bytes, kept only when decoding changed some value.
    raw: Option<Box<[u8]>>,
}

fn range(span: (u32, u32)) -> std::ops::Range<usize> {
    span.0 as usize..span.1 as usize
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("packet larger than 4 GiB")
}

/// Splits a line at its first colon and trims blanks around both halves. A
/// line without a colon becomes a header with an empty key.
fn split_line(line: &[u8]) -> (&[u8], &[u8]) {
    // A plain loop: keys are a few bytes long, shorter than one SIMD block,
    // where memchr's set-up costs more than it saves.
    match line.iter().position(|&b| b == b':') {
        Some(colon) => (trim(&line[..colon]), trim(&line[colon + 1..])),
        None => (&[][..], trim(line)),
    }
}

fn trim(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = bytes {
        bytes = rest;
    }
    bytes
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
                spans.push(Span::of_line(at, line));
            }
            at += line.len() + 1;
        }
        Packet::from_spans(region, &spans)
    }

    /// A packet from its received bytes and the spans of its header lines
    /// (see [`Span::of_line`]). Callers have checked the size.
    pub(crate) fn from_spans(region: &[u8], spans: &[Span]) -> Packet {
        if memchr::memchr(0, region).is_none() {
            // The fast path: the text is a copy of the received bytes, the
            // spans point into it, and the byte after each key and value
            // (a colon, a blank or a line end: none part of either) becomes
            // its NUL. Every region holds its last line's end.
            let mut bytes = region.to_vec();
            for span in spans {
                bytes[span.key.1 as usize] = 0;
                bytes[span.value.1 as usize] = 0;
            }
            // Only ASCII bytes were replaced, so this judges the bytes as
            // received.
            if let Ok(text) = String::from_utf8(bytes) {
                return Packet { text, spans: spans.to_vec(), raw: None };
            }
        }
        Packet::converting(region, spans)
    }

    /// The slow path: some value is not clean UTF-8, so each key and value is
    /// decoded on its own and the received bytes are kept beside the text.
    fn converting(region: &[u8], spans: &[Span]) -> Packet {
        let mut packet = Packet::new();
        for span in spans {
            packet.push(&text::decode(&region[range(span.key)]), &text::decode(&region[range(span.value)]));
            packet.spans.last_mut().expect("just pushed").raw_value = span.value;
        }
        packet.raw = Some(region.into());
        packet
    }

    /// Appends a header. The caller is responsible for the content of
    /// commands (see the protocol layer's validation).
    pub fn push(&mut self, key: &str, value: &str) {
        let key_start = offset(self.text.len());
        self.text.push_str(key);
        let key_end = offset(self.text.len());
        self.text.push('\0');
        let value_start = offset(self.text.len());
        self.text.push_str(value);
        let value_end = offset(self.text.len());
        self.text.push('\0');
        let value = (value_start, value_end);
        self.spans.push(Span { key: (key_start, key_end), value, raw_value: value });
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
        self.spans.is_empty()
    }

    fn key_at(&self, span: &Span) -> &str {
        &self.text[range(span.key)]
    }

    fn value_at(&self, span: &Span) -> &str {
        &self.text[range(span.value)]
    }

    /// The value of header `index` alone (a lookup by the protocol layer's
    /// index of known headers, which needs no key).
    pub(crate) fn value(&self, index: usize) -> Option<&str> {
        self.spans.get(index).map(|span| self.value_at(span))
    }

    /// The header at `index`, as `(key, value)` with the key as received.
    pub fn header(&self, index: usize) -> Option<(&str, &str)> {
        self.spans.get(index).map(|span| (self.key_at(span), self.value_at(span)))
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans.iter().map(move |span| (self.key_at(span), self.value_at(span)))
    }

    /// Each header's key as bytes: for a pass over every key that must not
    /// pay for `str` slicing's checks (the offsets are the packet's own).
    pub(crate) fn key_bytes(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.spans.iter().map(move |span| &self.text.as_bytes()[range(span.key)])
    }

    /// The packet's text as C reads it, and where each header's key and
    /// value lie in it as `[key_start, key_len, value_start, value_len]`:
    /// each is followed by a NUL byte. So is every `&str` this packet
    /// returns ([`Packet::get`], [`Packet::header`], [`Packet::iter`]), whose
    /// pointer is therefore a C string. (A value pushed with a NUL in it
    /// reads shorter in C; received values never hold one.)
    pub fn nul_text(&self) -> (&[u8], impl Iterator<Item = [u32; 4]> + '_) {
        let offsets = self.spans.iter().map(|s| [s.key.0, s.key.1 - s.key.0, s.value.0, s.value.1 - s.value.0]);
        (self.text.as_bytes(), offsets)
    }

    /// The value of the first header named `key`, compared without regard to
    /// ASCII case.
    pub fn get(&self, key: &str) -> Option<&str> {
        // The exact spelling first: a memcmp, where the case-blind
        // comparison goes byte by byte.
        let matches = |span: &&Span| {
            let name = self.key_at(span);
            name == key || name.eq_ignore_ascii_case(key)
        };
        self.spans.iter().find(matches).map(|span| self.value_at(span))
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
            Some(raw) => &raw[range(span.raw_value)],
            None => self.value_at(span).as_bytes(),
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
