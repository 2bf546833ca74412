//! # dgphone
//!
//! A client library for DGPhone's remote-control protocol (the softphone
//! used with the Intelix PBX, TCP port 5038).
//!
//! Layers, top to bottom: [`flows`] (multi-step procedures such as the agent
//! login), [`client`] (the connection, its reader thread, callbacks and the
//! event queue), and `ffi` (the C ABI), on top of the protocol crate
//! `dgphone-proto`, re-exported here as [`wire`], [`protocol`] and
//! [`state`]. The DGPhone simulator is a crate of its own, `dgphone-sim`,
//! so that no production build carries a listening socket.

pub mod client;
mod error;
pub mod ffi;
pub mod flows;

pub use dgphone_proto::{protocol, session, state, sync, wire};

pub use client::{Client, ClientEvent, ClientHandle, DisconnectReason, Options, OverflowPolicy};
pub use error::{Error, Result};
pub use protocol::{ArgError, Command, Event, EventKind, Line};
pub use state::{AgentState, LineInfo, LineState, PhoneState};
