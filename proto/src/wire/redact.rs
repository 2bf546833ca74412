//! DTMF redaction for logs and recordings: the value of every `Digits`
//! header becomes `<redacted>`, since an agent's code and password travel
//! as DTMF. One implementation for the client's wire log and the
//! simulator's recordings, so both hide the same thing the same way.
//!
//! It works on bytes as they are written or read, so a recording keeps
//! every other byte exact (line endings included); a header split across
//! reads is still caught.

/// What a redacted value reads as.
pub const REDACTED: &str = "<redacted>";

/// The header whose value is hidden, compared without regard to case.
const NAME: &[u8] = b"digits";

/// Redacts a byte stream piece by piece (one per connection and
/// direction). Only the start of a line that may still become a `Digits`
/// header is held back until it is known; everything else passes at once.
#[derive(Clone, Debug)]
pub struct DtmfRedactor {
    /// The current line's start, held while it may be `Digits:`.
    held: Vec<u8>,
    /// At the start of a line (nothing of it passed yet).
    at_line_start: bool,
    /// Inside a `Digits` value: swallowed up to the end of the line.
    in_value: bool,
}

impl Default for DtmfRedactor {
    fn default() -> DtmfRedactor {
        DtmfRedactor { held: Vec::new(), at_line_start: true, in_value: false }
    }
}

/// Whether a line's start is a `Digits` header's name and colon (`Yes`),
/// may still become one (`Maybe`), or is something else.
#[derive(PartialEq, Eq)]
enum Header {
    Yes,
    Maybe,
    No,
}

fn header(start: &[u8]) -> Header {
    let name_len = start.len().min(NAME.len());
    if !start[..name_len].eq_ignore_ascii_case(&NAME[..name_len]) {
        return Header::No;
    }
    // `Digits`, blanks, then the colon.
    match start[name_len..].split_last() {
        None => Header::Maybe,
        Some((b':', blanks)) if blanks.iter().all(|b| matches!(b, b' ' | b'\t')) => Header::Yes,
        Some((_, _)) if start[name_len..].iter().all(|b| matches!(b, b' ' | b'\t')) => Header::Maybe,
        Some(_) => Header::No,
    }
}

impl DtmfRedactor {
    /// The bytes of `piece` that may be written now, redacted.
    pub fn redact(&mut self, piece: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(piece.len());
        for &byte in piece {
            let ends_line = matches!(byte, b'\r' | b'\n');
            if self.in_value {
                if ends_line {
                    self.in_value = false;
                    self.at_line_start = true;
                    out.push(byte);
                }
                continue;
            }
            if !self.at_line_start {
                out.push(byte);
                self.at_line_start = byte == b'\n';
                continue;
            }
            self.held.push(byte);
            match header(&self.held) {
                Header::Maybe => {}
                Header::Yes => {
                    out.append(&mut self.held);
                    out.push(b' ');
                    out.extend_from_slice(REDACTED.as_bytes());
                    self.in_value = true;
                    self.at_line_start = false;
                }
                Header::No => {
                    out.append(&mut self.held);
                    self.at_line_start = byte == b'\n';
                }
            }
        }
        out
    }

    /// What is still held back, for when the stream ends.
    pub fn finish(&mut self) -> Vec<u8> {
        self.at_line_start = true;
        self.in_value = false;
        std::mem::take(&mut self.held)
    }
}

/// Whole bytes (such as one encoded packet), redacted.
pub fn redact_dtmf(bytes: &[u8]) -> Vec<u8> {
    let mut redactor = DtmfRedactor::default();
    let mut out = redactor.redact(bytes);
    out.extend(redactor.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn digits_values_are_hidden_and_everything_else_kept() {
        let packet = b"Action: DGPhoneCommand\r\nCommand: SendDtmf\r\nDigits: 1234#\r\n\r\n";
        let expected = "Action: DGPhoneCommand\r\nCommand: SendDtmf\r\nDigits: <redacted>\r\n\r\n";
        assert_eq!(text(&redact_dtmf(packet)), expected);
        assert_eq!(
            text(&redact_dtmf(b"digits :99\nDigit: 5\nXDigits: 7\n\n")),
            "digits : <redacted>\nDigit: 5\nXDigits: 7\n\n"
        );
        assert_eq!(text(&redact_dtmf(b"Number: 100\n")), "Number: 100\n");
        assert_eq!(text(&redact_dtmf(b"Digi")), "Digi", "an unfinished start is given back at the end");
    }

    #[test]
    fn a_header_split_across_pieces_is_still_caught() {
        let stream = b"Command: SendDtmf\nDigits: 4321#\n\nCommand: Status\n\n";
        let clear = redact_dtmf(stream);
        // Every split point, one and two pieces at a time.
        for at in 0..=stream.len() {
            let mut redactor = DtmfRedactor::default();
            let mut out = redactor.redact(&stream[..at]);
            out.extend(redactor.redact(&stream[at..]));
            out.extend(redactor.finish());
            assert_eq!(out, clear, "split at {at}");
            assert!(!text(&out).contains("4321"));
        }
        let mut redactor = DtmfRedactor::default();
        let out: Vec<u8> = stream.iter().flat_map(|b| redactor.redact(std::slice::from_ref(b))).collect();
        assert_eq!(out, clear, "one byte at a time");
    }

    #[test]
    fn only_a_possible_header_is_held_back() {
        let mut redactor = DtmfRedactor::default();
        assert_eq!(redactor.redact(b"Command: Dial\nNum"), b"Command: Dial\nNum");
        assert_eq!(redactor.redact(b"ber: 1\nDig"), b"ber: 1\n");
        assert_eq!(redactor.redact(b"its: 12"), b"Digits: <redacted>");
        assert_eq!(redactor.redact(b"34\r\n"), b"\r\n");
    }
}
