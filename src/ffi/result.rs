//! The library's errors as C result codes, and their descriptions. The
//! codes themselves live in `dgphone-abi`, shared with libdgphone_sim.

use std::os::raw::c_char;

pub use dgphone_abi::codes::*;
pub(crate) use dgphone_abi::failure::*;

use crate::Error;

/// The code of a library error.
pub(crate) fn code_of(error: &Error) -> dgp_result {
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
        Error::NotLoggedIn { .. } => DGP_ERR_NOT_LOGGED_IN,
        Error::AlreadyLoggedIn { .. } => DGP_ERR_ALREADY_LOGGED_IN,
        Error::Thread(_) => DGP_ERR_RESOURCE,
        Error::Cancelled(_) => DGP_ERR_CANCELLED,
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { code: code_of(&error), message: error.to_string() }
    }
}

/// A static English description of a result code. Never NULL; unknown
/// codes give "unknown result code". The string is static: do not free it.
#[no_mangle]
pub extern "C" fn dgp_result_str(code: dgp_result) -> *const c_char {
    description(code).as_ptr().cast()
}
