//! The wire layer: bytes ⇄ packets. Pure, no I/O beyond an optional
//! `Read` to fill the decoder's buffer, no allocation per byte; and the
//! wire recording format ([`record`]), which writes to a file it is given.

mod decoder;
mod encoding;
pub mod escape;
mod packet;
pub mod record;
pub mod redact;
mod scan;
mod spans;
pub mod text;
mod usual;

pub(crate) use decoder::PlacedPacket;
pub use decoder::{Decoder, Frame, WireError, DEFAULT_MAX_PACKET};
pub use encoding::{Charset, Encoding, LineEnding};
pub use packet::Packet;
pub(crate) use packet::{Headers, Span};
