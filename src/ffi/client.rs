//! The client handle: lifecycle, commands, state queries, events.

use std::os::raw::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use super::event::dgp_event;
use super::options::{dgp_options, UserData};
use super::{attempt, guard, guard_value, optional_text, result::*, text};
use crate::client::{Client, ClientEvent, ClientHandle, EventHandler, Options};
use crate::flows::{self, AgentLogin};
use crate::protocol::{Command, Line};
use crate::state::{AgentState, LineState};
use dgphone_abi::attempt_reporting_to_thread;

/// A connection to one DGPhone. Create with `dgp_client_new`, free with
/// `dgp_client_free`. Every function taking it may be called from any
/// thread; commands may also be called from inside the event callback.
pub struct dgp_client {
    pub(super) client: Client,
}

/// An event callback: runs on the client's callback thread (not the reader
/// thread: reading, state, waits and login go on while it runs), once per
/// event, in order. That thread's stack is 128 KiB unless
/// `dgp_options_set_callback_stack_size` says otherwise: a callback needing
/// more raises it, or hands its work to a thread of its own. A slow callback delays
/// only its own later events; up to the delivery backlog
/// (`dgp_options_set_delivery_backlog`) wait for it, and past that the
/// overflow policy applies, losses reported as a DGP_EVENT_OVERFLOW event
/// before the next one. Inside it, the state functions (`dgp_line_state`,
/// `dgp_line_number`, `dgp_selected_line`, `dgp_agent_state`) give the
/// state as of the event delivered, though the reader may be further on.
/// `event` is valid only during the call (copy what you keep). Commands
/// may be called from inside it; blocking calls (login, waits, connect,
/// free, changing the callback) return DGP_ERR_WOULD_DEADLOCK there. It
/// must not unwind (no C++ exception or Delphi exception may escape it).
pub type dgp_event_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, event: *const dgp_event)>;

/// A line's state: one of the `DGP_LINE_*` values.
pub type dgp_line_state_t = u32;
/// An agent's state: one of the `DGP_AGENT_*` values.
pub type dgp_agent_state_t = u32;

/// Line states (`dgp_line_state_t`), on the model of TAPI's call states.
pub const DGP_LINE_IDLE: dgp_line_state_t = 0;
/// An incoming call is ringing.
pub const DGP_LINE_OFFERING: dgp_line_state_t = 1;
/// Dialling out.
pub const DGP_LINE_DIALING: dgp_line_state_t = 2;
/// In a call.
pub const DGP_LINE_CONNECTED: dgp_line_state_t = 3;
/// The call is on hold.
pub const DGP_LINE_ON_HOLD: dgp_line_state_t = 4;
/// The call ended; the line turns idle when DGPhone reports Ready.
pub const DGP_LINE_DISCONNECTED: dgp_line_state_t = 5;

/// Agent states (`dgp_agent_state_t`): no agent logged in.
pub const DGP_AGENT_LOGGED_OUT: dgp_agent_state_t = 0;
/// Logged in and available.
pub const DGP_AGENT_AVAILABLE: dgp_agent_state_t = 1;
/// A call is being offered to the agent.
pub const DGP_AGENT_OFFERED: dgp_agent_state_t = 2;
/// The agent is in a call.
pub const DGP_AGENT_IN_CALL: dgp_agent_state_t = 3;
/// The agent is paused.
pub const DGP_AGENT_PAUSED: dgp_agent_state_t = 4;

/// The longest value, in UTF-8 bytes without the NUL, of a free-text
/// argument (an agent pause reason, a `dgp_send_command` header value, the
/// host); longer is refused with DGP_ERR_INVALID_ARGUMENT, nothing sent.
pub const DGP_MAX_VALUE_LEN: u32 = 256;
/// The longest extension (`dgp_login`), number (`dgp_dial`), queue, agent
/// code, DTMF string or `dgp_send_command` header key, in UTF-8 bytes.
pub const DGP_MAX_SHORT_LEN: u32 = 64;
// The header states proto's limits; these fail to build if they part.
const _: () = assert!(DGP_MAX_VALUE_LEN as usize == crate::protocol::validate::MAX_VALUE_LEN);
const _: () = assert!(DGP_MAX_SHORT_LEN as usize == crate::protocol::validate::MAX_SHORT_LEN);

