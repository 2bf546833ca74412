//! Any bytes as one line of ASCII text and back: the form raw wire bytes
//! take in scenario files and wire recordings, so CR, LF, NUL and bytes
//! that are not UTF-8 survive a text file exactly.
//!
//! Printable ASCII stands for itself, except `\` and `"`. Escapes: `\\`,
//! `\"`, `\r`, `\n`, `\t`, `\0`, and `\xNN` (two hex digits) for any
//! other byte. Reading also accepts non-ASCII characters as their UTF-8
//! bytes, so a hand-written `Não` means what it says.

/// The escaped form of `bytes`: printable ASCII only, never a line break.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0 => out.push_str("\\0"),
            0x20..=0x7E => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out
}

/// Reads the escaped form back. The error says what was expected where.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        let byte = match chars.next().map(|(_, c)| c) {
            Some('\\') => b'\\',
            Some('"') => b'"',
            Some('r') => b'\r',
            Some('n') => b'\n',
            Some('t') => b'\t',
            Some('0') => 0,
            Some('x') => {
                let hex: String = chars.by_ref().take(2).map(|(_, c)| c).collect();
                // from_str_radix alone would take a sign ("+1").
                match u8::from_str_radix(&hex, 16) {
                    Ok(byte) if hex.len() == 2 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => byte,
                    _ => return Err(format!("two hex digits after \\x at column {}", at + 1)),
                }
            }
            _ => return Err(format!("one of \\\\ \\\" \\r \\n \\t \\0 \\xNN at column {}", at + 1)),
        };
        out.push(byte);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = escape(&all);
        assert!(text.bytes().all(|b| (0x20..=0x7E).contains(&b)), "{text}");
        assert_eq!(unescape(&text).unwrap(), all);
    }

    #[test]
    fn readable_forms() {
        assert_eq!(escape(b"Event: X\r\n\r\n"), "Event: X\\r\\n\\r\\n");
        assert_eq!(escape(b"N\xe3o \"q\" \\ \0"), "N\\xe3o \\\"q\\\" \\\\ \\0");
        assert_eq!(unescape("Não\\x41\\t").unwrap(), "NãoA\t".as_bytes());
    }

    #[test]
    fn bad_escapes_say_where() {
        assert_eq!(unescape("ab\\q").unwrap_err(), "one of \\\\ \\\" \\r \\n \\t \\0 \\xNN at column 3");
        assert_eq!(unescape("\\x4").unwrap_err(), "two hex digits after \\x at column 1");
        assert_eq!(unescape("\\xzz").unwrap_err(), "two hex digits after \\x at column 1");
        assert!(unescape("\\x+1").is_err());
        assert!(unescape("trailing\\").is_err());
    }
}
