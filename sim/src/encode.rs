//! How this simulated DGPhone turns packets and lines into bytes: the line
//! ending and the character set are behaviour switches, so clients can be
//! tested against the variants seen in the field.

use super::config::{LineEnding, SimConfig};
use crate::wire::text::encode_windows_1252;
use crate::wire::Packet;

/// The byte form chosen by a [`SimConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Encoding {
    line_ending: LineEnding,
    windows_1252: bool,
}

impl Encoding {
    pub(crate) fn of(config: &SimConfig) -> Encoding {
        Encoding { line_ending: config.line_ending, windows_1252: config.windows_1252 }
    }

    fn eol(&self) -> &'static [u8] {
        match self.line_ending {
            LineEnding::CrLf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }

    fn text(&self, text: &str, out: &mut Vec<u8>) {
        if self.windows_1252 {
            out.extend_from_slice(&encode_windows_1252(text));
        } else {
            out.extend_from_slice(text.as_bytes());
        }
    }

    /// A packet: `Key: Value` lines, then an empty line. A header with an
    /// empty key is written as its bare value, as the wire layer reads it.
    pub(crate) fn packet(&self, packet: &Packet) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        for (key, value) in packet.iter() {
            if !key.is_empty() {
                self.text(key, &mut out);
                out.extend_from_slice(b": ");
            }
            self.text(value, &mut out);
            out.extend_from_slice(self.eol());
        }
        out.extend_from_slice(self.eol());
        out
    }

    /// One line, such as the greeting banner.
    pub(crate) fn line(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 2);
        self.text(text, &mut out);
        out.extend_from_slice(self.eol());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoding(line_ending: LineEnding, windows_1252: bool) -> Encoding {
        Encoding::of(&SimConfig { line_ending, windows_1252, ..SimConfig::default() })
    }

    #[test]
    fn the_default_is_the_wire_layers_encoding() {
        let packet = Packet::new().with("Event", "DGPhoneEvent").with("Message", "Não").with("", "body");
        assert_eq!(encoding(LineEnding::CrLf, false).packet(&packet), packet.encode());
    }

    #[test]
    fn bare_lf_and_windows_1252() {
        let packet = Packet::new().with("Event", "DGPhoneResponse").with("Message", "Usuário inválido");
        let bytes = encoding(LineEnding::Lf, true).packet(&packet);
        assert_eq!(bytes, b"Event: DGPhoneResponse\nMessage: Usu\xe1rio inv\xe1lido\n\n");
        assert_eq!(encoding(LineEnding::Lf, false).line("DGPhone"), b"DGPhone\n");
    }
}