/// Runs a call on a client handle: NULL check, panic guard, and the
/// message of a failure kept for this thread's `dgp_last_error`.
pub(super) unsafe fn call(
    client: *const dgp_client,
    body: impl FnOnce(&dgp_client) -> Result<(), Failure>,
) -> dgp_result {
    let client = match client.as_ref() {
        Some(client) => client,
        None => {
            set_thread_error("the client handle is NULL");
            return DGP_ERR_NULL_POINTER;
        }
    };
    match attempt(|| body(client)) {
        Ok(()) => DGP_OK,
        Err(failure) => {
            set_thread_error(&failure.message);
            failure.code
        }
    }
}

pub(super) fn line_arg(line: i32) -> Result<Line, Failure> {
    Ok(Line::from_c(line)?)
}

/// 0 means "the selected line".
pub(super) fn optional_line(line: i32) -> Result<Option<Line>, Failure> {
    if line == 0 {
        Ok(None)
    } else {
        line_arg(line).map(Some)
    }
}

/// Sends a command; with `wait_ms` > 0, waits that long for its confirming
/// event.
fn run(handle: &ClientHandle, command: Command, wait_ms: u32) -> Result<(), Failure> {
    if wait_ms == 0 {
        handle.send(&command)?;
    } else {
        handle.send_and_confirm(&command, Duration::from_millis(u64::from(wait_ms)))?;
    }
    Ok(())
}

/// Creates a client (not connected) with a copy of `options` (NULL: the
/// defaults) and stores it in `*out`.
///
/// Errors: DGP_ERR_NULL_POINTER (`out` NULL), DGP_ERR_INVALID_ARGUMENT
/// (options that disagree, e.g. a maximum reconnection delay below the
/// initial one). On failure `*out` is NULL and
/// `dgp_last_error` has the message.
///
/// # Safety
/// `options` is NULL or valid; `out` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn dgp_client_new(options: *const dgp_options, out: *mut *mut dgp_client) -> dgp_result {
    if out.is_null() {
        set_thread_error("out is NULL");
        return DGP_ERR_NULL_POINTER;
    }
    *out = std::ptr::null_mut();
    attempt_reporting_to_thread(|| {
        let options = options.as_ref().map_or_else(Options::default, |o| o.options().clone());
        // Every option rule, consistency included (Options::validate).
        options.validate()?;
        let client = dgp_client { client: Client::new(options) };
        *out = Box::into_raw(Box::new(client));
        Ok(())
    })
}

/// Disconnects, waits for the reader thread and the one running callback
/// (if any) to finish, and frees the client. Once it starts, no callback
/// starts (not even DGP_EVENT_DISCONNECTED for this disconnection); after it
/// returns none runs. Events read but not yet delivered are dropped. NULL
/// is a no-op (DGP_OK).
///
/// From inside the event callback it is refused with DGP_ERR_WOULD_DEADLOCK
/// and the client stays valid: free it from another thread. Do not hold a
/// lock that the callback takes while calling it (the callback would wait
/// for it, and this call for the callback).
///
/// # Safety
/// `client` is NULL or valid, and not used by any thread after this returns
/// DGP_OK.
#[no_mangle]
pub unsafe extern "C" fn dgp_client_free(client: *mut dgp_client) -> dgp_result {
    let handle = match client.as_ref() {
        Some(c) => c,
        None => return DGP_OK,
    };
    if handle.client.is_callback_thread() {
        set_thread_error("dgp_client_free cannot be called from inside the event callback");
        return DGP_ERR_WOULD_DEADLOCK;
    }
    guard(|| {
        drop(Box::from_raw(client));
        DGP_OK
    })
}

/// Copies the message of the calling thread's last failed call into `buf`,
/// whatever handle that call had (none, a client, options, an event): one
/// channel per thread, like errno or GetLastError, so another thread's
/// failure never shows here. A call that succeeds leaves the message alone;
/// so does this function, even when it fails (asking for the size does not
/// lose the message). Empty before any failure on this thread.
///
/// Buffer convention (every string copied out): `*out_len` (when not NULL)
/// gets the length without the NUL; when `buf` is NULL or `buf_len` too
/// small, nothing is written and DGP_ERR_BUFFER_TOO_SMALL is returned, so
/// `buf = NULL, buf_len = 0` asks for the size.
///
/// # Safety
/// `buf` NULL or `buf_len` writable bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_last_error(buf: *mut c_char, buf_len: u32, out_len: *mut u32) -> dgp_result {
    guard(|| copy_out(&thread_error(), buf, buf_len, out_len))
}

