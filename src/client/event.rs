//! What a client delivers: DGPhone's events and the connection's own
//! lifecycle, through one path.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::protocol::Event;
use crate::wire::WireError;

/// Why a connection ended. New reasons may be added.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The application disconnected or closed the client.
    Requested,
    /// DGPhone closed the connection.
    ClosedByPeer,
    /// DGPhone logged the user off (UserLogoff, or our logoff).
    LoggedOff,
    /// Nothing arrived for the configured dead-peer time.
    DeadPeer { silent_for: Duration },
    /// A socket error.
    Io(String),
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::Requested => f.write_str("closed by the application"),
            DisconnectReason::ClosedByPeer => f.write_str("DGPhone closed the connection"),
            DisconnectReason::LoggedOff => f.write_str("logged off"),
            DisconnectReason::DeadPeer { silent_for } => write!(f, "nothing received for {silent_for:?}"),
            DisconnectReason::Io(e) => write!(f, "socket error: {e}"),
        }
    }
}

/// One item of the client's event stream, in the order things happened.
/// New kinds of item may be added: match with a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The TCP connection is open.
    Connected { addr: SocketAddr },
    /// DGPhone greeted with a banner line.
    Greeting(String),
    /// A login was accepted (also after an automatic re-login).
    LoggedIn { user: String },
    /// An event from DGPhone.
    Phone(Event),
    /// The stream held something malformed; the connection goes on.
    ProtocolError(WireError),
    /// The connection ended.
    Disconnected { reason: DisconnectReason },
    /// An automatic reconnection attempt is about to start after `delay`.
    Reconnecting { attempt: u32, delay: Duration },
    /// Automatic reconnection gave up after `attempts` failed attempts
    /// ([`Reconnect::max_attempts`](super::Reconnect::max_attempts)); the
    /// client stays disconnected until the application connects it again.
    ReconnectFailed { attempts: u32 },
    /// The queue (or the callback's backlog) was full and `dropped` events
    /// were lost since the last report. Each of the two reports its own
    /// losses, before the next event it delivers.
    Overflow { dropped: u64 },
}

impl ClientEvent {
    /// The DGPhone event, if this is one.
    pub fn phone(&self) -> Option<&Event> {
        match self {
            ClientEvent::Phone(event) => Some(event),
            _ => None,
        }
    }
}
