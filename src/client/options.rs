//! Connection options. Every field has a default a desk application can
//! start from.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::protocol::ArgError;
use crate::wire::record::WireLog;
use crate::wire::DEFAULT_MAX_PACKET;

/// What the event queue does when it is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OverflowPolicy {
    /// The reader thread waits for room: nothing is lost, and DGPhone's
    /// events wait in the socket (TCP flow control) while the application
    /// catches up. A connection blocked here is never declared dead, but
    /// waits and login wait with it.
    Block,
    /// The oldest queued event is dropped to make room.
    DropOldest,
    /// The new event is dropped.
    DropNewest,
}

/// Severity of a log line, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

/// A log hook. The library never prints; it calls this instead, on
/// whichever thread the logged thing happened.
pub type Logger = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// Automatic reconnection after a lost connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconnect {
    /// Delay before the first attempt; it doubles after each failure.
    pub initial_delay: Duration,
    /// The longest delay between attempts. Also how long a connection must
    /// stay up before the back-off starts over: one that ends sooner (a
    /// flap) counts as a failed attempt.
    pub max_delay: Duration,
    /// Give up after this many failed attempts in a row, flaps included;
    /// `None` tries forever.
    pub max_attempts: Option<u32>,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect { initial_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30), max_attempts: None }
    }
}

/// How a [`Client`](super::Client) connects and behaves.
/// The callback thread's stack unless [`Options::callback_stack_size`]
/// says otherwise: with the reader's 64 KiB, a session with a callback
/// reserves under 256 KiB of address space, so a thousand fit a 32-bit
/// process.
pub const DEFAULT_CALLBACK_STACK: usize = 128 * 1024;

/// The least callback stack: the callback thread's own frames (delivery,
/// the state kept for it) with room for a small callback.
pub const MIN_CALLBACK_STACK: usize = 64 * 1024;

#[derive(Clone)]
pub struct Options {
    /// Time allowed for the TCP connection to open. Default 5 s.
    pub connect_timeout: Duration,
    /// Time allowed for a write, and the default wait for a login response
    /// or a confirming event. Default 5 s.
    pub command_timeout: Duration,
    /// Declare the connection dead when no byte at all (not even a
    /// DGTimeStamp) arrives for this long. `None` (default) never does:
    /// DGPhone's keep-alive interval is not documented. Implemented as the
    /// socket's read timeout, so it costs no wake-up while data flows.
    pub dead_peer_timeout: Option<Duration>,
    /// TCP keep-alive idle time (the OS probes a silent peer). Default 30 s;
    /// `None` turns it off.
    pub tcp_keepalive: Option<Duration>,
    /// Reconnect automatically (and log in again, and ask for Status) after
    /// an unexpected disconnection. Default off.
    pub reconnect: Option<Reconnect>,
    /// Capacity of the pull queue ([`ClientHandle::next_event`](super::ClientHandle::next_event)).
    /// 0 turns the queue off, for applications that only use the callback.
    /// Default 4096.
    pub queue_capacity: usize,
    /// Fill the pull queue while a callback is registered too (both
    /// deliveries). Default off: with a callback, the queue collects
    /// nothing; without one, it collects (unless `queue_capacity` is 0).
    pub queue_with_callback: bool,
    /// Events the callback thread may have waiting (read but not yet passed
    /// to a slow callback). Default 4096; `overflow` applies when full.
    pub delivery_backlog: usize,
    /// Stack of the callback thread, in bytes, where the event callback
    /// runs. Default [`DEFAULT_CALLBACK_STACK`] (128 KiB): room for a
    /// callback that reads the event and hands it on (a Python ctypes
    /// callback, a Delphi `TThread.Queue`). A host running deep code in the
    /// callback itself (a .NET delegate doing real work, an interpreter
    /// recursing) raises it; it costs address space, not memory, until
    /// used. At least [`MIN_CALLBACK_STACK`] (`Options::validate`).
    pub callback_stack_size: usize,
    /// What a full queue or callback backlog does. Default
    /// [`OverflowPolicy::DropOldest`]: an application that stops pulling, or
    /// a callback that falls behind, loses old events, counted and reported,
    /// but the connection keeps going.
    pub overflow: OverflowPolicy,
    /// Largest packet accepted from DGPhone. Default 64 KiB.
    pub max_packet: usize,
    /// Add `User: <extension>` to every command after login, as field code
    /// does. Default off.
    pub send_user: bool,
    /// Send `RemoteMode: 1` with Login (DGPhone then refuses local call
    /// commands). Default on.
    pub remote_mode: bool,
    /// Hide DTMF digits in logs (they may be an agent's password). Default on.
    pub redact_dtmf: bool,
    /// The most detailed level passed to `logger`. Default Info.
    pub log_level: LogLevel,
    /// Where log lines go. Default none.
    pub logger: Option<Logger>,
    /// Records every byte sent and received, with connections opening and
    /// closing, in the wire recording format (see [`crate::wire::record`]),
    /// which the simulator can replay. DTMF digits are written as
    /// `<redacted>` while `redact_dtmf` is on. Default none.
    pub wire_log: Option<WireLog>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(5),
            dead_peer_timeout: None,
            tcp_keepalive: Some(Duration::from_secs(30)),
            reconnect: None,
            queue_capacity: 4096,
            queue_with_callback: false,
            delivery_backlog: 4096,
            callback_stack_size: DEFAULT_CALLBACK_STACK,
            overflow: OverflowPolicy::DropOldest,
            max_packet: DEFAULT_MAX_PACKET,
            send_user: false,
            remote_mode: true,
            redact_dtmf: true,
            log_level: LogLevel::Info,
            logger: None,
            wire_log: None,
        }
    }
}