/// Sets the event callback (NULL removes it); the first one starts the
/// client's callback thread. Waits for a running callback to return;
/// removing it first lets it see the events already handed to it (later
/// ones go to the queue), so none is lost in the switch. While
/// a callback is set, the pull queue collects nothing unless
/// `dgp_options_set_queue_with_callback` asked for both. Errors:
/// DGP_ERR_WOULD_DEADLOCK from inside the callback, DGP_ERR_RESOURCE when
/// the thread cannot start.
///
/// # Safety
/// `client` valid; `callback` stays callable with `user_data` until it is
/// replaced or the client is freed.
// rustc 1.63 calls the unsafe block in the closure redundant; newer
// compilers want it.
#[allow(unused_unsafe)]
#[no_mangle]
pub unsafe extern "C" fn dgp_set_event_callback(
    client: *mut dgp_client,
    callback: dgp_event_callback,
    user_data: *mut c_void,
) -> dgp_result {
    call(client, |c| {
        let handler = callback.map(|callback| {
            let user_data = UserData(user_data);
            let handler: EventHandler = Arc::new(move |_: &ClientHandle, event: &ClientEvent| {
                // SAFETY: `event` outlives this call, and the dgp_event
                // is dropped at its end (a kept one is a clone, which owns).
                let event = unsafe { dgp_event::borrowing(event) };
                // SAFETY: the caller vouched for the callback and its data;
                // the event outlives the call.
                unsafe { callback(user_data.get(), &event) };
            });
            handler
        });
        Ok(c.client.set_event_handler(handler)?)
    })
}

/// Connects to DGPhone at `host` (name or address) and `port` (5038 for a
/// real DGPhone) within the connect timeout, and starts the reader thread.
/// Errors: DGP_ERR_CONNECT (message says why), DGP_ERR_ALREADY_CONNECTED,
/// DGP_ERR_CANCELLED (another thread called `dgp_cancel` or
/// `dgp_disconnect` meanwhile: not connected), DGP_ERR_WOULD_DEADLOCK
/// (inside the callback), argument errors.
///
/// # Safety
/// `client` valid; `host` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_connect(client: *mut dgp_client, host: *const c_char, port: u16) -> dgp_result {
    call(client, |c| Ok(c.client.connect(text("host", host)?, port)?))
}

/// Ends the connection (no reconnection) and waits for the reader thread
/// and for the callback to have seen DGP_EVENT_DISCONNECTED; from inside
/// the callback it returns at once. Events read but not yet delivered are
/// dropped; a DGP_EVENT_DISCONNECTED event follows. Not connected: DGP_OK.
/// A `dgp_connect` in progress on another thread returns at once with
/// DGP_ERR_CANCELLED and never connects; a reconnection in progress ends.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_disconnect(client: *mut dgp_client) -> dgp_result {
    call(client, |c| {
        c.client.disconnect();
        Ok(())
    })
}

/// Logs `user` (the extension) in and waits for DGPhone's response, up to
/// the command timeout. Errors: DGP_ERR_LOGIN_REJECTED (the message is
/// DGPhone's, via `dgp_last_error`), DGP_ERR_TIMEOUT, DGP_ERR_NOT_CONNECTED,
/// DGP_ERR_CONNECTION_LOST, DGP_ERR_WOULD_DEADLOCK (inside the callback).
///
/// # Safety
/// `client` valid; `user` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_login(client: *mut dgp_client, user: *const c_char) -> dgp_result {
    call(client, |c| {
        c.client.login(text("user", user)?)?;
        Ok(())
    })
}

/// Logs off; DGPhone closes the connection (no reconnection follows).
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_logoff(client: *mut dgp_client) -> dgp_result {
    call(client, |c| Ok(c.client.logoff()?))
}

/// Asks DGPhone for the state of every line (one event per line follows).
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_status(client: *mut dgp_client) -> dgp_result {
    call(client, |c| Ok(c.client.request_status()?))
}

