//! # dgphone
//!
//! A client library for DGPhone's remote-control protocol (the softphone
//! used with the Intelix PBX, TCP port 5038), with a built-in simulator.
//!
//! Layers, top to bottom: [`wire`] (bytes ⇄ packets), [`protocol`]
//! (packets ⇄ typed commands and events, validation), [`state`] (the six
//! lines and the agent), [`client`] (the connection, its reader thread,
//! callbacks and the event queue), [`flows`] (multi-step procedures such as
//! the agent login), [`sim`] (a DGPhone simulator), and `ffi` (the C ABI).

pub mod client;
mod error;
pub mod ffi;
pub mod flows;
pub mod protocol;
pub mod sim;
pub mod state;
pub mod wire;

pub use client::{Client, ClientEvent, ClientHandle, DisconnectReason, Options, OverflowPolicy};
pub use error::{Error, Result};
pub use protocol::{ArgError, Command, Event, EventKind, Line};
pub use state::{AgentState, LineInfo, LineState, PhoneState};
