//! Turning received bytes into text an application can always use.
//!
//! DGPhone runs on Windows and may write Portuguese text in Windows-1252
//! (`Não`) rather than UTF-8. A value is decoded as UTF-8 when it is valid,
//! else byte by byte as Windows-1252, so the result is always valid UTF-8.
//! A NUL cannot travel through a C string, so it becomes U+FFFD.
//! [`encode_windows_1252`] goes the other way, for the simulator's
//! Windows-1252 switch.

use std::borrow::Cow;

/// Windows-1252's 0x80..=0x9F block; the rest of the code page is Latin-1.
/// The five unassigned bytes map to U+FFFD.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{FFFD}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
    '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{FFFD}', '\u{017D}', '\u{FFFD}', '\u{FFFD}', '\u{2018}',
    '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}',
    '\u{203A}', '\u{0153}', '\u{FFFD}', '\u{017E}', '\u{0178}',
];

fn cp1252_char(byte: u8) -> char {
    match byte {
        0 => '\u{FFFD}',
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Decodes one received value: borrowed when it is clean UTF-8 (the usual
/// case), converted otherwise.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if !bytes.contains(&0) => Cow::Borrowed(text),
        Ok(text) => Cow::Owned(text.replace('\0', "\u{FFFD}")),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| cp1252_char(b)).collect()),
    }
}

/// Encodes text as Windows-1252, as a Windows DGPhone writes it. ASCII
/// stays as it is; a character the code page lacks becomes `?`.
pub fn encode_windows_1252(text: &str) -> Cow<'_, [u8]> {
    if text.is_ascii() {
        return Cow::Borrowed(text.as_bytes());
    }
    let byte_of = |c: char| -> u8 {
        match u32::from(c) {
            code @ (0x00..=0x7F | 0xA0..=0xFF) => code as u8,
            _ => CP1252_HIGH.iter().position(|&high| high == c && c != '\u{FFFD}').map_or(b'?', |i| 0x80 + i as u8),
        }
    };
    Cow::Owned(text.chars().map(byte_of).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(decode("Não".as_bytes()), Cow::Borrowed("Não")));
    }

    #[test]
    fn windows_1252_is_converted() {
        assert_eq!(decode(b"N\xe3o \x80 \x93x\x94"), "Não € “x”");
    }

    #[test]
    fn nul_becomes_replacement_character() {
        assert_eq!(decode(b"a\0b"), "a\u{FFFD}b");
        assert_eq!(decode(b"\xe3\0"), "ã\u{FFFD}");
    }

    #[test]
    fn windows_1252_encoding_round_trips() {
        assert!(matches!(encode_windows_1252("Status: Ready"), Cow::Borrowed(b"Status: Ready")));
        let text = "Ligação não completada – “ok” € ÿ";
        let bytes = encode_windows_1252(text);
        assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8 any more");
        assert_eq!(decode(&bytes), text);
        assert_eq!(&*encode_windows_1252("日本 \u{FFFD}"), b"?? ?");
    }
}