/// Selects `line` (1 to 6). With `wait_ms` > 0, waits that long for
/// LineSelected (DGP_ERR_TIMEOUT, DGP_ERR_COMMAND_FAILED).
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_line_select(client: *mut dgp_client, line: i32, wait_ms: u32) -> dgp_result {
    call(client, |c| run(&c.client, Command::LineSelect(line_arg(line)?), wait_ms))
}

/// Dials `number` on the selected line. With `wait_ms` > 0, waits for
/// Dialing (a Busy or Error status gives DGP_ERR_COMMAND_FAILED).
///
/// # Safety
/// `client` valid; `number` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_dial(client: *mut dgp_client, number: *const c_char, wait_ms: u32) -> dgp_result {
    call(client, |c| {
        let number = text("number", number)?.to_string();
        run(&c.client, Command::Dial { number, line: None }, wait_ms)
    })
}

/// Answers on `line` (0: the selected line). With `wait_ms` > 0, waits for
/// Answer.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_answer(client: *mut dgp_client, line: i32, wait_ms: u32) -> dgp_result {
    call(client, |c| run(&c.client, Command::Answer(optional_line(line)?), wait_ms))
}

/// Puts the selected line on hold or takes it off: `hold` 1 holds, 0
/// resumes, -1 toggles. With `wait_ms` > 0, waits for the Hold event.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_hold(client: *mut dgp_client, hold: i32, wait_ms: u32) -> dgp_result {
    call(client, |c| {
        let hold = match hold {
            -1 => None,
            0 => Some(false),
            1 => Some(true),
            other => {
                let reason = format!("{other} is not -1 (toggle), 0 (resume) or 1 (hold)");
                return Err(crate::ArgError { arg: "hold".into(), reason }.into());
            }
        };
        run(&c.client, Command::Hold(hold), wait_ms)
    })
}

/// Sends DTMF `digits` (`0-9 * # A-D`) on the selected line. Logs show them
/// redacted unless redaction was turned off.
///
/// # Safety
/// `client` valid; `digits` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_send_dtmf(client: *mut dgp_client, digits: *const c_char) -> dgp_result {
    call(client, |c| Ok(c.client.send_dtmf(text("digits", digits)?)?))
}

/// Ends the call on `line` (0: the selected line). With `wait_ms` > 0,
/// waits for Hangup.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_hangup(client: *mut dgp_client, line: i32, wait_ms: u32) -> dgp_result {
    call(client, |c| run(&c.client, Command::Hangup(optional_line(line)?), wait_ms))
}

/// Field-seen: asks for the calls waiting in `queue` (NULL: all). With
/// `wait_ms` > 0, waits for QueueStatusComplete.
///
/// # Safety
/// `client` valid; `queue` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_queue_status(client: *mut dgp_client, queue: *const c_char, wait_ms: u32) -> dgp_result {
    call(client, |c| {
        let queue = optional_text("queue", queue)?.map(str::to_string);
        run(&c.client, Command::QueueStatus { queue }, wait_ms)
    })
}

/// Field-seen: pauses (`paused` non-zero) or resumes `agent`, with an
/// optional `reason`. With `wait_ms` > 0, waits for AgentPaused.
///
/// # Safety
/// `client` valid; `agent` a NUL-terminated string; `reason` NULL or one.
#[no_mangle]
pub unsafe extern "C" fn dgp_agent_pause(
    client: *mut dgp_client,
    agent: *const c_char,
    paused: i32,
    reason: *const c_char,
    wait_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let agent = text("agent", agent)?.to_string();
        let reason = optional_text("reason", reason)?.map(str::to_string);
        run(&c.client, Command::AgentPause { agent, paused: paused != 0, reason }, wait_ms)
    })
}

/// Sends any command: `Action: DGPhoneCommand`, `Command: name`, then
/// `count` headers from the `keys`/`values` arrays, all validated like the
/// typed commands (keys: letters, digits, '-', '_'; no Action/Command key;
/// no control characters in values).
///
/// # Safety
/// `client` valid; `name` a NUL-terminated string; `keys` and `values`
/// point to `count` NUL-terminated strings each (may be NULL when `count`
/// is 0).
#[no_mangle]
pub unsafe extern "C" fn dgp_send_command(
    client: *mut dgp_client,
    name: *const c_char,
    keys: *const *const c_char,
    values: *const *const c_char,
    count: u32,
) -> dgp_result {
    call(client, |c| {
        let count = count as usize;
        let name = text("name", name)?.to_string();
        if count > 0 && (keys.is_null() || values.is_null()) {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "keys or values is NULL"));
        }
        let mut headers = Vec::with_capacity(count);
        for i in 0..count {
            let key = text("header key", *keys.add(i))?;
            let value = text("header value", *values.add(i))?;
            headers.push((key.to_string(), value.to_string()));
        }
        Ok(c.client.send(&Command::Generic { name, headers })?)
    })
}

