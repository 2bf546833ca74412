//! Options: an opaque builder with typed setters, so fields can be added
//! without changing any layout.

use std::ffi::CString;
use std::os::raw::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use super::{guard_value, result::*};
use crate::client::{LogLevel, Options, OverflowPolicy, Reconnect};
use dgphone_abi::{attempt_reporting_to_thread, handle, handle_mut, null};

/// Connection options. Create with `dgp_options_new`, set fields, pass to
/// `dgp_client_new` (which copies them), free with `dgp_options_free`.
pub struct dgp_options {
    inner: Options,
    /// The reconnection settings, kept while reconnection is off so that
    /// each can be set (and read) on its own, in any order.
    reconnect: Reconnect,
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
/// reader thread, whose stack is 128 KiB when a log callback is set: keep
/// it short) and must not call back into the library's blocking calls.
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
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(dgp_options { inner: Options::default(), reconnect: Reconnect::default() }))
    })
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

/// Applies `set` to a copy of the options and keeps it if every value is
/// in range (`Options::validate_values`: the rules live there, not here);
/// a failure (a NULL handle, a value out of range or not a known constant)
/// sets this thread's message.
unsafe fn with(options: *mut dgp_options, set: impl FnOnce(&mut dgp_options) -> Result<(), Failure>) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let options = handle_mut("options", options)?;
        let mut candidate = dgp_options { inner: options.inner.clone(), reconnect: options.reconnect.clone() };
        set(&mut candidate)?;
        candidate.inner.validate_values()?;
        // The reconnection settings kept while it is off are checked as if
        // it were on, so a bad one is refused where it is set.
        let reconnecting = Options { reconnect: Some(candidate.reconnect.clone()), ..candidate.inner.clone() };
        reconnecting.validate_values()?;
        *options = candidate;
        Ok(())
    })
}

/// Reads a value out of the options into `*out`.
unsafe fn get<T>(options: *const dgp_options, out: *mut T, read: impl FnOnce(&dgp_options) -> T) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let options = handle("options", options)?;
        let out = out.as_mut().ok_or_else(|| null("out"))?;
        *out = read(options);
        Ok(())
    })
}

fn ms(value: u32) -> Duration {
    Duration::from_millis(u64::from(value))
}

fn nonzero_ms(value: u32) -> Option<Duration> {
    (value > 0).then(|| ms(value))
}

/// A duration in whole ms, saturated to what a `uint32_t` holds.
fn to_ms(duration: Duration) -> u32 {
    u32::try_from(duration.as_millis()).unwrap_or(u32::MAX)
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn flag(value: i32) -> bool {
    value != 0
}

/// Time allowed for the TCP connection to open, in ms (default 5000; 0 is
/// refused with DGP_ERR_INVALID_ARGUMENT).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_connect_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.inner.connect_timeout = ms(ms_);
        Ok(())
    })
}

/// The connect timeout in ms (`dgp_options_set_connect_timeout_ms`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_connect_timeout_ms(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_ms(o.inner.connect_timeout))
}

/// Time allowed for a write, and the wait for a login response, in ms
/// (default 5000; 0 is refused).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_command_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.inner.command_timeout = ms(ms_);
        Ok(())
    })
}

/// The command timeout in ms (`dgp_options_set_command_timeout_ms`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_command_timeout_ms(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_ms(o.inner.command_timeout))
}

/// Declares the connection dead when nothing at all (not even a
/// DGTimeStamp) arrives for this many ms. 0 (default) never does.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_dead_peer_timeout_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.inner.dead_peer_timeout = nonzero_ms(ms_);
        Ok(())
    })
}

/// The dead-peer timeout in ms, 0 for none (`dgp_options_set_dead_peer_timeout_ms`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_dead_peer_timeout_ms(
    options: *const dgp_options,
    out: *mut u32,
) -> dgp_result {
    get(options, out, |o| o.inner.dead_peer_timeout.map_or(0, to_ms))
}

