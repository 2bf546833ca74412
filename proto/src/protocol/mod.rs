//! The protocol layer: packets ⇄ typed commands and events, and the checks
//! that keep bad input off the wire. Pure: no I/O.

mod command;
mod confirm;
mod event;
pub mod validate;

pub use command::Command;
pub use confirm::{confirmation, Confirmation, Verdict};
pub use event::{Event, EventKind, ParsedTime};
pub use validate::{ArgError, Line};
