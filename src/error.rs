//! The library's error type.

use std::time::Duration;

use thiserror::Error;

use crate::protocol::{ArgError, Event};
use crate::session::Refusal;

/// Why a call failed. Each variant says what the application can do about
/// it; `ffi::code_of` maps it to the stable C result code.
#[derive(Debug, Error)]
pub enum Error {
    /// A bad argument; nothing was sent.
    #[error(transparent)]
    InvalidArgument(#[from] ArgError),
    /// The client has no connection (never connected, lost, or closed).
    #[error("not connected to DGPhone")]
    NotConnected,
    /// `connect` was called on a client that has a connection.
    #[error("already connected; disconnect first")]
    AlreadyConnected,
    /// The TCP connection could not be opened.
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    /// DGPhone refused the login; `message` is DGPhone's own text (e.g.
    /// "Invalid user").
    #[error("login rejected by DGPhone: {message}")]
    LoginRejected { message: String, event: Box<Event> },
    /// DGPhone reported that a command failed (an Error or Busy status).
    #[error("DGPhone reported {}: {}", .event.status().unwrap_or("an error"), .event.message().unwrap_or("no message"))]
    CommandFailed { event: Box<Event> },
    /// No answer came in time.
    #[error("no {what} within {waited:?}")]
    Timeout { what: &'static str, waited: Duration },
    /// The connection was lost while the call was waiting or writing.
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    /// The call would wait for the client's threads from inside an event
    /// callback (or a logger), where it might never complete.
    #[error("{0} cannot be called from inside an event callback (it would deadlock)")]
    WouldDeadlock(&'static str),
    /// A thread the client needs (the callback thread) could not start.
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
    /// The command has no confirming event to wait for.
    #[error("{0} has no confirming event; send it without waiting")]
    NoConfirmation(String),
    /// A command other than Login before the session is logged in: DGPhone
    /// only acts for (and sends events to) a logged-in extension. Nothing
    /// was sent; log in first.
    #[error("{command} needs a logged-in session; log in first (nothing was sent)")]
    NotLoggedIn { command: String },
    /// A Login while logged in, or while a Login is awaiting its answer
    /// (`pending`). Nothing was sent; log off (or wait for the answer) first.
    #[error("{}", already_logged_in(.user, *.pending))]
    AlreadyLoggedIn { user: String, pending: bool },
    /// Another thread cancelled the blocking call ([`ClientHandle::cancel`](crate::ClientHandle::cancel)).
    #[error("{0} was cancelled by another thread")]
    Cancelled(&'static str),
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        match refusal {
            Refusal::NotConnected => Error::NotConnected,
            Refusal::NotLoggedIn { command } => Error::NotLoggedIn { command },
            Refusal::AlreadyLoggedIn { user, pending } => Error::AlreadyLoggedIn { user, pending },
        }
    }
}

fn already_logged_in(user: &str, pending: bool) -> String {
    if pending {
        format!("a login as {user} is already waiting for DGPhone's answer (nothing was sent)")
    } else {
        format!("already logged in as {user}; log off first (nothing was sent)")
    }
}

impl Error {
    pub(crate) fn lost(reason: impl std::fmt::Display) -> Error {
        Error::ConnectionLost(reason.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
