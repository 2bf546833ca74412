//! The simulator through the C ABI, so tests in any host language (and our
//! users' tests) can run a DGPhone in-process.

use std::os::raw::c_char;
use std::time::Duration;

use super::event::*;
use super::{guard, guard_value, optional_text, result::*, text};
use crate::protocol::{EventKind, Line};
use crate::sim::{LoginPolicy, SimConfig, Simulator};

/// A running DGPhone simulator. Start with `dgp_sim_start`, stop and free
/// with `dgp_sim_free`. Its functions may be called from any thread.
pub struct dgp_sim {
    sim: Simulator,
}

/// Simulator settings. Create with `dgp_sim_config_new`, free with
/// `dgp_sim_config_free`; `dgp_sim_start` copies them.
pub struct dgp_sim_config {
    config: SimConfig,
}

/// Login is accepted (default).
pub const DGP_SIM_LOGIN_ACCEPT: u32 = 0;
/// Login is refused with the given message (DGPhone's wording, e.g.
/// "Invalid user").
pub const DGP_SIM_LOGIN_REJECT: u32 = 1;
/// Login is never answered (to test login timeouts).
pub const DGP_SIM_LOGIN_IGNORE: u32 = 2;

/// Creates simulator settings with the defaults: login accepted, a greeting
/// banner, no timestamps, the far end answers every dial, agent feature
/// code "*9800" with any password. NULL only when out of memory.
#[no_mangle]
pub extern "C" fn dgp_sim_config_new() -> *mut dgp_sim_config {
    guard_value(std::ptr::null_mut(), || Box::into_raw(Box::new(dgp_sim_config { config: SimConfig::default() })))
}

/// Frees simulator settings. NULL is a no-op.
///
/// # Safety
/// `config` is NULL or came from `dgp_sim_config_new`, not used again.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_free(config: *mut dgp_sim_config) {
    if !config.is_null() {
        drop(Box::from_raw(config));
    }
}

unsafe fn configure(
    config: *mut dgp_sim_config,
    set: impl FnOnce(&mut SimConfig) -> Result<(), Failure>,
) -> dgp_result {
    let config = match config.as_mut() {
        Some(c) => c,
        None => return DGP_ERR_NULL_POINTER,
    };
    let mut outcome = Ok(());
    let code = guard(|| {
        outcome = set(&mut config.config);
        DGP_OK
    });
    match outcome {
        Ok(()) => code,
        Err(failure) => {
            set_thread_error(&failure.message);
            failure.code
        }
    }
}

/// How Login is answered: `DGP_SIM_LOGIN_*`; `message` is required for
/// DGP_SIM_LOGIN_REJECT and ignored otherwise.
///
/// # Safety
/// `config` valid; `message` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_login(
    config: *mut dgp_sim_config,
    policy: u32,
    message: *const c_char,
) -> dgp_result {
    configure(config, |c| {
        c.login = match policy {
            DGP_SIM_LOGIN_ACCEPT => LoginPolicy::Accept,
            DGP_SIM_LOGIN_REJECT => LoginPolicy::Reject(text("message", message)?.to_string()),
            DGP_SIM_LOGIN_IGNORE => LoginPolicy::Ignore,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a login policy"))),
        };
        Ok(())
    })
}

/// The greeting banner sent on connect; NULL sends none.
///
/// # Safety
/// `config` valid; `greeting` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_greeting(
    config: *mut dgp_sim_config,
    greeting: *const c_char,
) -> dgp_result {
    configure(config, |c| {
        c.greeting = optional_text("greeting", greeting)?.map(str::to_string);
        Ok(())
    })
}

/// Sends a DGTimeStamp to logged-in clients every `interval_ms` (0: never,
/// the default).
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_timestamp_ms(config: *mut dgp_sim_config, interval_ms: u32) -> dgp_result {
    configure(config, |c| {
        c.timestamp_interval = (interval_ms > 0).then(|| Duration::from_millis(u64::from(interval_ms)));
        Ok(())
    })
}

/// Non-zero (default): the far end answers every dial at once. Zero: the
/// line stays Dialing until `dgp_sim_far_end_answer`.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_auto_answer(config: *mut dgp_sim_config, auto_answer: i32) -> dgp_result {
    configure(config, |c| {
        c.auto_answer = auto_answer != 0;
        Ok(())
    })
}