/// TCP keep-alive idle time in seconds (default 30; 0 turns it off).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_tcp_keepalive_s(options: *mut dgp_options, seconds: u32) -> dgp_result {
    with(options, |o| {
        o.inner.tcp_keepalive = (seconds > 0).then(|| Duration::from_secs(u64::from(seconds)));
        Ok(())
    })
}

/// The TCP keep-alive idle time in seconds, 0 for off (`dgp_options_set_tcp_keepalive_s`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_tcp_keepalive_s(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| o.inner.tcp_keepalive.map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)))
}

/// Automatic reconnection after an unexpected disconnection, with re-login
/// and a Status request: non-zero turns it on, 0 off (default). Its delays
/// and attempts are set apart (`dgp_options_set_reconnect_initial_ms`,
/// `_max_ms`, `_max_attempts`) and kept while it is off.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_reconnect(options: *mut dgp_options, enabled: i32) -> dgp_result {
    with(options, |o| {
        o.inner.reconnect = flag(enabled).then(|| o.reconnect.clone());
        Ok(())
    })
}

/// 1 when automatic reconnection is on, else 0 (`dgp_options_set_reconnect`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_reconnect(options: *const dgp_options, out: *mut i32) -> dgp_result {
    get(options, out, |o| i32::from(o.inner.reconnect.is_some()))
}

impl dgp_options {
    /// Changes a reconnection setting, in the kept settings and in the
    /// options when reconnection is on.
    fn set_reconnect_field(&mut self, set: impl Fn(&mut Reconnect)) {
        set(&mut self.reconnect);
        if let Some(r) = self.inner.reconnect.as_mut() {
            set(r);
        }
    }
}

/// The delay before the first reconnection attempt, in ms (default 500; 0
/// is refused); it doubles after each failure, with jitter, up to the
/// maximum delay.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_reconnect_initial_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.set_reconnect_field(|r| r.initial_delay = ms(ms_));
        Ok(())
    })
}

/// The initial reconnection delay in ms (`dgp_options_set_reconnect_initial_ms`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_reconnect_initial_ms(
    options: *const dgp_options,
    out: *mut u32,
) -> dgp_result {
    get(options, out, |o| to_ms(o.reconnect.initial_delay))
}

/// The longest delay between reconnection attempts, in ms (default
/// 30000). It must be at least the initial delay (checked by
/// `dgp_client_new` and `dgp_connect`, so the two can be set in either
/// order). Also how long a connection must stay up before the back-off
/// starts over: one that ends sooner (a flap) counts as a failed attempt.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_reconnect_max_ms(options: *mut dgp_options, ms_: u32) -> dgp_result {
    with(options, |o| {
        o.set_reconnect_field(|r| r.max_delay = ms(ms_));
        Ok(())
    })
}

/// The maximum reconnection delay in ms (`dgp_options_set_reconnect_max_ms`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_reconnect_max_ms(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_ms(o.reconnect.max_delay))
}

/// Failed reconnection attempts in a row, flaps included, before
/// DGP_EVENT_RECONNECT_FAILED ends them; 0 (default) tries forever.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_reconnect_max_attempts(
    options: *mut dgp_options,
    attempts: u32,
) -> dgp_result {
    with(options, |o| {
        o.set_reconnect_field(|r| r.max_attempts = (attempts > 0).then_some(attempts));
        Ok(())
    })
}

/// The maximum reconnection attempts, 0 for no limit (`dgp_options_set_reconnect_max_attempts`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_reconnect_max_attempts(
    options: *const dgp_options,
    out: *mut u32,
) -> dgp_result {
    get(options, out, |o| o.reconnect.max_attempts.unwrap_or(0))
}

/// Capacity of the pull queue in events (default 4096; 0 turns the queue
/// off). The queue collects while no callback is set, or beside one when
/// `dgp_options_set_queue_with_callback` asks.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_queue_capacity(options: *mut dgp_options, capacity: u32) -> dgp_result {
    with(options, |o| {
        o.inner.queue_capacity = capacity as usize;
        Ok(())
    })
}

