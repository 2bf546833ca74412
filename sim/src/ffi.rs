//! The simulator through the C ABI, so tests in any host language (and our
//! users' tests) can run a DGPhone in-process: behaviour switches,
//! scenarios, faults, actions, recording and replay.

#![allow(non_camel_case_types)]

use std::os::raw::c_char;
use std::time::Duration;

use dgphone_abi::*;

use crate::protocol::Line;
use crate::wire::record::Recording;
use crate::{
    Action, Fault, IdleHangup, LineEnding, LoginPolicy, LoginRefusal, Profile, Recorder, Replay, ReplayOptions,
    Scenario, SimConfig, Simulator, TimestampFields,
};

/// A running DGPhone simulator. Start with `dgp_sim_start`, stop and free
/// with `dgp_sim_free`. Its functions may be called from any thread.
pub struct dgp_sim {
    sim: Simulator,
}

/// Simulator settings. Create with `dgp_sim_config_new`, free with
/// `dgp_sim_config_free`; `dgp_sim_start` copies them.
pub struct dgp_sim_config {
    config: SimConfig,
    /// Where `dgp_sim_start` records the traffic, if anywhere.
    record: Option<String>,
}

/// How the simulator answers Login: a `DGP_SIM_LOGIN_*` value.
pub type dgp_sim_login_policy_t = u32;
/// Which fields a DGTimeStamp carries: a `DGP_SIM_TIMESTAMP_*` value.
pub type dgp_sim_timestamp_fields_t = u32;
/// How a refused login is told: a `DGP_SIM_REFUSAL_*` value.
pub type dgp_sim_refusal_form_t = u32;
/// What Hangup on an idle line gets: a `DGP_SIM_IDLE_HANGUP_*` value.
pub type dgp_sim_idle_hangup_t = u32;

/// Login policies (`dgp_sim_login_policy_t`): login is accepted (default).
pub const DGP_SIM_LOGIN_ACCEPT: dgp_sim_login_policy_t = 0;
/// Login is refused with the given message (DGPhone's wording, e.g.
/// "Invalid user").
pub const DGP_SIM_LOGIN_REJECT: dgp_sim_login_policy_t = 1;
/// Login is never answered (to test login timeouts).
pub const DGP_SIM_LOGIN_IGNORE: dgp_sim_login_policy_t = 2;

/// Creates simulator settings with the defaults: login accepted, a greeting
/// banner, no timestamps, the far end answers every dial, agent feature
/// code "*9800" with any password. NULL only when out of memory.
#[no_mangle]
pub extern "C" fn dgp_sim_config_new() -> *mut dgp_sim_config {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(dgp_sim_config { config: SimConfig::default(), record: None }))
    })
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
    configure_all(config, |all| set(&mut all.config))
}

/// Like `configure`, with the settings that live beside the `SimConfig`.
unsafe fn configure_all(
    config: *mut dgp_sim_config,
    set: impl FnOnce(&mut dgp_sim_config) -> Result<(), Failure>,
) -> dgp_result {
    attempt_reporting_to_thread(|| set(handle_mut("config", config)?))
}

/// How Login is answered: `DGP_SIM_LOGIN_*`; `message` is required for
/// DGP_SIM_LOGIN_REJECT and ignored otherwise.
///
/// # Safety
/// `config` valid; `message` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_login(
    config: *mut dgp_sim_config,
    policy: dgp_sim_login_policy_t,
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

/// DGTimeStamp carries `Time` (local time).
pub const DGP_SIM_TIMESTAMP_TIME: dgp_sim_timestamp_fields_t = 0;
/// DGTimeStamp carries a colon-free `Timestamp` (Unix seconds).
pub const DGP_SIM_TIMESTAMP_TIMESTAMP: dgp_sim_timestamp_fields_t = 1;
/// DGTimeStamp carries `Time`, then `Timestamp`.
pub const DGP_SIM_TIMESTAMP_BOTH: dgp_sim_timestamp_fields_t = 2;

/// Which fields a DGTimeStamp carries: `DGP_SIM_TIMESTAMP_*` (default
/// DGP_SIM_TIMESTAMP_TIME).
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_timestamp_fields(
    config: *mut dgp_sim_config,
    fields: dgp_sim_timestamp_fields_t,
) -> dgp_result {
    configure(config, |c| {
        c.timestamp_fields = match fields {
            DGP_SIM_TIMESTAMP_TIME => TimestampFields::Time,
            DGP_SIM_TIMESTAMP_TIMESTAMP => TimestampFields::Timestamp,
            DGP_SIM_TIMESTAMP_BOTH => TimestampFields::Both,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a timestamp form"))),
        };
        Ok(())
    })
}

