//! Faults the simulator can inject, so a client's handling of a broken
//! DGPhone or network can be tested: what each one is, its text form (for
//! the command line, scenarios and the C ABI), and the bytes of the
//! one-shot ones. Pure: the connection applies them.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::duration::{format_duration, parse_duration};

/// A fault. *Lasting* faults ([`Fault::is_lasting`]) change how a
/// connection writes until they are cleared; the others are one-shot
/// actions played once. Text forms in brackets (see [`Fault::from_str`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Lasting: wait this long before every write (`delay=200ms`).
    Delay(Duration),
    /// Lasting: write one byte per write call, with this pause between
    /// bytes (`byte-at-a-time`, `byte-at-a-time=1ms`), so a client sees
    /// every packet split at every possible point.
    ByteAtATime(Duration),
    /// Lasting: write nothing at all, not even timestamps, while still
    /// reading and answering commands (`silent`), as a hung DGPhone.
    Silent,
    /// Write the first part of a packet, then close the connection
    /// (`close-mid-packet`).
    CloseMidPacket,
    /// A packet of about this many bytes (`oversize`, `oversize=200000`;
    /// default [`Fault::DEFAULT_OVERSIZE`]).
    Oversize(usize),
    /// An event whose values are not UTF-8: Windows-1252 text and bytes
    /// that are not text at all (`invalid-utf8`).
    InvalidUtf8,
    /// An event with a NUL byte inside a value (`nul`).
    Nul,
    /// Garbage lines: stray blank lines, colon-less noise, binary bytes, a
    /// packet of nonsense headers (`garbage`).
    Garbage,
    /// This many DTMFReceived events, each with a `Seq:` from 1, written as
    /// fast as the socket takes them (`flood=10000`).
    Flood(u32),
    /// Drop every client, refuse connections for this long (the port is
    /// closed), then listen on the same port again (`restart=2s`). Affects
    /// the whole simulator, whichever connection triggers it.
    Restart(Duration),
}

impl Fault {
    /// True for faults that change how a connection writes until cleared
    /// (Delay, ByteAtATime, Silent); false for one-shot actions.
    pub fn is_lasting(&self) -> bool {
        matches!(self, Fault::Delay(_) | Fault::ByteAtATime(_) | Fault::Silent)
    }

    /// The oversize packet's default size: well past the client library's
    /// default 64 KiB limit.
    pub const DEFAULT_OVERSIZE: usize = 100 * 1024;

    /// The text forms, for help screens and error messages.
    pub const FORMS: &'static str = "delay=DURATION, byte-at-a-time[=DURATION], silent, close-mid-packet, \
                                     oversize[=BYTES], invalid-utf8, nul, garbage, flood=N, restart=DURATION";
}

/// Reads the text form: a name, then `=VALUE` where the fault takes one
/// (durations such as `200ms`, `2s`).
impl FromStr for Fault {
    type Err = String;

    fn from_str(spec: &str) -> Result<Fault, String> {
        let (name, value) = match spec.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim())),
            None => (spec.trim(), None),
        };
        let duration = |value: Option<&str>| -> Result<Duration, String> {
            let value = value.ok_or_else(|| format!("{name} needs a duration, as in {name}=200ms"))?;
            parse_duration(value).ok_or_else(|| format!("{name}: {value:?} is not a duration such as 200ms or 2s"))
        };
        let number = |value: &str| -> Result<u64, String> {
            value.parse::<u64>().map_err(|_| format!("{name}: {value:?} is not a whole number"))
        };
        let no_value = |fault: Fault| match value {
            None => Ok(fault),
            Some(_) => Err(format!("{name} takes no value")),
        };
        match name.to_ascii_lowercase().as_str() {
            "delay" => Ok(Fault::Delay(duration(value)?)),
            "byte-at-a-time" => Ok(Fault::ByteAtATime(match value {
                Some(_) => duration(value)?,
                None => Duration::ZERO,
            })),
            "silent" => no_value(Fault::Silent),
            "close-mid-packet" => no_value(Fault::CloseMidPacket),
            "oversize" => match value {
                Some(v) => Ok(Fault::Oversize(usize::try_from(number(v)?).unwrap_or(usize::MAX))),
                None => Ok(Fault::Oversize(Fault::DEFAULT_OVERSIZE)),
            },
            "invalid-utf8" => no_value(Fault::InvalidUtf8),
            "nul" => no_value(Fault::Nul),
            "garbage" => no_value(Fault::Garbage),
            "flood" => {
                let value = value.ok_or_else(|| "flood needs a count, as in flood=1000".to_string())?;
                let count = u32::try_from(number(value)?).map_err(|_| format!("flood: {value} is too many"))?;
                Ok(Fault::Flood(count))
            }
            "restart" => Ok(Fault::Restart(duration(value)?)),
            _ => Err(format!("{spec:?} is not a fault (one of: {})", Fault::FORMS)),
        }
    }
}

