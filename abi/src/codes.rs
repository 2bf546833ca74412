//! Result codes: each with its number here and its description in one
//! table beside it; a test checks that no code lacks one.

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
/// A command other than a login before the session is logged in (DGPhone
/// acts only for a logged-in extension). Nothing was sent; log in first.
pub const DGP_ERR_NOT_LOGGED_IN: dgp_result = 17;
/// A login while logged in, or while a login awaits DGPhone's answer.
/// Nothing was sent; log off (or wait for the answer) first.
pub const DGP_ERR_ALREADY_LOGGED_IN: dgp_result = 18;
/// The blocking call was cancelled by `dgp_cancel` from another thread
/// (or a `dgp_connect` by `dgp_disconnect`).
/// What it was waiting for may still happen (a login answer still logs in).
pub const DGP_ERR_CANCELLED: dgp_result = 19;

/// The highest result code in use (for tests and bindings that list them).
pub const LAST_RESULT: dgp_result = DGP_ERR_CANCELLED;

/// The static, NUL-terminated English description of a result code.
pub fn description(code: dgp_result) -> &'static str {
    match code {
        DGP_OK => "ok\0",
        DGP_ERR_INVALID_ARGUMENT => "invalid argument\0",
        DGP_ERR_NULL_POINTER => "null pointer\0",
        DGP_ERR_NOT_UTF8 => "string is not valid UTF-8\0",
        DGP_ERR_NOT_CONNECTED => "not connected\0",
        DGP_ERR_ALREADY_CONNECTED => "already connected\0",
        DGP_ERR_CONNECT => "cannot connect\0",
        DGP_ERR_LOGIN_REJECTED => "login rejected by DGPhone\0",
        DGP_ERR_COMMAND_FAILED => "command failed\0",
        DGP_ERR_TIMEOUT => "timed out\0",
        DGP_ERR_CONNECTION_LOST => "connection lost\0",
        DGP_ERR_WOULD_DEADLOCK => "not allowed inside an event callback (would deadlock)\0",
        DGP_ERR_NO_CONFIRMATION => "command has no confirming event\0",
        DGP_ERR_BUFFER_TOO_SMALL => "buffer too small\0",
        DGP_ERR_INTERNAL => "internal error\0",
        DGP_ERR_RESOURCE => "cannot create a resource\0",
        DGP_ERR_SCENARIO_FAILED => "simulator scenario failed\0",
        DGP_ERR_NOT_LOGGED_IN => "not logged in\0",
        DGP_ERR_ALREADY_LOGGED_IN => "already logged in\0",
        DGP_ERR_CANCELLED => "cancelled\0",
        _ => "unknown result code\0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_up_to_the_last_has_a_description() {
        for code in 0..=LAST_RESULT {
            let text = description(code);
            assert!(text.ends_with('\0') && text.len() > 1, "code {code}");
            assert_ne!(text, description(LAST_RESULT + 1), "code {code} has no description");
        }
    }
}