/// Non-zero: DGTimeStamps from connect, before login, as field DGPhones
/// send them. Zero (default): only to logged-in clients.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_timestamps_from_connect(
    config: *mut dgp_sim_config,
    on: i32,
) -> dgp_result {
    configure(config, |c| {
        c.timestamps_from_connect = on != 0;
        Ok(())
    })
}

/// A refused login comes as a DGPhoneResponse with `Response: Error` (the default).
pub const DGP_SIM_REFUSAL_RESPONSE: dgp_sim_refusal_form_t = 0;
/// A refused login comes as a DGPhoneEvent with `Status: Error`.
pub const DGP_SIM_REFUSAL_EVENT: dgp_sim_refusal_form_t = 1;
/// A refused login comes as the response, then the event.
pub const DGP_SIM_REFUSAL_BOTH: dgp_sim_refusal_form_t = 2;

/// How a refused login is told: `DGP_SIM_REFUSAL_*`.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_login_refusal(
    config: *mut dgp_sim_config,
    form: dgp_sim_refusal_form_t,
) -> dgp_result {
    configure(config, |c| {
        c.login_refusal = match form {
            DGP_SIM_REFUSAL_RESPONSE => LoginRefusal::Response,
            DGP_SIM_REFUSAL_EVENT => LoginRefusal::Event,
            DGP_SIM_REFUSAL_BOTH => LoginRefusal::Both,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a refusal form"))),
        };
        Ok(())
    })
}

/// How long the far end rings before it answers a dial (with auto-answer
/// on): Dialing at once, Answer `delay_ms` later; commands are answered
/// meanwhile and a hangup cancels it. 0 (default): at once.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_answer_delay_ms(config: *mut dgp_sim_config, delay_ms: u32) -> dgp_result {
    configure(config, |c| {
        c.answer_delay = Duration::from_millis(u64::from(delay_ms));
        Ok(())
    })
}

/// Hangup on an idle line is refused: `Status: Error` (the default).
pub const DGP_SIM_IDLE_HANGUP_REFUSE: dgp_sim_idle_hangup_t = 0;
/// Hangup on an idle line is answered `Status: Ready` on that line.
pub const DGP_SIM_IDLE_HANGUP_READY: dgp_sim_idle_hangup_t = 1;

/// What Hangup on an idle line gets: `DGP_SIM_IDLE_HANGUP_*`.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_idle_hangup(
    config: *mut dgp_sim_config,
    answer: dgp_sim_idle_hangup_t,
) -> dgp_result {
    configure(config, |c| {
        c.idle_hangup = match answer {
            DGP_SIM_IDLE_HANGUP_REFUSE => IdleHangup::Refuse,
            DGP_SIM_IDLE_HANGUP_READY => IdleHangup::Ready,
            other => {
                return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not an idle-hangup answer")))
            }
        };
        Ok(())
    })
}

/// Sets every field behaviour of a family of DGPhones at once: "classic"
/// (the documents' behaviour, the defaults) or "field-2013" (colon-free
/// Timestamp every 10 s from connect, refused login as response and event,
/// 2 s ring, idle hangup answered Ready). Setters called after it change
/// what it set. Errors: DGP_ERR_INVALID_ARGUMENT for an unknown name.
///
/// # Safety
/// `config` valid; `name` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_profile(config: *mut dgp_sim_config, name: *const c_char) -> dgp_result {
    configure(config, |c| {
        let profile: Profile = text("name", name)?.parse().map_err(|e| Failure::new(DGP_ERR_INVALID_ARGUMENT, e))?;
        profile.apply(c);
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

/// Non-zero: end lines with a bare LF, as some field software does. Zero
/// (default): CRLF, as the documents say.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_bare_lf(config: *mut dgp_sim_config, bare_lf: i32) -> dgp_result {
    configure(config, |c| {
        c.line_ending = if bare_lf != 0 { LineEnding::Lf } else { LineEnding::CrLf };
        Ok(())
    })
}

/// Non-zero: write text in Windows-1252, as a Windows DGPhone writing
/// Portuguese does (only non-ASCII text, such as a rejection message set
/// with `dgp_sim_config_set_login`, changes). Zero (default): UTF-8.
///
/// # Safety
/// `config` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_windows_1252(config: *mut dgp_sim_config, on: i32) -> dgp_result {
    configure(config, |c| {
        c.windows_1252 = on != 0;
        Ok(())
    })
}

