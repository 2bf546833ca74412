//! Options: an opaque builder with typed setters, so fields can be added
//! without changing any layout.

use std::ffi::CString;
use std::os::raw::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use super::{guard_value, result::*};
use crate::client::{LogLevel, Options, OverflowPolicy, Reconnect};
use dgphone_abi::{attempt_reporting_to_thread, handle_mut};

/// Connection options. Create with `dgp_options_new`, set fields, pass to
/// `dgp_client_new` (which copies them), free with `dgp_options_free`.
pub struct dgp_options {
    inner: Options,
}

impl dgp_options {
    pub(crate) fn options(&self) -> &Options {
        &self.inner
    }
}

/// What a full queue or callback backlog does: a `DGP_OVERFLOW_*` value.
pub type dgp_overflow_policy_t = u32;
/// A log level: a `DGP_LOG_*` value.
pub type dgp_log_level_t = u32;

/// Overflow policies (`dgp_overflow_policy_t`): a full queue drops its
/// oldest event (default).
pub const DGP_OVERFLOW_DROP_OLDEST: dgp_overflow_policy_t = 0;
/// A full queue drops the new event.
pub const DGP_OVERFLOW_DROP_NEWEST: dgp_overflow_policy_t = 1;
/// A full queue or callback backlog makes the reader thread wait: nothing
/// is lost, but reading (and so waits and login) waits too.
pub const DGP_OVERFLOW_BLOCK: dgp_overflow_policy_t = 2;

/// Log levels (`dgp_log_level_t`), most severe first: errors.
pub const DGP_LOG_ERROR: dgp_log_level_t = 1;
/// Something went wrong but the library carries on (lost connection, protocol error).
pub const DGP_LOG_WARN: dgp_log_level_t = 2;
/// Connections, logins, reconnections.
pub const DGP_LOG_INFO: dgp_log_level_t = 3;
/// Every command sent (DTMF redacted by default).
pub const DGP_LOG_DEBUG: dgp_log_level_t = 4;
/// Every packet received.
pub const DGP_LOG_TRACE: dgp_log_level_t = 5;

/// A log callback: `level` is a `DGP_LOG_*` value; `message` is UTF-8,
/// valid only during the call. It runs on whichever thread logged (often the
/// reader thread, whose stack is 128 KiB: keep it short) and must not call
/// back into the library's blocking calls.
pub type dgp_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: dgp_log_level_t, message: *const c_char)>;

/// The user data pointer travels to other threads; the caller promised it
/// may (see `dgp_options_set_log_callback`).
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: the library only hands the pointer back to the caller's callback.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    /// Read through a method so closures capture the whole (Send) wrapper,
    /// not its raw pointer field.
    pub(crate) fn get(&self) -> *mut c_void {
        self.0
    }
}

/// Creates options with the defaults (see each setter). Returns NULL only
/// when out of memory. Free with `dgp_options_free`.
#[no_mangle]
pub extern "C" fn dgp_options_new() -> *mut dgp_options {
    guard_value(std::ptr::null_mut(), || Box::into_raw(Box::new(dgp_options { inner: Options::default() })))
}

/// Frees options. NULL is a no-op. Clients made from them keep their copy.
///
/// # Safety
/// `options` is NULL or came from `dgp_options_new` and is not used again.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_free(options: *mut dgp_options) {
    if !options.is_null() {
        drop(Box::from_raw(options));
    }
}

/// Applies `set` to the options behind the pointer; a failure (a NULL
/// handle, a value out of range) sets this thread's message.
unsafe fn with(options: *mut dgp_options, set: impl FnOnce(&mut Options) -> dgp_result) -> dgp_result {
    try_with(options, |o| match set(o) {
        DGP_OK => Ok(()),
        code => Err(Failure::new(code, "the value is out of range for this option (see its documentation)")),
    })
}

/// [`with`] for setters whose failures carry a message of their own.
unsafe fn try_with(options: *mut dgp_options, set: impl FnOnce(&mut Options) -> Result<(), Failure>) -> dgp_result {
    attempt_reporting_to_thread(|| set(&mut handle_mut("options", options)?.inner))
}

