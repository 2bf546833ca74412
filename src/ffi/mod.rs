//! The C ABI: opaque handles, result codes, copied strings, callbacks.
//! Thin: no protocol logic here. Every export catches panics, so none
//! crosses the boundary. Conventions: see `include/dgphone.h`'s preamble.
#![allow(non_camel_case_types)]

mod client;
mod event;
mod flows;
mod keep;
mod options;
mod raw;
mod result;
mod version;

// The boundary helpers, codes and kinds shared with libdgphone_sim.
use dgphone_abi::{attempt, guard, guard_value, optional_text, text};

pub use client::*;
pub use dgphone_abi::kinds::*;
pub use event::*;
pub use flows::*;
pub use keep::*;
pub use options::*;
pub use raw::*;
pub use result::*;
pub use version::*;