/// Logs a call-centre agent in by feature code: selects `line`, dials
/// `feature_code` (NULL: "*9800"), sends `agent` + '#' on Dialing and
/// `password` + '#' on Answer, and waits for AgentLogin; each step waits up
/// to `step_timeout_ms`. The password is never logged. Errors: the failing
/// step's (DGP_ERR_TIMEOUT, DGP_ERR_COMMAND_FAILED...), its name in the
/// last-error message.
///
/// # Safety
/// `client` valid; strings NUL-terminated (`feature_code` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn dgp_login_agent(
    client: *mut dgp_client,
    feature_code: *const c_char,
    agent: *const c_char,
    password: *const c_char,
    line: i32,
    step_timeout_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let mut login = AgentLogin::new(text("agent", agent)?, text("password", password)?);
        if let Some(code) = optional_text("feature_code", feature_code)? {
            login.feature_code = code.to_string();
        }
        login.line = line_arg(line)?;
        login.step_timeout = Duration::from_millis(u64::from(step_timeout_ms.max(1)));
        flows::agent_login(&c.client, &login)
            .map_err(|e| Failure { code: code_of(&e.source), message: e.to_string() })?;
        Ok(())
    })
}

/// Takes the next queued event, waiting up to `timeout_ms` (0: no wait),
/// and stores it in `*out` (the caller frees it with `dgp_event_free`).
/// DGP_ERR_TIMEOUT when none came (`*out` NULL), DGP_ERR_CANCELLED when
/// `dgp_cancel` was called meanwhile. Safe from any thread; inside the
/// event callback a wait (`timeout_ms` > 0) is refused with
/// DGP_ERR_WOULD_DEADLOCK (0, taking what is there, is allowed).
///
/// # Safety
/// `client` valid; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_next_event(
    client: *mut dgp_client,
    timeout_ms: u32,
    out: *mut *mut dgp_event,
) -> dgp_result {
    if out.is_null() {
        return call(client, |_| Err(Failure::new(DGP_ERR_NULL_POINTER, "out is NULL")));
    }
    *out = std::ptr::null_mut();
    call(client, |c| {
        let event = if timeout_ms == 0 {
            c.client.try_next_event()
        } else {
            Some(c.client.wait_event(Duration::from_millis(u64::from(timeout_ms)))?)
        };
        match event {
            Some(event) => {
                *out = Box::into_raw(Box::new(dgp_event::new(event)));
                Ok(())
            }
            None => Err(Failure::new(DGP_ERR_TIMEOUT, "no event came in time")),
        }
    })
}

/// Makes every blocking call in progress on `client`, on any thread
/// (`dgp_connect`, `dgp_login`, a command with `wait_ms` > 0,
/// `dgp_login_agent`, `dgp_next_event`, `dgp_next_events` or
/// `dgp_next_records` with a timeout), return at once with
/// DGP_ERR_CANCELLED. Calls started afterwards wait as usual; what a
/// cancelled call waited for may still happen (a late login answer still
/// logs the session in), but a cancelled connect never connects: a
/// connection it was still making is closed unused. Never blocks; allowed
/// inside the callback. Freeing a client while another thread is inside a
/// call on it is the caller's bug: cancel (or disconnect), let the calls
/// return, then free.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_cancel(client: *mut dgp_client) -> dgp_result {
    call(client, |c| {
        c.client.cancel();
        Ok(())
    })
}

/// A file descriptor that is readable while the queue holds events (poll,
/// select, epoll, an event loop). Do not read, write or close it. -1 on
/// Windows, for a NULL client, or if it could not be created.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_notify_fd(client: *const dgp_client) -> i32 {
    #[cfg(unix)]
    {
        guard_value(-1, || client.as_ref().and_then(|c| c.client.notify_fd()).unwrap_or(-1))
    }
    #[cfg(not(unix))]
    {
        let _ = client;
        -1
    }
}