/// The text form, which [`Fault::from_str`] reads back.
impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Delay(d) => write!(f, "delay={}", format_duration(*d)),
            Fault::ByteAtATime(gap) if gap.is_zero() => f.write_str("byte-at-a-time"),
            Fault::ByteAtATime(gap) => write!(f, "byte-at-a-time={}", format_duration(*gap)),
            Fault::Silent => f.write_str("silent"),
            Fault::CloseMidPacket => f.write_str("close-mid-packet"),
            Fault::Oversize(size) => write!(f, "oversize={size}"),
            Fault::InvalidUtf8 => f.write_str("invalid-utf8"),
            Fault::Nul => f.write_str("nul"),
            Fault::Garbage => f.write_str("garbage"),
            Fault::Flood(count) => write!(f, "flood={count}"),
            Fault::Restart(d) => write!(f, "restart={}", format_duration(*d)),
        }
    }
}

/// How a connection writes while lasting faults are set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WriteFaults {
    pub delay: Option<Duration>,
    /// `Some(pause)`: one byte per write.
    pub byte_gap: Option<Duration>,
    pub silent: bool,
}

impl WriteFaults {
    /// Adds a lasting fault; one-shot faults change nothing here.
    pub(crate) fn set(&mut self, fault: &Fault) {
        match fault {
            Fault::Delay(d) => self.delay = Some(*d).filter(|d| !d.is_zero()),
            Fault::ByteAtATime(gap) => self.byte_gap = Some(*gap),
            Fault::Silent => self.silent = true,
            _ => {}
        }
    }
}

/// The start of the event the mid-packet close cuts short.
pub(crate) fn mid_packet(user: &str) -> Vec<u8> {
    format!("Event: DGPhoneEvent\r\nStatus: Hangup\r\nUser: {user}\r\nLi").into_bytes()
}

/// A packet of `size` bytes or a little more (never less than its headers):
/// a real event carrying one huge header.
pub(crate) fn oversize(user: &str, size: usize) -> Vec<u8> {
    let mut bytes = format!("Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: {user}\r\nLine: 1\r\nFiller: ").into_bytes();
    let filler = size.saturating_sub(bytes.len() + 4);
    bytes.resize(bytes.len() + filler, b'x');
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes
}

/// An Error event whose Message is Windows-1252 ("Ligação não completada –
/// tente de novo") and whose Number is bytes that are no text at all.
pub(crate) fn invalid_utf8(user: &str) -> Vec<u8> {
    let mut bytes = format!("Event: DGPhoneEvent\r\nStatus: Error\r\nUser: {user}\r\nMessage: ").into_bytes();
    bytes.extend_from_slice(b"Liga\xe7\xe3o n\xe3o completada \x96 tente de novo\r\nNumber: \xff\xfe\x81\r\n\r\n");
    bytes
}

/// An Error event with a NUL inside its Message.
pub(crate) fn nul(user: &str) -> Vec<u8> {
    format!("Event: DGPhoneEvent\r\nStatus: Error\r\nUser: {user}\r\nMessage: before\0after\r\n\r\n").into_bytes()
}