/// The pull queue's capacity (`dgp_options_set_queue_capacity`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_queue_capacity(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_u32(o.inner.queue_capacity))
}

/// What a full queue or callback backlog does: a `DGP_OVERFLOW_*` value
/// (default DGP_OVERFLOW_DROP_OLDEST); another value is refused with
/// DGP_ERR_INVALID_ARGUMENT.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_overflow_policy(
    options: *mut dgp_options,
    policy: dgp_overflow_policy_t,
) -> dgp_result {
    with(options, |o| {
        o.inner.overflow = match policy {
            DGP_OVERFLOW_DROP_OLDEST => OverflowPolicy::DropOldest,
            DGP_OVERFLOW_DROP_NEWEST => OverflowPolicy::DropNewest,
            DGP_OVERFLOW_BLOCK => OverflowPolicy::Block,
            other => {
                return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a DGP_OVERFLOW_* policy")))
            }
        };
        Ok(())
    })
}

/// The overflow policy (`dgp_options_set_overflow_policy`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_overflow_policy(
    options: *const dgp_options,
    out: *mut dgp_overflow_policy_t,
) -> dgp_result {
    get(options, out, |o| match o.inner.overflow {
        OverflowPolicy::DropOldest => DGP_OVERFLOW_DROP_OLDEST,
        OverflowPolicy::DropNewest => DGP_OVERFLOW_DROP_NEWEST,
        OverflowPolicy::Block => DGP_OVERFLOW_BLOCK,
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
        o.inner.queue_with_callback = flag(enabled);
        Ok(())
    })
}

/// 1 when the queue collects beside a callback, else 0 (`dgp_options_set_queue_with_callback`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_queue_with_callback(options: *const dgp_options, out: *mut i32) -> dgp_result {
    get(options, out, |o| i32::from(o.inner.queue_with_callback))
}

/// How many events may wait for a slow callback (default 4096; at least
/// 1). Past that the overflow policy applies, each loss counted and
/// reported as DGP_EVENT_OVERFLOW.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_delivery_backlog(options: *mut dgp_options, events: u32) -> dgp_result {
    with(options, |o| {
        o.inner.delivery_backlog = events as usize;
        Ok(())
    })
}

/// The callback's backlog in events (`dgp_options_set_delivery_backlog`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_delivery_backlog(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_u32(o.inner.delivery_backlog))
}

/// Stack of the callback thread, in bytes, where the event callback runs.
/// Default 131072 (128 KiB): room for a callback that reads the event and
/// hands it on (a Python ctypes callback queueing it, a Delphi
/// `TThread.Queue`). A host running deep code in the callback itself (a
/// .NET delegate doing real work, an interpreter recursing) raises it, say
/// to 1048576: it costs address space, not memory, until used. At least
/// 65536 (DGP_ERR_INVALID_ARGUMENT below). Takes effect for a client
/// created with these options, when its first callback is set.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_callback_stack_size(options: *mut dgp_options, bytes: u32) -> dgp_result {
    with(options, |o| {
        o.inner.callback_stack_size = bytes as usize;
        Ok(())
    })
}

/// The callback thread's stack in bytes
/// (`dgp_options_set_callback_stack_size`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_callback_stack_size(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_u32(o.inner.callback_stack_size))
}

/// Largest packet accepted from DGPhone, in bytes (default 65536; at least
/// 256).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_max_packet(options: *mut dgp_options, bytes: u32) -> dgp_result {
    with(options, |o| {
        o.inner.max_packet = bytes as usize;
        Ok(())
    })
}

/// The largest packet accepted, in bytes (`dgp_options_set_max_packet`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_max_packet(options: *const dgp_options, out: *mut u32) -> dgp_result {
    get(options, out, |o| to_u32(o.inner.max_packet))
}

/// Non-zero: `User:` is added to every command after login, as field code
/// does. Default 0.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_send_user(options: *mut dgp_options, enabled: i32) -> dgp_result {
    with(options, |o| {
        o.inner.send_user = flag(enabled);
        Ok(())
    })
}

