//! # dgphone-abi
//!
//! What the two C libraries (`libdgphone`, `libdgphone_sim`) share at the
//! boundary, so that both speak one contract: the result codes and their
//! descriptions ([`codes`], [`failure`]), the event kinds ([`kinds`]), and the
//! panic-guarded helpers every export runs through ([`boundary`]). It
//! exports no C symbol itself; each library's header includes its items.
#![allow(non_camel_case_types)]

pub mod boundary;
pub mod calling;
pub mod codes;
pub mod failure;
pub mod kinds;

pub use boundary::*;
pub use codes::*;
pub use failure::*;
pub use kinds::*;