/// Garbage a confused peer or a noisy line might produce. A reader that
/// follows PROTOCOL.md sees two greetings (the colon-less lines outside a
/// packet) and one packet of nonsense headers, then nothing more: the
/// bytes end on a blank line, so the next packet is read intact.
pub(crate) fn garbage() -> Vec<u8> {
    b"\r\n\n\r\n+++ line noise \x01\x02\x7f +++\r\n\xff\xfe\xfd\r\n\r\n: no key\r\nKey Without Value:\r\n\
      just words\r\n\r\n\r\n"
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Decoder, Frame, WireError};

    fn frames(bytes: &[u8], max_packet: usize) -> Vec<Result<Frame, WireError>> {
        let mut decoder = Decoder::new(max_packet);
        decoder.push(bytes);
        let mut frames: Vec<_> = std::iter::from_fn(|| decoder.next_frame()).collect();
        frames.extend(decoder.finish().map(Err));
        frames
    }

    #[test]
    fn text_forms_round_trip() {
        let all = [
            Fault::Delay(Duration::from_millis(200)),
            Fault::ByteAtATime(Duration::ZERO),
            Fault::ByteAtATime(Duration::from_millis(1)),
            Fault::Silent,
            Fault::CloseMidPacket,
            Fault::Oversize(70_000),
            Fault::InvalidUtf8,
            Fault::Nul,
            Fault::Garbage,
            Fault::Flood(1000),
            Fault::Restart(Duration::from_secs(2)),
        ];
        for fault in all {
            assert_eq!(fault.to_string().parse::<Fault>(), Ok(fault.clone()), "{fault}");
        }
        assert_eq!("oversize".parse(), Ok(Fault::Oversize(Fault::DEFAULT_OVERSIZE)));
        assert_eq!(" Delay = 1.5s ".parse(), Ok(Fault::Delay(Duration::from_millis(1500))));
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!("flood".parse::<Fault>().unwrap_err(), "flood needs a count, as in flood=1000");
        assert!("flood=lots".parse::<Fault>().unwrap_err().contains("not a whole number"));
        assert!("delay=5".parse::<Fault>().unwrap_err().contains("not a duration"));
        assert_eq!("silent=1".parse::<Fault>().unwrap_err(), "silent takes no value");
        assert!("explode".parse::<Fault>().unwrap_err().contains("is not a fault (one of: delay=DURATION"));
    }

    #[test]
    fn lasting_faults_change_writes() {
        let mut faults = WriteFaults::default();
        for fault in [Fault::Delay(Duration::from_millis(5)), Fault::ByteAtATime(Duration::ZERO), Fault::Garbage] {
            assert_eq!(fault.is_lasting(), !matches!(fault, Fault::Garbage));
            faults.set(&fault);
        }
        assert_eq!(faults.delay, Some(Duration::from_millis(5)));
        assert_eq!((faults.byte_gap, faults.silent), (Some(Duration::ZERO), false));
    }

    #[test]
    fn one_shot_bytes_read_as_protocol_md_says() {
        let cut = mid_packet("201");
        assert_eq!(frames(&cut, 1024), [Err(WireError::Truncated { bytes: cut.len() })]);

        let big = oversize("201", 5000);
        assert_eq!(big.len(), 5000);
        assert_eq!(frames(&big, 4096), [Err(WireError::Oversize { limit: 4096 })]);
        let fits = frames(&big, 8192);
        let head = "Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: 201\r\nLine: 1\r\nFiller: ".len();
        let filler = 5000 - head - 4;
        assert!(matches!(&fits[..], [Ok(Frame::Packet(p))] if p.get("Filler").map(str::len) == Some(filler)));

        let bad = match &frames(&invalid_utf8("201"), 1024)[..] {
            [Ok(Frame::Packet(packet))] => packet.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(bad.get("Message"), Some("Ligação não completada – tente de novo"));
        assert_eq!(bad.get("Number"), Some("ÿþ\u{FFFD}"));
        match &frames(&nul("201"), 1024)[..] {
            [Ok(Frame::Packet(packet))] => assert_eq!(packet.get("Message"), Some("before\u{FFFD}after")),
            other => panic!("{other:?}"),
        }

        // As a client meets it: after the connection's first packet.
        let junk = frames(&[&b"Event: First\r\n\r\n"[..], &garbage()].concat(), 1024);
        assert_eq!(junk.len(), 4, "{junk:?}");
        let stray = |text: &str| Err(WireError::StrayLine { text: text.into() });
        assert_eq!(junk[1], stray("+++ line noise \u{1}\u{2}\u{7f} +++"));
        assert_eq!(junk[2], stray("ÿþý"));
        let headers = [("", "no key"), ("Key Without Value", ""), ("", "just words")];
        assert_eq!(junk[3], Ok(Frame::Packet(crate::wire::Packet::from_pairs(&headers))));
    }
}