/// The smallest `max_packet`: a login response or status event must fit.
pub const MIN_MAX_PACKET: usize = 256;

fn refuse(option: &str, reason: String) -> Result<(), ArgError> {
    Err(ArgError { arg: option.to_string(), reason })
}

impl Options {
    /// Every option rule: each value in its range ([`Options::validate_values`])
    /// and the options consistent with each other (a reconnection's
    /// `max_delay` at least its `initial_delay`). `Client::connect` and
    /// `dgp_client_new` call it; the C setters call `validate_values`, so a
    /// value out of range is refused where it is set, while two values that
    /// disagree can be set in either order.
    pub fn validate(&self) -> Result<(), ArgError> {
        self.validate_values()?;
        if let Some(r) = &self.reconnect {
            if r.max_delay < r.initial_delay {
                let reason = format!(
                    "the maximum delay ({} ms) is below the initial delay ({} ms)",
                    r.max_delay.as_millis(),
                    r.initial_delay.as_millis()
                );
                return refuse("reconnect max_delay", reason);
            }
        }
        Ok(())
    }

    /// The range of each value on its own.
    pub fn validate_values(&self) -> Result<(), ArgError> {
        if self.connect_timeout.is_zero() {
            return refuse("connect_timeout", "must be at least 1 ms".into());
        }
        if self.command_timeout.is_zero() {
            return refuse("command_timeout", "must be at least 1 ms".into());
        }
        if self.delivery_backlog == 0 {
            return refuse("delivery_backlog", "must be at least 1 event".into());
        }
        if self.callback_stack_size < MIN_CALLBACK_STACK {
            let size = self.callback_stack_size;
            return refuse("callback_stack_size", format!("{size} bytes is below the minimum of {MIN_CALLBACK_STACK}"));
        }
        if self.max_packet < MIN_MAX_PACKET {
            return refuse("max_packet", format!("{} bytes is below the minimum of {MIN_MAX_PACKET}", self.max_packet));
        }
        if let Some(r) = &self.reconnect {
            if r.initial_delay.is_zero() {
                return refuse("reconnect initial_delay", "must be at least 1 ms".into());
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("dead_peer_timeout", &self.dead_peer_timeout)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("reconnect", &self.reconnect)
            .field("queue_capacity", &self.queue_capacity)
            .field("queue_with_callback", &self.queue_with_callback)
            .field("delivery_backlog", &self.delivery_backlog)
            .field("callback_stack_size", &self.callback_stack_size)
            .field("overflow", &self.overflow)
            .field("max_packet", &self.max_packet)
            .field("send_user", &self.send_user)
            .field("remote_mode", &self.remote_mode)
            .field("redact_dtmf", &self.redact_dtmf)
            .field("log_level", &self.log_level)
            .field("logger", &self.logger.is_some())
            .field("wire_log", &self.wire_log.is_some())
            .finish()
    }
}

#[cfg(test)]
mod validate_tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Options::default().validate(), Ok(()));
    }

    #[test]
    fn a_value_out_of_range_names_its_option() {
        let options = Options { max_packet: MIN_MAX_PACKET - 1, ..Options::default() };
        assert_eq!(options.validate_values().unwrap_err().arg, "max_packet");
        let options = Options { connect_timeout: Duration::ZERO, ..Options::default() };
        assert_eq!(options.validate().unwrap_err().arg, "connect_timeout");
    }

    #[test]
    fn a_maximum_delay_below_the_initial_one_is_inconsistent_but_each_value_is_in_range() {
        let reconnect = Reconnect {
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_millis(100),
            max_attempts: None,
        };
        let options = Options { reconnect: Some(reconnect), ..Options::default() };
        assert_eq!(options.validate_values(), Ok(()));
        let error = options.validate().unwrap_err();
        assert!(error.reason.contains("below the initial delay"), "{error:?}");
    }
}