/// 1 when `User:` goes with every command, else 0 (`dgp_options_set_send_user`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_send_user(options: *const dgp_options, out: *mut i32) -> dgp_result {
    get(options, out, |o| i32::from(o.inner.send_user))
}

/// Non-zero (default 1): Login carries `RemoteMode: 1` (DGPhone then
/// refuses local call commands).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_remote_mode(options: *mut dgp_options, enabled: i32) -> dgp_result {
    with(options, |o| {
        o.inner.remote_mode = flag(enabled);
        Ok(())
    })
}

/// 1 when Login carries `RemoteMode: 1`, else 0 (`dgp_options_set_remote_mode`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_remote_mode(options: *const dgp_options, out: *mut i32) -> dgp_result {
    get(options, out, |o| i32::from(o.inner.remote_mode))
}

/// Non-zero (default 1): DTMF digits are hidden in logs and wire logs
/// (they may be an agent's password).
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_redact_dtmf(options: *mut dgp_options, enabled: i32) -> dgp_result {
    with(options, |o| {
        o.inner.redact_dtmf = flag(enabled);
        Ok(())
    })
}

/// 1 when DTMF digits are redacted, else 0 (`dgp_options_set_redact_dtmf`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_redact_dtmf(options: *const dgp_options, out: *mut i32) -> dgp_result {
    get(options, out, |o| i32::from(o.inner.redact_dtmf))
}

/// Sets the log callback (NULL turns logging off, the default). The
/// library never prints: this is its only output. `user_data` is passed
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
) -> dgp_result {
    with(options, |o| {
        o.inner.logger = callback.map(|callback| {
            let user_data = UserData(user_data);
            let logger: crate::client::Logger = Arc::new(move |level: LogLevel, line: &str| {
                let line = CString::new(line.replace('\0', "\u{FFFD}")).expect("NULs were replaced");
                // SAFETY: the caller vouched for the callback and its data.
                unsafe { callback(user_data.get(), level as u32, line.as_ptr()) };
            });
            logger
        });
        Ok(())
    })
}

/// The most detailed level the log callback receives: a `DGP_LOG_*` value
/// (default DGP_LOG_INFO); another value is refused.
///
/// # Safety
/// `options` is NULL or a valid options handle.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_set_log_level(options: *mut dgp_options, level: dgp_log_level_t) -> dgp_result {
    with(options, |o| {
        o.inner.log_level = match level {
            DGP_LOG_ERROR => LogLevel::Error,
            DGP_LOG_WARN => LogLevel::Warn,
            DGP_LOG_INFO => LogLevel::Info,
            DGP_LOG_DEBUG => LogLevel::Debug,
            DGP_LOG_TRACE => LogLevel::Trace,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a DGP_LOG_* level"))),
        };
        Ok(())
    })
}

/// The log level (`dgp_options_set_log_level`).
///
/// # Safety
/// `options` is NULL or a valid options handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_options_get_log_level(
    options: *const dgp_options,
    out: *mut dgp_log_level_t,
) -> dgp_result {
    get(options, out, |o| o.inner.log_level as u32)
}

/// Records every byte the client sends and receives, with each connection
/// opening and closing, to a new file at `path` (replacing any), in the
/// wire recording format that `dgp_replay_start` plays back: capture a
/// problem in the field, reproduce it on a desk. DTMF digits are written as
/// `<redacted>` unless `dgp_options_set_redact_dtmf` turned redaction
/// off. The file is created now and shared by
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
    with(options, |o| {
        let o = &mut o.inner;
        let path = super::optional_text("path", path)?;
        let log = path.map(crate::wire::record::WireLog::create).transpose().map_err(|e| {
            Failure::new(DGP_ERR_RESOURCE, format!("cannot create the wire log {}: {e}", path.unwrap_or("")))
        })?;
        o.wire_log = log;
        Ok(())
    })
}