/// The agent-login feature code (NULL keeps "*9800") and the password it
/// accepts (NULL: any).
///
/// # Safety
/// `config` valid; strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_agent(
    config: *mut dgp_sim_config,
    feature_code: *const c_char,
    password: *const c_char,
) -> dgp_result {
    configure(config, |c| {
        if let Some(code) = optional_text("feature_code", feature_code)? {
            c.agent_feature_code = code.to_string();
        }
        c.agent_password = optional_text("password", password)?.map(str::to_string);
        Ok(())
    })
}

/// Starts a simulator listening on `host` (NULL: "127.0.0.1") and `port`
/// (0: a free port; read it with `dgp_sim_port`), with a copy of `config`
/// (NULL: the defaults), and stores it in `*out`.
/// Errors: DGP_ERR_RESOURCE (cannot listen; message via
/// `dgp_last_error(NULL, ...)`), argument errors.
///
/// # Safety
/// `config` NULL or valid; `host` NULL or a NUL-terminated string; `out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_start(
    config: *const dgp_sim_config,
    host: *const c_char,
    port: u16,
    out: *mut *mut dgp_sim,
) -> dgp_result {
    if out.is_null() {
        return DGP_ERR_NULL_POINTER;
    }
    *out = std::ptr::null_mut();
    let mut failure = None;
    let code = guard(|| {
        let host = match optional_text("host", host) {
            Ok(host) => host.unwrap_or("127.0.0.1"),
            Err(f) => {
                let code = f.code;
                failure = Some(f.message);
                return code;
            }
        };
        let config = config.as_ref().map_or_else(SimConfig::default, |c| c.config.clone());
        match Simulator::start((host, port), config) {
            Ok(sim) => {
                *out = Box::into_raw(Box::new(dgp_sim { sim }));
                DGP_OK
            }
            Err(e) => {
                failure = Some(format!("cannot listen on {host}:{port}: {e}"));
                DGP_ERR_RESOURCE
            }
        }
    });
    if let Some(message) = failure {
        set_thread_error(&message);
    }
    code
}

/// The port the simulator listens on; 0 for NULL.
///
/// # Safety
/// `sim` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_port(sim: *const dgp_sim) -> u16 {
    guard_value(0, || sim.as_ref().map_or(0, |s| s.sim.port()))
}

/// Stops the simulator (closes every client, joins its threads) and frees
/// it. NULL is a no-op.
///
/// # Safety
/// `sim` NULL or valid, not used again.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_free(sim: *mut dgp_sim) {
    if !sim.is_null() {
        guard_value((), || drop(Box::from_raw(sim)));
    }
}

/// Runs an action on a simulator, recording failures for `dgp_last_error(NULL, ...)`.
unsafe fn act(sim: *const dgp_sim, body: impl FnOnce(&Simulator) -> Result<(), Failure>) -> dgp_result {
    let sim = match sim.as_ref() {
        Some(s) => s,
        None => return DGP_ERR_NULL_POINTER,
    };
    let mut outcome = Ok(());
    let code = guard(|| {
        outcome = body(&sim.sim);
        DGP_OK
    });
    match outcome {
        Ok(()) => code,
        Err(failure) => {
            set_thread_error(&failure.message);
            failure.code
        }
    }
}

fn line_arg(line: i32) -> Result<Line, Failure> {
    Ok(Line::new(u32::try_from(line).unwrap_or(0))?)
}

/// A call from `number` rings on `line` of every logged-in client whose
/// line is idle (ReceivingCall).
///
/// # Safety
/// `sim` valid; `number` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_incoming_call(sim: *const dgp_sim, line: i32, number: *const c_char) -> dgp_result {
    act(sim, |s| {
        s.incoming_call(line_arg(line)?, text("number", number)?);
        Ok(())
    })
}

/// The far end answers the call being dialled on `line` (with auto-answer
/// off).
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_far_end_answer(sim: *const dgp_sim, line: i32) -> dgp_result {
    act(sim, |s| {
        s.far_end_answer(line_arg(line)?);
        Ok(())
    })
}

/// The far end hangs up the call on `line` (Hangup, then Ready).
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_far_end_hangup(sim: *const dgp_sim, line: i32) -> dgp_result {
    act(sim, |s| {
        s.far_end_hangup(line_arg(line)?);
        Ok(())
    })
}

