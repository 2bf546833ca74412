//! Result codes and the per-handle error message.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::c_char;

use crate::Error;

/// A result code: `DGP_OK` (0) or one of the `DGP_ERR_*` values. Codes are
/// append-only and never reused.
pub type dgp_result = u32;

/// Success.
pub const DGP_OK: dgp_result = 0;
/// An argument is invalid (bad line, bad DTMF digit, CR/LF/NUL or another
/// control character in a string, a value too long). Nothing was sent.
pub const DGP_ERR_INVALID_ARGUMENT: dgp_result = 1;
/// A required pointer argument is NULL. Nothing was sent.
pub const DGP_ERR_NULL_POINTER: dgp_result = 2;
/// A string argument is not valid UTF-8. Nothing was sent.
pub const DGP_ERR_NOT_UTF8: dgp_result = 3;
/// The client is not connected.
pub const DGP_ERR_NOT_CONNECTED: dgp_result = 4;
/// The client is already connected.
pub const DGP_ERR_ALREADY_CONNECTED: dgp_result = 5;
/// The TCP connection could not be opened (unreachable, refused, timed out).
pub const DGP_ERR_CONNECT: dgp_result = 6;
/// DGPhone refused the login; the message is DGPhone's text.
pub const DGP_ERR_LOGIN_REJECTED: dgp_result = 7;
/// DGPhone reported that a command failed (Error or Busy status).
pub const DGP_ERR_COMMAND_FAILED: dgp_result = 8;
/// No answer, confirming event or queued event came in time.
pub const DGP_ERR_TIMEOUT: dgp_result = 9;
/// The connection was lost during the call.
pub const DGP_ERR_CONNECTION_LOST: dgp_result = 10;
/// The call was made from inside an event callback and would deadlock
/// there (a blocking wait, connect, free, changing the callback).
pub const DGP_ERR_WOULD_DEADLOCK: dgp_result = 11;
/// The command has no confirming event to wait for.
pub const DGP_ERR_NO_CONFIRMATION: dgp_result = 12;
/// The caller's buffer is too small; the needed length was stored.
pub const DGP_ERR_BUFFER_TOO_SMALL: dgp_result = 13;
/// An internal error was caught at the boundary (a bug: please report it).
pub const DGP_ERR_INTERNAL: dgp_result = 14;
/// The resource could not be created (thread, socket, pipe).
pub const DGP_ERR_RESOURCE: dgp_result = 15;
/// A simulator scenario run failed (see `dgp_sim_wait_for_scenario`).
pub const DGP_ERR_SCENARIO_FAILED: dgp_result = 16;

/// The code of a library error.
pub fn code_of(error: &Error) -> dgp_result {
    match error {
        Error::InvalidArgument(_) => DGP_ERR_INVALID_ARGUMENT,
        Error::NotConnected => DGP_ERR_NOT_CONNECTED,
        Error::AlreadyConnected => DGP_ERR_ALREADY_CONNECTED,
        Error::Connect { .. } => DGP_ERR_CONNECT,
        Error::LoginRejected { .. } => DGP_ERR_LOGIN_REJECTED,
        Error::CommandFailed { .. } => DGP_ERR_COMMAND_FAILED,
        Error::Timeout { .. } => DGP_ERR_TIMEOUT,
        Error::ConnectionLost(_) => DGP_ERR_CONNECTION_LOST,
        Error::WouldDeadlock(_) => DGP_ERR_WOULD_DEADLOCK,
        Error::NoConfirmation(_) => DGP_ERR_NO_CONFIRMATION,
        Error::Thread(_) => DGP_ERR_RESOURCE,
    }
}

/// Static, NUL-terminated descriptions, indexed by code.
const DESCRIPTIONS: [&str; 17] = [
    "ok\0",
    "invalid argument\0",
    "null pointer\0",
    "string is not valid UTF-8\0",
    "not connected\0",
    "already connected\0",
    "cannot connect\0",
    "login rejected by DGPhone\0",
    "command failed\0",
    "timed out\0",
    "connection lost\0",
    "not allowed inside an event callback (would deadlock)\0",
    "command has no confirming event\0",
    "buffer too small\0",
    "internal error\0",
    "cannot create a resource\0",
    "simulator scenario failed\0",
];

/// A static English description of a result code. Never NULL; unknown
/// codes give "unknown result code". The string is static: do not free it.
#[no_mangle]
pub extern "C" fn dgp_result_str(code: dgp_result) -> *const c_char {
    let text = DESCRIPTIONS.get(code as usize).copied().unwrap_or("unknown result code\0");
    text.as_ptr().cast()
}

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

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { code: code_of(&error), message: error.to_string() }
    }
}

impl From<crate::ArgError> for Failure {
    fn from(error: crate::ArgError) -> Failure {
        Error::from(error).into()
    }
}

thread_local! {
    /// Failures of calls that have no handle to keep them (dgp_client_new).
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
/// a writable `size_t` (or be NULL).
pub unsafe fn copy_out(text: &str, buf: *mut c_char, buf_len: usize, out_len: *mut usize) -> dgp_result {
    let text = CString::new(text.replace('\0', "\u{FFFD}")).expect("NULs were replaced");
    let bytes = text.as_bytes_with_nul();
    if !out_len.is_null() {
        *out_len = bytes.len() - 1;
    }
    if buf.is_null() || buf_len < bytes.len() {
        return DGP_ERR_BUFFER_TOO_SMALL;
    }
    std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, bytes.len());
    DGP_OK
}
