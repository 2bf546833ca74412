//! The C ABI: opaque handles, result codes, copied strings, callbacks.
//! Thin: no protocol logic here. Every export catches panics, so none
//! crosses the boundary. Conventions: see `include/dgphone.h`'s preamble.
#![allow(non_camel_case_types)]

mod client;
mod event;
mod options;
mod result;
mod sim;
mod version;

use std::ffi::CStr;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use client::*;
pub use event::*;
pub use options::*;
pub use result::*;
pub use sim::*;
pub use version::*;

/// Runs an export's body, turning a panic into `DGP_ERR_INTERNAL`.
fn guard(body: impl FnOnce() -> dgp_result) -> dgp_result {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(DGP_ERR_INTERNAL)
}

/// Runs a fallible export body; a panic becomes DGP_ERR_INTERNAL with a
/// message that says so.
fn attempt(body: impl FnOnce() -> Result<(), Failure>) -> Result<(), Failure> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|_| Err(Failure::new(DGP_ERR_INTERNAL, "internal error (a panic was caught at the boundary)")))
}

/// [`attempt`] for calls with no client handle: a failure's message is kept
/// for `dgp_last_error(NULL, ...)` on this thread.
fn attempt_reporting_to_thread(body: impl FnOnce() -> Result<(), Failure>) -> dgp_result {
    match attempt(body) {
        Ok(()) => DGP_OK,
        Err(failure) => {
            set_thread_error(&failure.message);
            failure.code
        }
    }
}

/// Runs a body that returns a value, with `fallback` on panic.
fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Reads a required C string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
unsafe fn text<'a>(arg: &str, ptr: *const c_char) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(DGP_ERR_NULL_POINTER, format!("{arg} is NULL")));
    }
    CStr::from_ptr(ptr).to_str().map_err(|e| Failure::new(DGP_ERR_NOT_UTF8, format!("{arg} is not valid UTF-8 ({e})")))
}

/// Reads an optional C string argument (NULL means absent).
///
/// # Safety
/// As [`text`].
unsafe fn optional_text<'a>(arg: &str, ptr: *const c_char) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        text(arg, ptr).map(Some)
    }
}
