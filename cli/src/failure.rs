//! Why a subcommand failed, in plain words, and the exit code a script can
//! branch on. The codes are part of the command's interface: append new
//! ones, never renumber.

use std::fmt;
use std::io;
use std::process::ExitCode;
use std::time::Duration;

use dgphone::{ArgError, DisconnectReason, Error, Event};

/// Exit codes other than 0 (success). Listed in `dgphone --help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command line could not be understood.
    Usage = 1,
    /// The TCP connection could not be opened.
    CannotConnect = 2,
    /// DGPhone refused the login.
    LoginRejected = 3,
    /// No login response or no confirmation came in time.
    Timeout = 4,
    /// DGPhone refused the command, or an argument is invalid.
    CommandFailed = 5,
    /// The connection was lost.
    ConnectionLost = 6,
}

/// A failure: its exit code and what to tell the person.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
    /// DGPhone's event that refused the command, when one did (the
    /// console waits until it is printed before it prints the failure).
    pub cause: Option<Box<Event>>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// "5 s", "1.5 s", "250 ms": how long a person reads best.
pub fn human(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// Why a TCP connection could not be opened, in words that suggest what
/// to check.
fn explain_connect(source: &io::Error) -> String {
    match source.kind() {
        io::ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens on that port: is DGPhone running, with remote control on?)".into()
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            "no answer in time (the host is unreachable, or a firewall drops the connection)".into()
        }
        // std reports a failed name lookup without a kind of its own.
        _ if source.to_string().contains("lookup") => format!("unknown host ({source})"),
        _ => source.to_string(),
    }
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure { exit, message: message.into(), cause: None }
    }

    /// A value the protocol refuses (a line out of 1-6, a bad DTMF digit):
    /// found before anything is sent.
    pub fn invalid(error: ArgError) -> Failure {
        Failure::new(Exit::CommandFailed, error.to_string())
    }

    /// DGPhone's refusal of `doing`, as an event that is not a command's
    /// confirmation (a refused SendDtmf).
    pub fn refused(doing: &str, event: Event) -> Failure {
        let why = event.message().or(event.status()).unwrap_or("no reason given").to_string();
        Failure {
            cause: Some(Box::new(event)),
            ..Failure::new(Exit::CommandFailed, format!("DGPhone refused {doing}: {why}"))
        }
    }

    /// The connection ended while a session needed it.
    pub fn lost(reason: &DisconnectReason) -> Failure {
        let why = match reason {
            DisconnectReason::LoggedOff => "DGPhone logged the user off".to_string(),
            other => other.to_string(),
        };
        Failure::new(Exit::ConnectionLost, format!("lost the connection to DGPhone: {why}"))
    }

    /// A library error met while `doing` something ("log in as 201",
    /// "Dial"...).
    pub fn from_error(error: Error, doing: &str) -> Failure {
        match error {
            Error::Connect { addr, source } => Failure::new(
                Exit::CannotConnect,
                format!("cannot connect to DGPhone at {addr}: {}", explain_connect(&source)),
            ),
            Error::LoginRejected { message, .. } => {
                Failure::new(Exit::LoginRejected, format!("DGPhone rejected the login ({doing}): {message}"))
            }
            Error::Timeout { waited, .. } => Failure::new(
                Exit::Timeout,
                format!("timed out: DGPhone did not answer within {} ({doing})", human(waited)),
            ),
            Error::CommandFailed { event } => Failure::refused(doing, *event),
            Error::ConnectionLost(why) => {
                Failure::new(Exit::ConnectionLost, format!("lost the connection to DGPhone ({doing}): {why}"))
            }
            Error::NotConnected => Failure::new(
                Exit::ConnectionLost,
                format!("not connected to DGPhone ({doing}): the connection was lost"),
            ),
            Error::InvalidArgument(e) => Failure::invalid(e),
            // The CLI never makes these calls in a way that can fail so;
            // should it, say what happened rather than hide it.
            other => Failure::new(Exit::CommandFailed, format!("{doing}: {other}")),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dgphone::wire::Packet;
    use dgphone::Event;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_secs(5)), "5 s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn each_error_gets_its_exit_code_and_dgphones_words() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let connect = Failure::from_error(Error::Connect { addr: "h:1".into(), source: refused }, "connect");
        assert_eq!(connect.exit, Exit::CannotConnect);
        assert!(connect.message.contains("connection refused"), "{connect}");

        let event = Event::from_packet(Packet::from_pairs(&[
            ("Event", "DGPhoneEvent"),
            ("Status", "Error"),
            ("Message", "Line 1 is idle"),
        ]));
        let failed = Failure::from_error(Error::CommandFailed { event: Box::new(event.clone()) }, "Hangup");
        assert_eq!(
            (failed.exit, failed.message.as_str()),
            (Exit::CommandFailed, "DGPhone refused Hangup: Line 1 is idle")
        );

        let rejected = Error::LoginRejected { message: "Invalid user".into(), event: Box::new(event) };
        let rejected = Failure::from_error(rejected, "log in as 201");
        assert_eq!(rejected.exit, Exit::LoginRejected);
        assert!(rejected.message.ends_with(": Invalid user"));

        let timeout = Error::Timeout { what: "login response", waited: Duration::from_secs(5) };
        assert_eq!(Failure::from_error(timeout, "log in").exit, Exit::Timeout);
        assert_eq!(Failure::from_error(Error::NotConnected, "Dial").exit, Exit::ConnectionLost);
        assert_eq!(Failure::lost(&DisconnectReason::ClosedByPeer).exit, Exit::ConnectionLost);
    }
}
