//! The byte form of what is written: the line ending and the character
//! set. The client writes the documented form (CRLF, UTF-8); the simulator
//! can also write the variants seen in the field, so clients can be tested
//! against them. One encoder serves both.

use super::text::encode_windows_1252;
use super::Packet;

/// How lines end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineEnding {
    /// CRLF, as the documents say and DGPhone does. The default.
    #[default]
    CrLf,
    /// A bare LF, as some field software writes.
    Lf,
}

/// The character set of the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8. The default.
    #[default]
    Utf8,
    /// Windows-1252, as a Windows DGPhone may write Portuguese text.
    Windows1252,
}

/// A line ending and a character set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Encoding {
    pub line_ending: LineEnding,
    pub charset: Charset,
}

impl Encoding {
    fn eol(self) -> &'static [u8] {
        match self.line_ending {
            LineEnding::CrLf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }

    fn text(self, text: &str, out: &mut Vec<u8>) {
        match self.charset {
            Charset::Utf8 => out.extend_from_slice(text.as_bytes()),
            Charset::Windows1252 => out.extend_from_slice(&encode_windows_1252(text)),
        }
    }

    /// Appends `packet`: `Key: Value` lines, then an empty line. A header
    /// with an empty key is written as its bare value, as the decoder
    /// reads it.
    pub fn packet_into(self, packet: &Packet, out: &mut Vec<u8>) {
        for (key, value) in packet.iter() {
            if !key.is_empty() {
                self.text(key, out);
                out.extend_from_slice(b": ");
            }
            self.text(value, out);
            out.extend_from_slice(self.eol());
        }
        out.extend_from_slice(self.eol());
    }

    /// `packet` in this form.
    pub fn packet(self, packet: &Packet) -> Vec<u8> {
        let mut out = Vec::with_capacity(packet.encoded_len_hint());
        self.packet_into(packet, &mut out);
        out
    }

    /// One line, such as the greeting banner.
    pub fn line(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 2);
        self.text(text, &mut out);
        out.extend_from_slice(self.eol());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoding(line_ending: LineEnding, charset: Charset) -> Encoding {
        Encoding { line_ending, charset }
    }

    #[test]
    fn the_default_is_the_documented_form() {
        let packet = Packet::new().with("Event", "DGPhoneEvent").with("Message", "Não").with("", "body");
        assert_eq!(
            Encoding::default().packet(&packet),
            "Event: DGPhoneEvent\r\nMessage: Não\r\nbody\r\n\r\n".as_bytes()
        );
        assert_eq!(Encoding::default().packet(&packet), packet.encode());
    }

    #[test]
    fn bare_lf_and_windows_1252() {
        let packet = Packet::new().with("Event", "DGPhoneResponse").with("Message", "Usuário inválido");
        let bytes = encoding(LineEnding::Lf, Charset::Windows1252).packet(&packet);
        assert_eq!(bytes, b"Event: DGPhoneResponse\nMessage: Usu\xe1rio inv\xe1lido\n\n");
        assert_eq!(encoding(LineEnding::Lf, Charset::Utf8).line("DGPhone"), b"DGPhone\n");
        assert_eq!(Encoding::default().line("DGPhone"), b"DGPhone\r\n");
    }
}