fn ms(value: u32) -> Duration {
    Duration::from_millis(u64::from(value))
}

fn nonzero_ms(value: u32) -> Option<Duration> {
    (value > 0).then(|| ms(value))
}

/// Time allowed for the TCP connection to open, in ms (default 5000; 0 is
/// refused with DGP_ERR_INVALID_ARGUMENT).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_connect_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| match nonzero_ms(ms_) {
        Some(d) => {
            o.connect_timeout = d;
            DGP_OK
        }
        None => DGP_ERR_INVALID_ARGUMENT,
    })
}

/// Time allowed for a write, and the wait for a login response, in ms
/// (default 5000; 0 is refused).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_command_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| match nonzero_ms(ms_) {
        Some(d) => {
            o.command_timeout = d;
            DGP_OK
        }
        None => DGP_ERR_INVALID_ARGUMENT,
    })
}

/// Declares the connection dead when nothing at all (not even a
/// DGTimeStamp) arrives for this many ms. 0 (default) never does.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_dead_peer_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.dead_peer_timeout = nonzero_ms(ms_);
        DGP_OK
    })
}

/// TCP keep-alive idle time in seconds (default 30; 0 turns it off).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_tcp_keepalive_s(options: *mut dgp_options, seconds: u32) -> dgp_result {
    with(options, |o| {
        o.tcp_keepalive = (seconds > 0).then(|| Duration::from_secs(u64::from(seconds)));
        DGP_OK
    })
}

/// Automatic reconnection after an unexpected disconnection, with re-login
/// and a Status request. `enabled` 0 turns it off (default). The delay
/// starts at `initial_ms` and doubles up to `max_ms`, with jitter. It
/// starts over only after a connection stayed up for `max_ms`; one that
/// ends sooner (a flap) counts as a failed attempt. `max_attempts` failed
/// attempts in a row, flaps included, end in DGP_EVENT_RECONNECT_FAILED;
/// 0 tries forever.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_reconnect(
    options: *mut dgp_options,
    enabled: i32,
    initial_ms: u32,
    max_ms: u32,
    max_attempts: u32,
) -> dgp_result {
    with(options, |o| {
        if enabled == 0 {
            o.reconnect = None;
            return DGP_OK;
        }
        if initial_ms == 0 || max_ms < initial_ms {
            return DGP_ERR_INVALID_ARGUMENT;
        }
        o.reconnect = Some(Reconnect {
            initial_delay: ms(initial_ms),
            max_delay: ms(max_ms),
            max_attempts: (max_attempts > 0).then_some(max_attempts),
        });
        DGP_OK
    })
}

/// Capacity of the pull queue (default 4096; 0 turns the queue off) and
/// the overflow policy (`DGP_OVERFLOW_*`) of the queue and of the
/// callback's backlog. The queue collects while no callback is set, or
/// beside one when `dgp_options_set_queue_with_callback` asks.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_queue(options: *mut dgp_options, capacity: u32, overflow: u32) -> dgp_result {
    with(options, |o| {
        o.overflow = match overflow {
            DGP_OVERFLOW_DROP_OLDEST => OverflowPolicy::DropOldest,
            DGP_OVERFLOW_DROP_NEWEST => OverflowPolicy::DropNewest,
            DGP_OVERFLOW_BLOCK => OverflowPolicy::Block,
            _ => return DGP_ERR_INVALID_ARGUMENT,
        };
        o.queue_capacity = capacity as usize;
        DGP_OK
    })
}

/// `enabled` non-zero: the pull queue keeps collecting while an event
/// callback is set (both deliveries). Default 0: with a callback set, the
/// queue collects nothing, so a callback-only application never fills (and
/// loses from) a queue nobody pulls.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_queue_with_callback(options: *mut dgp_options, enabled: i32) -> dgp_result {
    with(options, |o| {
        o.queue_with_callback = enabled != 0;
        DGP_OK
    })
}

