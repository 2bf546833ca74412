//! The protocol layer: packets ⇄ typed commands and events, and the checks
//! that keep bad input off the wire. Pure: no I/O.

mod build;
mod command;
mod confirm;
mod event;
mod known;
pub mod names;
mod placed;
pub mod validate;

pub use build::EventBuilder;
pub use command::{Command, CommandError};
pub use confirm::{confirmation, Confirmation, Verdict};
pub use event::{Event, EventKind, EventRef, ParsedTime};
pub use placed::PlacedEvents;
pub use validate::{ArgError, Line};
