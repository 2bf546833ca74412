//! # dgphone-proto
//!
//! DGPhone's remote-control protocol (the Intelix PBX softphone, TCP port
//! 5038) as pure code: no sockets, no threads. The client library
//! (`dgphone`) and the simulator (`dgphone-sim`) both build on it.
//!
//! Layers, bottom to top: [`wire`] (bytes ⇄ packets), [`protocol`]
//! (packets ⇄ typed commands and events, validation), [`state`] (the six
//! lines and the agent), and [`session`] (one connection's login and
//! logoff bookkeeping, as a state machine).

pub mod format;
pub mod protocol;
pub mod session;
pub mod state;
pub mod sync;
pub mod wire;

pub use protocol::{ArgError, Command, Event, EventKind, Line};
pub use state::{AgentState, Change, Field, LineInfo, LineState, PhoneState};