/// Adds a fault every connection starts with, in text form: lasting ones
/// (`delay=200ms`, `byte-at-a-time`, `byte-at-a-time=1ms`, `silent`) from
/// the moment it opens; one-shot ones (`close-mid-packet`, `oversize`,
/// `oversize=BYTES`, `invalid-utf8`, `nul`, `garbage`, `flood=N`,
/// `restart=2s`) right after its login is accepted.
/// Errors: DGP_ERR_INVALID_ARGUMENT for an unknown fault (the message,
/// via `dgp_sim_last_error`, lists the forms),
/// argument errors.
///
/// # Safety
/// `config` valid; `spec` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_add_fault(config: *mut dgp_sim_config, spec: *const c_char) -> dgp_result {
    configure(config, |c| {
        c.faults.push(fault_arg(spec)?);
        Ok(())
    })
}

/// Plays a scenario against each connection: a built-in name
/// ("outgoing-call", "incoming-call", "agent-login", "queue-call",
/// "user-logoff") or the path of a scenario file (it holds a path
/// separator or ends in ".scn"), read now. NULL removes the scenario.
/// See scenarios/README.md for the format.
/// Errors: DGP_ERR_INVALID_ARGUMENT when the scenario cannot be read; the
/// message (via `dgp_sim_last_error`) names the
/// file, the line and what was expected. Argument errors.
///
/// # Safety
/// `config` valid; `scenario` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_scenario(
    config: *mut dgp_sim_config,
    scenario: *const c_char,
) -> dgp_result {
    configure(config, |c| {
        c.scenario = match optional_text("scenario", scenario)? {
            Some(spec) => Some(Scenario::load(spec).map_err(scenario_error)?.shared()),
            None => None,
        };
        Ok(())
    })
}

/// Plays a scenario given as text (one step per line); `name` names it in
/// errors and failures. Errors as `dgp_sim_config_set_scenario`.
///
/// # Safety
/// `config` valid; `name` and `scenario_text` NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_scenario_text(
    config: *mut dgp_sim_config,
    name: *const c_char,
    scenario_text: *const c_char,
) -> dgp_result {
    configure(config, |c| {
        let body = text("scenario_text", scenario_text)?;
        let scenario = Scenario::parse(text("name", name)?, body).map_err(scenario_error)?;
        c.scenario = Some(scenario.shared());
        Ok(())
    })
}

/// Records every connection's raw traffic to the file at `path` (created,
/// or replaced, by `dgp_sim_start`), in the wire recording format that
/// `dgp_replay_start` plays back. NULL: no recording (the default).
///
/// # Safety
/// `config` valid; `path` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_config_set_record(config: *mut dgp_sim_config, path: *const c_char) -> dgp_result {
    configure_all(config, |c| {
        c.record = optional_text("path", path)?.map(str::to_string);
        Ok(())
    })
}

fn scenario_error(error: crate::ScenarioError) -> Failure {
    Failure::new(DGP_ERR_INVALID_ARGUMENT, error.to_string())
}

/// Reads a fault's text form.
///
/// # Safety
/// `spec` NULL or a NUL-terminated string.
unsafe fn fault_arg(spec: *const c_char) -> Result<Fault, Failure> {
    text("spec", spec)?.parse::<Fault>().map_err(|why| Failure::new(DGP_ERR_INVALID_ARGUMENT, why))
}

/// Starts a simulator listening on `host` (NULL: "127.0.0.1") and `port`
/// (0: a free port; read it with `dgp_sim_port`), with a copy of `config`
/// (NULL: the defaults), and stores it in `*out`.
/// With `dgp_sim_config_set_record`, the recording file is created here.
/// Errors: DGP_ERR_RESOURCE (cannot listen, or cannot create the
/// recording; message via `dgp_sim_last_error`),
/// argument errors.
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
    attempt_reporting_to_thread(|| {
        clear_out("out", out)?;
        let host = optional_text("host", host)?.unwrap_or("127.0.0.1");
        let config = config.as_ref();
        let recorder = config
            .and_then(|c| c.record.as_deref())
            .map(Recorder::create)
            .transpose()
            .map_err(|e| Failure::new(DGP_ERR_RESOURCE, format!("cannot create the recording: {e}")))?;
        let config = config.map_or_else(SimConfig::default, |c| c.config.clone());
        let started = match recorder {
            Some(recorder) => Simulator::start_with_observer((host, port), config, move |t| recorder.observe(t)),
            None => Simulator::start((host, port), config),
        };
        let sim =
            started.map_err(|e| Failure::new(DGP_ERR_RESOURCE, format!("cannot listen on {host}:{port}: {e}")))?;
        *out = Box::into_raw(Box::new(dgp_sim { sim }));
        Ok(())
    })
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

