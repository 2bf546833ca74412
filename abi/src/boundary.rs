//! The panic-guarded boundary every export runs through, and the readers
//! of C string arguments. A panic never crosses into the host: it becomes
//! `DGP_ERR_INTERNAL`.

use std::ffi::CStr;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::codes::*;
use crate::failure::{set_thread_error, Failure};

/// Runs an export's body, turning a panic into `DGP_ERR_INTERNAL`.
pub fn guard(body: impl FnOnce() -> dgp_result) -> dgp_result {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(DGP_ERR_INTERNAL)
}

/// Runs a fallible export body; a panic becomes DGP_ERR_INTERNAL with a
/// message that says so.
pub fn attempt(body: impl FnOnce() -> Result<(), Failure>) -> Result<(), Failure> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|_| Err(Failure::new(DGP_ERR_INTERNAL, "internal error (a panic was caught at the boundary)")))
}

/// [`attempt`] that keeps a failure's message for this thread's
/// `dgp_last_error` / `dgp_sim_last_error`.
pub fn attempt_reporting_to_thread(body: impl FnOnce() -> Result<(), Failure>) -> dgp_result {
    match attempt(body) {
        Ok(()) => DGP_OK,
        Err(failure) => {
            set_thread_error(&failure.message);
            failure.code
        }
    }
}

/// Runs a body that returns a value, with `fallback` on panic.
pub fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Reads a required C string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub unsafe fn text<'a>(arg: &str, ptr: *const c_char) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(null(arg));
    }
    CStr::from_ptr(ptr).to_str().map_err(|e| Failure::new(DGP_ERR_NOT_UTF8, format!("{arg} is not valid UTF-8 ({e})")))
}

/// Reads an optional C string argument (NULL means absent).
///
/// # Safety
/// As [`text`].
pub unsafe fn optional_text<'a>(arg: &str, ptr: *const c_char) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        text(arg, ptr).map(Some)
    }
}

/// The object behind a required handle argument, or a failure naming the
/// argument: every export reads its handles through this (or
/// [`handle_mut`]), so a NULL one always gets its own message.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` not mutated during `'a`.
pub unsafe fn handle<'a, T>(arg: &str, ptr: *const T) -> Result<&'a T, Failure> {
    ptr.as_ref().ok_or_else(|| null(arg))
}

/// [`handle`] for exports that change the object.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` used by no one else during `'a`.
pub unsafe fn handle_mut<'a, T>(arg: &str, ptr: *mut T) -> Result<&'a mut T, Failure> {
    ptr.as_mut().ok_or_else(|| null(arg))
}

/// Clears a required out-parameter before the call's work, so it holds
/// NULL on every failure; fails naming it when it is NULL itself.
///
/// # Safety
/// `out` is NULL or writable.
pub unsafe fn clear_out<T>(arg: &str, out: *mut *mut T) -> Result<(), Failure> {
    if out.is_null() {
        return Err(null(arg));
    }
    *out = std::ptr::null_mut();
    Ok(())
}

/// The failure of a NULL required argument.
pub fn null(arg: &str) -> Failure {
    Failure::new(DGP_ERR_NULL_POINTER, format!("{arg} is NULL"))
}