/// How many events may wait for a slow callback (default 4096; at least
/// 1). Past that the overflow policy of `dgp_options_set_queue` applies,
/// each loss counted and reported as DGP_EVENT_OVERFLOW.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_delivery_backlog(options: *mut dgp_options, events: u32) -> dgp_result {
    with(options, |o| {
        if events == 0 {
            return DGP_ERR_INVALID_ARGUMENT;
        }
        o.delivery_backlog = events as usize;
        DGP_OK
    })
}

/// Largest packet accepted from DGPhone, in bytes (default 65536; at least
/// 256).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_max_packet(options: *mut dgp_options, bytes: u32) -> dgp_result {
    with(options, |o| {
        if bytes < 256 {
            return DGP_ERR_INVALID_ARGUMENT;
        }
        o.max_packet = bytes as usize;
        DGP_OK
    })
}

/// Flags, each 0 or non-zero: `send_user` adds `User:` to every command
/// after login (default 0); `remote_mode` sends `RemoteMode: 1` with Login
/// (default 1); `redact_dtmf` hides DTMF digits in logs (default 1).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_flags(
    options: *mut dgp_options,
    send_user: i32,
    remote_mode: i32,
    redact_dtmf: i32,
) -> dgp_result {
    with(options, |o| {
        o.send_user = send_user != 0;
        o.remote_mode = remote_mode != 0;
        o.redact_dtmf = redact_dtmf != 0;
        DGP_OK
    })
}

/// Sets the log callback and the most detailed level it receives
/// (`DGP_LOG_*`, default DGP_LOG_INFO). NULL `callback` turns logging off.
/// The library never prints: this is its only output. `user_data` is passed
/// back untouched, from any thread.
///
/// # Safety
/// `options` is NULL or a valid options handle; `callback` stays callable
/// with `user_data` until every client made from these options is freed.
// rustc 1.63 calls the unsafe block in the closure redundant; newer
// compilers want it.
#[allow(unused_unsafe)]
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_log_callback(
    options: *mut dgp_options,
    callback: dgp_log_callback,
    user_data: *mut c_void,
    level: u32,
) -> dgp_result {
    let level = match level {
        DGP_LOG_ERROR => LogLevel::Error,
        DGP_LOG_WARN => LogLevel::Warn,
        DGP_LOG_INFO => LogLevel::Info,
        DGP_LOG_DEBUG => LogLevel::Debug,
        DGP_LOG_TRACE => LogLevel::Trace,
        _ => return DGP_ERR_INVALID_ARGUMENT,
    };
    with(options, |o| {
        o.log_level = level;
        o.logger = callback.map(|callback| {
            let user_data = UserData(user_data);
            let logger: crate::client::Logger = Arc::new(move |level: LogLevel, line: &str| {
                let line = CString::new(line.replace('\0', "\u{FFFD}")).expect("NULs were replaced");
                // SAFETY: the caller vouched for the callback and its data.
                unsafe { callback(user_data.get(), level as u32, line.as_ptr()) };
            });
            logger
        });
        DGP_OK
    })
}

/// Records every byte the client sends and receives, with each connection
/// opening and closing, to a new file at `path` (replacing any), in the
/// wire recording format that `dgp_replay_start` plays back: capture a
/// problem in the field, reproduce it on a desk. DTMF digits are written as
/// `<redacted>` unless `redact_dtmf` was turned off with
/// `dgp_options_set_flags`. The file is created now and shared by
/// every client made from these options (their connections are numbered
/// apart). NULL: no recording (the default). Lines are written as they
/// happen, from the reader thread and the calling threads.
/// Errors: DGP_ERR_RESOURCE when the file cannot be created (message via
/// `dgp_last_error` on this thread), DGP_ERR_NOT_UTF8.
///
/// # Safety
/// `options` is NULL or a valid options handle; `path` NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_wire_log(options: *mut dgp_options, path: *const c_char) -> dgp_result {
    try_with(options, |o| {
        let path = super::optional_text("path", path)?;
        let log = path.map(crate::wire::record::WireLog::create).transpose().map_err(|e| {
            Failure::new(DGP_ERR_RESOURCE, format!("cannot create the wire log {}: {e}", path.unwrap_or("")))
        })?;
        o.wire_log = log;
        Ok(())
    })
}