/// Runs an action on a simulator, recording failures for
/// `dgp_sim_last_error`.
unsafe fn act(sim: *const dgp_sim, body: impl FnOnce(&Simulator) -> Result<(), Failure>) -> dgp_result {
    attempt_reporting_to_thread(|| body(&handle("sim", sim)?.sim))
}

/// Copies the message of this thread's last failed simulator call (every
/// `dgp_sim_*` and `dgp_replay_*` function that failed sets it, whatever
/// the argument at fault) into `buf`, as `dgp_last_error` does for the
/// client library; "" before any failure. `*out_len` (if not NULL) gets
/// the message's length without the NUL; DGP_ERR_BUFFER_TOO_SMALL when
/// `buf_len` cannot hold it and the NUL.
///
/// # Safety
/// `buf` NULL or `buf_len` writable bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_last_error(buf: *mut c_char, buf_len: u32, out_len: *mut u32) -> dgp_result {
    guard(|| copy_out(&thread_error(), buf, buf_len, out_len))
}

fn line_arg(line: i32) -> Result<Line, Failure> {
    Ok(Line::from_c(line)?)
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
        // The C numbers and the agent kinds both come from one place each.
        let kind = event_kind_of(kind)
            .filter(|k| k.is_agent())
            .ok_or_else(|| Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{kind} is not an agent event")))?;
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
pub unsafe extern "C" fn dgp_sim_send_raw(sim: *const dgp_sim, bytes: *const u8, len: u32) -> dgp_result {
    act(sim, |s| {
        let len = len as usize;
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
pub unsafe extern "C" fn dgp_sim_command_count(sim: *const dgp_sim) -> u32 {
    // A test's commands number far below 4 G; the count saturates.
    guard_value(0, || sim.as_ref().map_or(0, |s| u32::try_from(s.sim.commands().len()).unwrap_or(u32::MAX)))
}

/// Sets a fault, in the text form of `dgp_sim_config_add_fault`. A lasting
/// one applies to every connection, now and future, until
/// `dgp_sim_clear_faults`; a one-shot one is played once, now, on every
/// connection ("restart=2s" restarts the simulator once). Returns once the
/// fault's bytes are written: a client that does not read can hold it up
/// to 5 s. Any thread. Errors: DGP_ERR_INVALID_ARGUMENT for an unknown
/// fault, argument errors.
///
/// # Safety
/// `sim` valid; `spec` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_set_fault(sim: *const dgp_sim, spec: *const c_char) -> dgp_result {
    act(sim, |s| {
        s.set_fault(fault_arg(spec)?);
        Ok(())
    })
}

/// Clears the lasting faults of every connection, now and future.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_clear_faults(sim: *const dgp_sim) -> dgp_result {
    act(sim, |s| {
        s.clear_faults();
        Ok(())
    })
}

/// Restarts the simulator: drops every client, refuses connections for
/// `down_ms` (the port is closed), then listens on the same port again by
/// itself. Returns once the port is closed and the clients dropped. Does
/// nothing while a restart is under way. Any thread.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_restart(sim: *const dgp_sim, down_ms: u32) -> dgp_result {
    act(sim, |s| {
        s.restart(Duration::from_millis(u64::from(down_ms)));
        Ok(())
    })
}

/// Performs an action on every connected client now, written as a
/// scenario step: "ring 1 5511999990000", "answer-far 1", "hangup-far",
/// "dtmf 1 5", "agent AgentCalled 7001 Uniqueid=1700000000.1",
/// "send Error Message=\"Busy\"", "raw \"Event: X\\r\\n\\r\\n\"",
/// "timestamp", "logoff", "close", "fault flood=100"... (see
/// scenarios/README.md). Any thread; returns once the bytes are written.
/// Errors: DGP_ERR_INVALID_ARGUMENT when the text is not an action (the
/// message says what was expected); DGP_ERR_COMMAND_FAILED when it did not
/// fit some client (not logged in, line busy...): the message names each
/// such client and why, and the others were still served. With no client
/// connected, nothing happens and DGP_OK is returned.
///
/// # Safety
/// `sim` valid; `action` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_perform(sim: *const dgp_sim, action: *const c_char) -> dgp_result {
    act(sim, |s| {
        let action: Action =
            text("action", action)?.parse().map_err(|why| Failure::new(DGP_ERR_INVALID_ARGUMENT, why))?;
        let refused: Vec<String> = s
            .perform(&action)
            .into_iter()
            .filter_map(|(client, result)| result.err().map(|why| format!("client {client}: {why}")))
            .collect();
        if refused.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(DGP_ERR_COMMAND_FAILED, refused.join("; ")))
        }
    })
}

