//! A failure at the boundary, the per-thread message of the last one, and
//! copying text out to a caller's buffer.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::c_char;

use dgphone_proto::ArgError;

use crate::codes::*;

/// A failure at the boundary: its code and a message in plain words.
pub struct Failure {
    pub code: dgp_result,
    pub message: String,
}

impl Failure {
    pub fn new(code: dgp_result, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into() }
    }
}

impl From<ArgError> for Failure {
    fn from(error: ArgError) -> Failure {
        Failure::new(DGP_ERR_INVALID_ARGUMENT, error.to_string())
    }
}

thread_local! {
    /// The message of this thread's last failed call, whatever its handle:
    /// the one error channel of each C library (like errno), so a message
    /// is never another thread's. Each library links its own copy.
    static THREAD_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub fn set_thread_error(message: &str) {
    THREAD_ERROR.with(|e| *e.borrow_mut() = message.to_string());
}

pub fn thread_error() -> String {
    THREAD_ERROR.with(|e| e.borrow().clone())
}

/// Copies `text` into a caller's buffer as a NUL-terminated string.
///
/// `*out_len` (when not NULL) receives the text's length without the NUL.
/// With a buffer too small (or NULL), nothing is written to it and
/// `DGP_ERR_BUFFER_TOO_SMALL` is returned, so a caller can ask for the
/// size with `buf = NULL, buf_len = 0`.
///
/// # Safety
/// `buf` must point to `buf_len` writable bytes (or be NULL), `out_len` to
/// a writable `uint32_t` (or be NULL).
pub unsafe fn copy_out(text: &str, buf: *mut c_char, buf_len: u32, out_len: *mut u32) -> dgp_result {
    let text = CString::new(text.replace('\0', "\u{FFFD}")).expect("NULs were replaced");
    let bytes = text.as_bytes_with_nul();
    if !out_len.is_null() {
        // Texts copied out are messages and values of a few KiB at most,
        // far below 4 GiB.
        *out_len = u32::try_from(bytes.len() - 1).unwrap_or(u32::MAX);
    }
    if buf.is_null() || usize::try_from(buf_len).map_or(true, |len| len < bytes.len()) {
        return DGP_ERR_BUFFER_TOO_SMALL;
    }
    std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, bytes.len());
    DGP_OK
}
