//! The call flows of `dgphone::flows::calls` through the C ABI, named
//! `dgp_<verb>_call` (and `dgp_refresh_lines`): the same procedures the
//! `dgphone` command runs, so a C, Delphi, Python or .NET
//! host answers the ringing line, holds the call in progress or waits for
//! the six Status answers exactly as the command does. Each blocks until
//! DGPhone confirms (or `timeout_ms` passes); not from inside the event
//! callback (DGP_ERR_WOULD_DEADLOCK). A failure's message names the step
//! ("Answer on line 4: ...", "waiting for a call to ring: ...").

use std::os::raw::c_char;
use std::time::Duration;

use super::client::{call, dgp_client, optional_line};
use super::result::*;
use super::text;
use crate::flows::{self, HoldMode, StepError};

/// What `dgp_hold_call` does: one of the `DGP_HOLD_*` values.
pub type dgp_hold_mode_t = u32;

/// Toggle hold (the documented Hold command).
pub const DGP_HOLD_TOGGLE: dgp_hold_mode_t = 0;
/// Put the call on hold (`Hold: 1`).
pub const DGP_HOLD_ON: dgp_hold_mode_t = 1;
/// Take the call off hold (`Hold: 0`).
pub const DGP_HOLD_OFF: dgp_hold_mode_t = 2;

fn ms(value: u32) -> Duration {
    Duration::from_millis(u64::from(value.max(1)))
}

fn failed(e: StepError) -> Failure {
    Failure { code: code_of(&e.error), message: e.to_string() }
}

/// Asks for Status and waits up to `timeout_ms` in all for DGPhone's
/// answer about each of the six lines; the line state (`dgp_line_state`)
/// is then DGPhone's.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_refresh_lines(client: *mut dgp_client, timeout_ms: u32) -> dgp_result {
    call(client, |c| flows::status(&c.client.handle(), ms(timeout_ms)).map(drop).map_err(failed))
}

/// Selects `line` first when it is not 0, then dials `number` and waits
/// for Dialing.
///
/// # Safety
/// `client` valid; `number` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_place_call(
    client: *mut dgp_client,
    number: *const c_char,
    line: i32,
    timeout_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let number = text("number", number)?;
        flows::call(&c.client.handle(), number, optional_line(line)?, ms(timeout_ms)).map(drop).map_err(failed)
    })
}

/// Answers `line`; with `line` 0, the ringing line the client knows of
/// (call `dgp_refresh_lines` first to know), else, with `ring_wait_ms` > 0,
/// the first call that rings within that time, else DGPhone's selected
/// line. Waits for Answer.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_answer_call(
    client: *mut dgp_client,
    line: i32,
    ring_wait_ms: u32,
    timeout_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let ring = (ring_wait_ms > 0).then(|| ms(ring_wait_ms));
        flows::answer(&c.client.handle(), optional_line(line)?, ring, ms(timeout_ms)).map(drop).map_err(failed)
    })
}

/// Hangs up `line`; with `line` 0, the only line in a call when DGPhone's
/// selected line has none, else the selected line. Waits for Hangup.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_end_call(client: *mut dgp_client, line: i32, timeout_ms: u32) -> dgp_result {
    call(client, |c| flows::hangup(&c.client.handle(), optional_line(line)?, ms(timeout_ms)).map(drop).map_err(failed))
}

/// Holds (`mode`: DGP_HOLD_TOGGLE, _ON or _OFF) on `line`, selecting it
/// first; with `line` 0, on the call in progress as `dgp_end_call`
/// picks it. Waits for Hold.
///
/// # Safety
/// `client` valid.
#[no_mangle]
pub unsafe extern "C" fn dgp_hold_call(
    client: *mut dgp_client,
    mode: dgp_hold_mode_t,
    line: i32,
    timeout_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let mode = match mode {
            DGP_HOLD_TOGGLE => HoldMode::Toggle,
            DGP_HOLD_ON => HoldMode::On,
            DGP_HOLD_OFF => HoldMode::Off,
            other => return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("{other} is not a DGP_HOLD_* mode"))),
        };
        flows::hold(&c.client.handle(), mode, optional_line(line)?, ms(timeout_ms)).map(drop).map_err(failed)
    })
}

/// Sends DTMF `digits` on `line` (selecting it first), or on the call in
/// progress with `line` 0, then asks for Status: once DGPhone has answered
/// it, the digits were taken, or their refusal is returned
/// (DGP_ERR_COMMAND_FAILED).
///
/// # Safety
/// `client` valid; `digits` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dgp_send_call_dtmf(
    client: *mut dgp_client,
    digits: *const c_char,
    line: i32,
    timeout_ms: u32,
) -> dgp_result {
    call(client, |c| {
        let digits = text("digits", digits)?;
        flows::dtmf(&c.client.handle(), digits, optional_line(line)?, ms(timeout_ms)).map(drop).map_err(failed)
    })
}