/// Waits up to `timeout_ms` for the next scenario run (one per connection,
/// in the order they end) that this call has not reported before. DGP_OK:
/// it passed. DGP_ERR_SCENARIO_FAILED: it failed; the message (via
/// `dgp_sim_last_error`) names the scenario, the
/// line, the step and what happened. DGP_ERR_TIMEOUT: no run ended in time.
///
/// # Safety
/// `sim` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_sim_wait_for_scenario(sim: *const dgp_sim, timeout_ms: u32) -> dgp_result {
    act(sim, |s| match s.wait_for_scenario(Duration::from_millis(u64::from(timeout_ms))) {
        Some(outcome) => match outcome.result {
            Ok(()) => Ok(()),
            Err(failure) => Err(Failure::new(DGP_ERR_SCENARIO_FAILED, failure.to_string())),
        },
        None => Err(Failure::new(DGP_ERR_TIMEOUT, "no scenario run ended in time")),
    })
}

/// A running replay of a wire recording. Start with `dgp_replay_start`,
/// stop and free with `dgp_replay_free`. Its functions may be called from
/// any thread.
pub struct dgp_replay {
    replay: Replay,
}

/// Replays the recording at `path` (written by `dgp_sim_config_set_record`
/// or `dgp_options_set_wire_log`) as a server on `host` (NULL:
/// "127.0.0.1") and `port` (0: a free one; read it with
/// `dgp_replay_port`): the n-th client to connect gets what DGPhone sent
/// on the recording's n-th connection, with the recorded timing. Non-zero
/// `wait_for_client`: each reply first waits until the client has sent as
/// many packets as the recorded client had. Stores the replay in `*out`.
/// Errors: DGP_ERR_INVALID_ARGUMENT (the recording cannot be read; the
/// message names the line), DGP_ERR_RESOURCE (cannot listen), argument
/// errors; messages via `dgp_sim_last_error`.
///
/// # Safety
/// `path` a NUL-terminated string; `host` NULL or one; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_replay_start(
    path: *const c_char,
    host: *const c_char,
    port: u16,
    wait_for_client: i32,
    out: *mut *mut dgp_replay,
) -> dgp_result {
    attempt_reporting_to_thread(|| {
        clear_out("out", out)?;
        let path = text("path", path)?;
        let host = optional_text("host", host)?.unwrap_or("127.0.0.1");
        let recording = Recording::load(path).map_err(|e| Failure::new(DGP_ERR_INVALID_ARGUMENT, e.to_string()))?;
        let options = ReplayOptions { wait_for_client: wait_for_client != 0 };
        let replay = Replay::start((host, port), recording, options)
            .map_err(|e| Failure::new(DGP_ERR_RESOURCE, format!("cannot listen on {host}:{port}: {e}")))?;
        *out = Box::into_raw(Box::new(dgp_replay { replay }));
        Ok(())
    })
}

/// The port the replay listens on; 0 for NULL.
///
/// # Safety
/// `replay` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_replay_port(replay: *const dgp_replay) -> u16 {
    guard_value(0, || replay.as_ref().map_or(0, |r| r.replay.port()))
}

/// Waits up to `timeout_ms` until `count` connections have been sent all
/// their recorded bytes. DGP_ERR_TIMEOUT otherwise.
///
/// # Safety
/// `replay` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_replay_wait_until_played(
    replay: *const dgp_replay,
    count: u32,
    timeout_ms: u32,
) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let replay = handle("replay", replay)?;
        if replay.replay.wait_until_played(count as usize, Duration::from_millis(u64::from(timeout_ms))) {
            Ok(())
        } else {
            Err(Failure::new(DGP_ERR_TIMEOUT, format!("fewer than {count} connections played in full")))
        }
    })
}

/// Stops the replay (closes every connection, joins its threads) and frees
/// it. NULL is a no-op.
///
/// # Safety
/// `replay` NULL or valid, not used again.
#[no_mangle]
pub unsafe extern "C" fn dgp_replay_free(replay: *mut dgp_replay) {
    if !replay.is_null() {
        guard_value((), || drop(Box::from_raw(replay)));
    }
}
