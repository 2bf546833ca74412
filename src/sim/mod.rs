//! A DGPhone simulator: a TCP server that speaks DGPhone's remote-control
//! protocol, for the library's integration tests, for demos, and for host
//! applications' own tests. This first part is the pure call-flow model.

mod clock;
mod config;
mod phone;

pub use config::{LoginPolicy, SimConfig};