/// The far end sends DTMF `digit` (an ASCII code: '0'-'9', '*', '#',
/// 'A'-'D') on `line`, which must be in a call.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_dtmf_received(sim: *const dgp_sim, line: i32, digit: i32) -> dgp_result {
    act(sim, |s| {
        let digit = u8::try_from(digit).map(char::from).ok().filter(|c| crate::protocol::validate::is_dtmf(*c));
        let digit = digit.ok_or_else(|| Failure::new(DGP_ERR_INVALID_ARGUMENT, "digit is not 0-9, *, #, A-D"))?;
        s.dtmf_received(line_arg(line)?, digit);
        Ok(())
    })
}

/// An agent event from the PBX: `kind` is DGP_EVENT_AGENT_LOGIN,
/// _AGENT_CALLED, _AGENT_CONNECT, _AGENT_COMPLETE, _AGENT_LOGOFF,
/// _AGENT_NO_ANSWER or _AGENT_PAUSED; `uniqueid` may be NULL.
///
/// # Safety
/// `sim` valid; `agent` a NUL-terminated string; `uniqueid` NULL or one.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_agent_event(
    sim: *const dgp_sim,
    kind: u32,
    agent: *const c_char,
    uniqueid: *const c_char,
) -> dgp_result {
    act(sim, |s| {
        let kind = match kind {
            DGP_EVENT_AGENT_LOGIN => EventKind::AgentLogin,
            DGP_EVENT_AGENT_CALLED => EventKind::AgentCalled,
            DGP_EVENT_AGENT_CONNECT => EventKind::AgentConnect,
            DGP_EVENT_AGENT_COMPLETE => EventKind::AgentComplete,
            DGP_EVENT_AGENT_LOGOFF => EventKind::AgentLogoff,
            DGP_EVENT_AGENT_NO_ANSWER => EventKind::AgentNoAnswer,
            DGP_EVENT_AGENT_PAUSED => EventKind::AgentPaused,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not an agent event"))),
        };
        s.agent_event(kind, text("agent", agent)?, optional_text("uniqueid", uniqueid)?);
        Ok(())
    })
}

/// Sends `len` raw bytes, as they are, to every connected client (partial
/// packets, garbage, anything).
///
/// # Safety
/// `sim` valid; `bytes` points to `len` readable bytes (may be NULL when
/// `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_send_raw(sim: *const dgp_sim, bytes: *const u8, len: usize) -> dgp_result {
    act(sim, |s| {
        if bytes.is_null() && len > 0 {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "bytes is NULL"));
        }
        let bytes = if len == 0 { &[][..] } else { std::slice::from_raw_parts(bytes, len) };
        s.send_raw(bytes);
        Ok(())
    })
}

/// Non-zero: the simulator sends nothing at all (no answers, no
/// timestamps) but still reads; zero: back to normal.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_set_silent(sim: *const dgp_sim, silent: i32) -> dgp_result {
    act(sim, |s| {
        s.set_silent(silent != 0);
        Ok(())
    })
}

/// Closes every client connection now; the simulator keeps listening.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_disconnect_all(sim: *const dgp_sim) -> dgp_result {
    act(sim, |s| {
        s.disconnect_all();
        Ok(())
    })
}

/// Waits up to `timeout_ms` until at least `count` clients are logged in.
/// DGP_ERR_TIMEOUT otherwise.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_wait_for_logins(sim: *const dgp_sim, count: u32, timeout_ms: u32) -> dgp_result {
    act(sim, |s| {
        if s.wait_for_logins(count as usize, Duration::from_millis(u64::from(timeout_ms))) {
            Ok(())
        } else {
            Err(Failure::new(DGP_ERR_TIMEOUT, format!("fewer than {count} clients logged in")))
        }
    })
}

/// Waits up to `timeout_ms` for a command named `name` (any case) that
/// this call has not returned before, after it was answered. DGP_ERR_TIMEOUT
/// if none came.
///
/// # Safety
/// `sim` valid; `name` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_wait_for_command(
    sim: *const dgp_sim,
    name: *const c_char,
    timeout_ms: u32,
) -> dgp_result {
    act(sim, |s| {
        let name = text("name", name)?;
        match s.wait_for_command(name, Duration::from_millis(u64::from(timeout_ms))) {
            Some(_) => Ok(()),
            None => Err(Failure::new(DGP_ERR_TIMEOUT, format!("no {name} command came"))),
        }
    })
}

/// The number of packets received from all clients so far (0 for NULL).
///
/// # Safety
/// `sim` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_command_count(sim: *const dgp_sim) -> usize {
    guard_value(0, || sim.as_ref().map_or(0, |s| s.sim.commands().len()))
}
