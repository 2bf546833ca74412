//! The headers the library itself reads, found once per event. Reading
//! state, settling waits and delivering an event look up `Line`,
//! `Status`, `User`, `Number`... a dozen times between them; each lookup
//! was a scan of every header with a case-blind compare, and together
//! they cost more than parsing the packet. One pass at typing time notes
//! where each one is.

use super::names::header;
use crate::wire::Headers;

/// A header the library reads by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    Event,
    Status,
    Response,
    Command,
    User,
    Line,
    Number,
    Digit,
    Hold,
    Paused,
    Message,
    Agent,
    Uniqueid,
    Queue,
    Time,
    Timestamp,
}

const COUNT: usize = Known::Timestamp as usize + 1;
/// No such header among the first 255 (a byte each keeps an event small;
/// DGPhone's packets have a dozen headers): a longer packet's later
/// headers are searched when asked for.
const ABSENT: u8 = u8::MAX;
const INDEXED: usize = ABSENT as usize;

/// A name's first and last four bytes, each byte folded as ASCII letters
/// fold (`| 0x20`), with its length. Every known name is letters only, so
/// a key of the same length matches its triple exactly when it is that
/// name in some case: the bit folded away is a letter's case bit, and no
/// other byte folds onto a letter. Only `Timestamp` is longer than eight
/// bytes, and its fifth byte is checked apart.
const fn shape(name: &[u8]) -> (usize, u64) {
    let len = name.len();
    let head = u32::from_le_bytes([name[0], name[1], name[2], name[3]]) | 0x2020_2020;
    let tail = u32::from_le_bytes([name[len - 4], name[len - 3], name[len - 2], name[len - 1]]) | 0x2020_2020;
    (len, (head as u64) << 32 | tail as u64)
}

/// Every known header by its name.
const NAMES: [(&str, Known); COUNT] = {
    use Known::*;
    [
        (header::EVENT, Event),
        (header::STATUS, Status),
        (header::RESPONSE, Response),
        (header::COMMAND, Command),
        (header::USER, User),
        (header::LINE, Line),
        (header::NUMBER, Number),
        (header::DIGIT, Digit),
        (header::HOLD, Hold),
        (header::PAUSED, Paused),
        (header::MESSAGE, Message),
        (header::AGENT, Agent),
        (header::UNIQUEID, Uniqueid),
        (header::QUEUE, Queue),
        (header::TIME, Time),
        (header::TIMESTAMP, Timestamp),
    ]
};

/// The most known names of one length (four of four bytes, four of five).
const PER_LEN: usize = 4;

/// `NAMES`' shapes by length, so a key is compared with at most four.
const BY_LEN: [[Option<(u64, Known)>; PER_LEN]; 10] = {
    let mut table = [[None; PER_LEN]; 10];
    let mut i = 0;
    while i < COUNT {
        let (name, known) = NAMES[i];
        let (len, folded) = shape(name.as_bytes());
        let mut slot = 0;
        while table[len][slot].is_some() {
            slot += 1;
        }
        table[len][slot] = Some((folded, known));
        i += 1;
    }
    table
};

fn classify(key: &[u8]) -> Option<Known> {
    if !(4..=9).contains(&key.len()) {
        return None;
    }
    let (len, folded) = shape(key);
    let known = BY_LEN[len].iter().map_while(|slot| *slot).find(|&(f, _)| f == folded).map(|(_, known)| known)?;
    // The one byte the shape of a nine-byte name leaves out.
    (len < 9 || key[4] | 0x20 == b's').then_some(known)
}

/// Where the first of each known header is in one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KnownHeaders([u8; COUNT]);

impl KnownHeaders {
    pub fn of(headers: Headers<'_>) -> KnownHeaders {
        let mut at = [ABSENT; COUNT];
        headers.for_each_key(|index, key| {
            if let Some(known) = classify(key).filter(|_| index < INDEXED) {
                let slot = &mut at[known as usize];
                if *slot == ABSENT {
                    *slot = index as u8;
                }
            }
        });
        KnownHeaders(at)
    }

    /// The value of the first `known` header in `headers` (the ones these
    /// were found in).
    #[inline(always)]
    pub fn get<'a>(&self, headers: Headers<'a>, known: Known) -> Option<&'a str> {
        match self.0[known as usize] {
            ABSENT if headers.len() > INDEXED => (INDEXED..headers.len())
                .find(|&index| headers.key(index).and_then(classify) == Some(known))
                .and_then(|index| headers.value(index)),
            ABSENT => None,
            index => headers.value(usize::from(index)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Packet;

    #[test]
    fn finds_the_first_of_each_in_any_case_and_nothing_else() {
        let packet = Packet::from_pairs(&[
            ("EVENT", "DGPhoneEvent"),
            ("line", "2"),
            ("Line", "3"),
            ("Lines", "9"),
            ("X-Status", "no"),
            ("TimeStamp", "10:00:00"),
        ]);
        let known = KnownHeaders::of(Headers::Packet(&packet));
        assert_eq!(known.get(Headers::Packet(&packet), Known::Event), Some("DGPhoneEvent"));
        assert_eq!(known.get(Headers::Packet(&packet), Known::Line), Some("2"), "the first one");
        assert_eq!(known.get(Headers::Packet(&packet), Known::Status), None);
        assert_eq!(known.get(Headers::Packet(&packet), Known::Timestamp), Some("10:00:00"));
        assert_eq!(known.get(Headers::Packet(&packet), Known::Time), None);
    }

    #[test]
    fn a_known_header_past_the_indexed_ones_is_still_found() {
        let mut packet = Packet::new();
        for i in 0..300 {
            packet.push(&format!("X-{i}"), "filler");
        }
        packet.push("line", "4");
        packet.push("Line", "5");
        let known = KnownHeaders::of(Headers::Packet(&packet));
        assert_eq!(known.get(Headers::Packet(&packet), Known::Line), Some("4"));
        assert_eq!(known.get(Headers::Packet(&packet), Known::Status), None);
    }

    #[test]
    fn every_known_name_is_found_in_any_case_and_no_near_miss() {
        for &(name, known) in &NAMES {
            assert_eq!(classify(name.as_bytes()), Some(known));
            assert_eq!(classify(name.to_uppercase().as_bytes()), Some(known));
            assert_eq!(classify(name.to_lowercase().as_bytes()), Some(known));
            // One byte off, anywhere, is another key.
            for at in 0..name.len() {
                let mut near = name.as_bytes().to_vec();
                near[at] ^= 0x01;
                assert_eq!(classify(&near), None, "{near:?}");
            }
        }
        assert_eq!(classify(b"Lin"), None);
        assert_eq!(classify(b"Timestampx"), None);
        assert_eq!(classify(b"Timeztamp"), None);
    }
}