/// On Windows, a manual-reset event HANDLE signalled while the queue holds
/// events (WaitForSingleObject, MsgWaitForMultipleObjects). Do not reset or
/// close it. NULL elsewhere.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_notify_handle(client: *const dgp_client) -> *mut c_void {
    #[cfg(windows)]
    {
        guard_value(std::ptr::null_mut(), || {
            client.as_ref().and_then(|c| c.client.notify_handle()).unwrap_or(std::ptr::null_mut())
        })
    }
    #[cfg(not(windows))]
    {
        let _ = client;
        std::ptr::null_mut()
    }
}

/// Events lost to overflow, in all: by the queue and by the callback's
/// backlog (0 for NULL).
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_dropped_events(client: *const dgp_client) -> u64 {
    guard_value(0, || client.as_ref().map_or(0, |c| c.client.dropped_events()))
}

/// 1 while connected, else 0. Never blocks on the network.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_is_connected(client: *const dgp_client) -> i32 {
    guard_value(0, || client.as_ref().map_or(0, |c| i32::from(c.client.is_connected())))
}

/// 1 while logged in, else 0. Never blocks on the network.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_is_logged_in(client: *const dgp_client) -> i32 {
    guard_value(0, || client.as_ref().map_or(0, |c| i32::from(c.client.is_logged_in())))
}

/// The selected line (1 to 6), or 0 while DGPhone has not reported one.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_selected_line(client: *const dgp_client) -> i32 {
    guard_value(0, || client.as_ref().and_then(|c| c.client.state().selected()).map_or(0, |l| i32::from(l.number())))
}

/// Stores `line`'s state (`DGP_LINE_*`) in `*out`. Never blocks on the
/// network. Errors: DGP_ERR_INVALID_ARGUMENT (line not 1 to 6),
/// DGP_ERR_NULL_POINTER.
///
/// # Safety
/// `client` valid; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_line_state(
    client: *const dgp_client,
    line: i32,
    out: *mut dgp_line_state_t,
) -> dgp_result {
    call(client, |c| {
        let line = line_arg(line)?;
        let out = out.as_mut().ok_or_else(|| Failure::new(DGP_ERR_NULL_POINTER, "out is NULL"))?;
        *out = match c.client.line(line).state {
            LineState::Idle => DGP_LINE_IDLE,
            LineState::Offering => DGP_LINE_OFFERING,
            LineState::Dialing => DGP_LINE_DIALING,
            LineState::Connected => DGP_LINE_CONNECTED,
            LineState::OnHold => DGP_LINE_ON_HOLD,
            LineState::Disconnected => DGP_LINE_DISCONNECTED,
        };
        Ok(())
    })
}

/// Copies the other party's number on `line` into `buf` (empty when none),
/// with the buffer convention of `dgp_last_error`.
///
/// # Safety
/// `client` valid; `buf` NULL or `buf_len` writable bytes; `out_len` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_line_number(
    client: *const dgp_client,
    line: i32,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> dgp_result {
    call(client, |c| {
        let number = c.client.line(line_arg(line)?).number.unwrap_or_default();
        match copy_out(&number, buf, buf_len, out_len) {
            DGP_OK => Ok(()),
            code => Err(Failure::new(code, format!("the number needs {} bytes with its NUL", number.len() + 1))),
        }
    })
}

/// The agent's state (`DGP_AGENT_*`); DGP_AGENT_LOGGED_OUT for NULL.
///
/// # Safety
/// `client` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_agent_state(client: *const dgp_client) -> dgp_agent_state_t {
    guard_value(DGP_AGENT_LOGGED_OUT, || match client.as_ref().map(|c| c.client.state().agent_state()) {
        Some(AgentState::Available) => DGP_AGENT_AVAILABLE,
        Some(AgentState::Offered) => DGP_AGENT_OFFERED,
        Some(AgentState::InCall) => DGP_AGENT_IN_CALL,
        Some(AgentState::Paused) => DGP_AGENT_PAUSED,
        Some(AgentState::LoggedOut) | None => DGP_AGENT_LOGGED_OUT,
    })
}
