//! Events across the boundary: an opaque handle with accessors. Every
//! string it hands out is NUL-terminated and lives as long as the event.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use super::guard_value;
use crate::client::{ClientEvent, DisconnectReason};
use crate::protocol::Event;
use dgphone_abi::kinds::*;

/// An event: from DGPhone, or about the connection. In a callback it is
/// valid only during the call; taken from the queue it is owned by the
/// caller until `dgp_event_free`. Accessors may be called from any thread
/// while the event is valid; strings they return live as long as the event.
/// Clone (`dgp_event_clone`) is a deep copy: nothing is shared between
/// threads behind the caller's back.
///
/// A DGPhone packet's strings are handed out where they lie in the
/// packet's text, each already followed by a NUL (see `Packet::nul_text`):
/// on its way to a callback an event is copied at most once, and wrapping
/// it here allocates nothing. An event that came in a burst (a read of
/// 4 KiB or more) is a view into that read's buffer, which it keeps alive
/// (64 KiB at most) until freed: to keep such an event long, keep a
/// `dgp_event_clone` of it, which owns just its own text.
#[derive(Clone)]
pub struct dgp_event {
    pub(super) event: Held,
    /// `dgp_event_detail`'s text, NUL-terminated: a lifecycle event's own
    /// words; `None` (the empty string) for a DGPhone packet.
    pub(super) detail: Option<CString>,
}

/// The event a `dgp_event` reads: its own, or in a callback the library's,
/// borrowed for the length of the call, so that the callback path copies
/// nothing. A clone always owns.
pub(super) enum Held {
    Owned(ClientEvent),
    /// Valid while the callback runs (see `dgp_event::borrowing`).
    Borrowed(*const ClientEvent),
}

impl std::ops::Deref for Held {
    type Target = ClientEvent;

    fn deref(&self) -> &ClientEvent {
        match self {
            Held::Owned(event) => event,
            // SAFETY: a borrowed event is only made by `dgp_event::borrowing`,
            // whose caller keeps it alive while the dgp_event is used.
            Held::Borrowed(event) => unsafe { &**event },
        }
    }
}

impl Clone for Held {
    /// A deep copy: a DGPhone packet's text is copied out of the read
    /// buffer it may share with other events.
    fn clone(&self) -> Held {
        Held::Owned(match &**self {
            ClientEvent::Phone(event) => ClientEvent::Phone(event.unshared()),
            other => other.clone(),
        })
    }
}

/// Why a connection ended: one of the `DGP_DISCONNECT_*` values.
pub type dgp_disconnect_reason_t = u32;

/// No disconnection (the reason of every other event).
pub const DGP_DISCONNECT_NONE: dgp_disconnect_reason_t = 0;
/// The application disconnected or freed the client.
pub const DGP_DISCONNECT_REQUESTED: dgp_disconnect_reason_t = 1;
/// DGPhone closed the connection.
pub const DGP_DISCONNECT_CLOSED_BY_PEER: dgp_disconnect_reason_t = 2;
/// Logged off (by dgp_logoff or DGPhone's UserLogoff); no reconnection.
pub const DGP_DISCONNECT_LOGGED_OFF: dgp_disconnect_reason_t = 3;
/// Nothing arrived for the dead-peer timeout.
pub const DGP_DISCONNECT_DEAD_PEER: dgp_disconnect_reason_t = 4;
/// A socket error (the detail text says which).
pub const DGP_DISCONNECT_IO_ERROR: dgp_disconnect_reason_t = 5;

/// A packet's key or value as C reads it: the packet keeps a NUL after
/// each (`Packet::nul_text`), so its first byte starts a C string.
fn c_str(text: &str) -> *const c_char {
    text.as_ptr().cast()
}

impl dgp_event {
    /// The event itself, for accessors kept in other files (raw.rs).
    pub(crate) fn client_event(&self) -> &ClientEvent {
        &self.event
    }

    pub(crate) fn new(event: ClientEvent) -> dgp_event {
        dgp_event::holding(Held::Owned(event))
    }

    /// An event reading `event` in place, for a callback: no copy at all
    /// of a DGPhone packet.
    ///
    /// # Safety
    /// `event` outlives the returned value and every use of it.
    pub(crate) unsafe fn borrowing(event: &ClientEvent) -> dgp_event {
        dgp_event::holding(Held::Borrowed(event))
    }

    fn holding(event: Held) -> dgp_event {
        let detail = match &*event {
            ClientEvent::Greeting(text) => Some(text.clone()),
            ClientEvent::ProtocolError(error) => Some(error.to_string()),
            ClientEvent::Disconnected { reason } => Some(reason.to_string()),
            ClientEvent::LoggedIn { user } => Some(user.clone()),
            ClientEvent::Connected { addr } => Some(addr.to_string()),
            _ => None,
        };
        // The texts are already free of NUL (the wire layer replaced them);
        // one that is not would read as the empty string.
        let detail = detail.map(|text| CString::new(text).unwrap_or_default());
        dgp_event { event, detail }
    }

    /// `dgp_event_detail`'s text, NUL-terminated.
    pub(super) fn detail_bytes(&self) -> &[u8] {
        self.detail.as_ref().map_or(b"\0", |text| text.as_bytes_with_nul())
    }

    pub(super) fn phone(&self) -> Option<&Event> {
        self.event.phone()
    }

    /// A value of the event's packet (`Event::number`, `Event::get`...), as
    /// a C string; NULL for a lifecycle event or an absent header.
    fn value(&self, value: impl FnOnce(&Event) -> Option<&str>) -> *const c_char {
        self.phone().and_then(value).map_or(std::ptr::null(), c_str)
    }

    fn header_at(&self, index: u32) -> Option<(&str, &str)> {
        self.phone()?.packet().header(index as usize)
    }
}

/// Runs an accessor on a possibly-NULL event.
unsafe fn read<T>(event: *const dgp_event, fallback: T, body: impl FnOnce(&dgp_event) -> T) -> T {
    match event.as_ref() {
        Some(event) => guard_value(fallback, || body(event)),
        None => fallback,
    }
}

/// The event's kind: a `DGP_EVENT_*` value (append-only); 0 for a NULL
/// event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_kind(event: *const dgp_event) -> dgp_event_kind_t {
    read(event, 0, |e| match &*e.event {
        ClientEvent::Connected { .. } => DGP_EVENT_CONNECTED,
        ClientEvent::LoggedIn { .. } => DGP_EVENT_LOGGED_IN,
        ClientEvent::Disconnected { .. } => DGP_EVENT_DISCONNECTED,
        ClientEvent::Reconnecting { .. } => DGP_EVENT_RECONNECTING,
        ClientEvent::Greeting(_) => DGP_EVENT_GREETING,
        ClientEvent::ProtocolError(_) => DGP_EVENT_PROTOCOL_ERROR,
        ClientEvent::Overflow { .. } => DGP_EVENT_OVERFLOW,
        ClientEvent::ReconnectFailed { .. } => DGP_EVENT_RECONNECT_FAILED,
        ClientEvent::Phone(p) => phone_kind(p.kind()),
    })
}

/// The line the event is about, 1 to 6; 0 when it names none (or an
/// invalid one: the raw `Line` header stays readable).
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_line(event: *const dgp_event) -> i32 {
    read(event, 0, |e| e.phone().and_then(Event::line).map_or(0, |l| i32::from(l.number())))
}

/// `Hold:` on a Hold event: 1 on hold, 0 active, -1 absent.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_hold(event: *const dgp_event) -> i32 {
    read(event, -1, |e| e.phone().and_then(Event::hold).map_or(-1, i32::from))
}

/// `Paused:` on AgentPaused: 1 paused, 0 not, -1 absent.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_paused(event: *const dgp_event) -> i32 {
    read(event, -1, |e| e.phone().and_then(Event::paused).map_or(-1, i32::from))
}

/// The DTMF digit of a DTMFReceived event as an ASCII code ('0'-'9', '*',
/// '#', 'A'-'D'); 0 when absent or invalid.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_digit(event: *const dgp_event) -> i32 {
    read(event, 0, |e| e.phone().and_then(Event::digit).map_or(0, |d| d as i32))
}

/// On a response: 1 for `Response: Success`, 0 for anything else; -1 for
/// other events.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_success(event: *const dgp_event) -> i32 {
    read(event, -1, |e| e.phone().and_then(Event::is_success).map_or(-1, i32::from))
}

// Written out one by one, not by a macro: cbindgen does not expand macros,
// so macro-made exports were in the library but missing from the header.

/// `Number:`, the other party. NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_number(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::number))
}

/// `User:`, the extension the event belongs to. NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_user(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::user))
}

/// `Agent:`, on agent events. NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_agent(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::agent))
}

/// `Uniqueid:`, the PBX's call id on agent events. NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_uniqueid(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::uniqueid))
}

/// `Message:`, DGPhone's text on responses and errors. NULL when absent.
/// Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_message(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::message))
}

/// `Status:` as received (useful with DGP_EVENT_OTHER_STATUS). NULL when
/// absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_status(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::status))
}

/// `Queue:`, on queue events. NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_queue(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::queue))
}

/// The time text of a DGTimeStamp (`Time:`, or `Timestamp:` as seen in the
/// field). NULL when absent. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_time(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.value(Event::time))
}

/// Text about a lifecycle event: the greeting, the protocol error, the
/// disconnection reason, the logged-in user, the peer address. Empty for
/// other events; never NULL for a valid event. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_detail(event: *const dgp_event) -> *const c_char {
    read(event, std::ptr::null(), |e| e.detail_bytes().as_ptr().cast())
}

/// Why the connection ended (`DGP_DISCONNECT_*`) on DGP_EVENT_DISCONNECTED;
/// DGP_DISCONNECT_NONE otherwise.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_disconnect_reason(event: *const dgp_event) -> dgp_disconnect_reason_t {
    read(event, DGP_DISCONNECT_NONE, |e| match &*e.event {
        ClientEvent::Disconnected { reason } => match reason {
            DisconnectReason::Requested => DGP_DISCONNECT_REQUESTED,
            DisconnectReason::ClosedByPeer => DGP_DISCONNECT_CLOSED_BY_PEER,
            DisconnectReason::LoggedOff => DGP_DISCONNECT_LOGGED_OFF,
            DisconnectReason::DeadPeer { .. } => DGP_DISCONNECT_DEAD_PEER,
            DisconnectReason::Io(_) => DGP_DISCONNECT_IO_ERROR,
        },
        _ => DGP_DISCONNECT_NONE,
    })
}

/// Events lost, on DGP_EVENT_OVERFLOW; 0 otherwise.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_dropped(event: *const dgp_event) -> u64 {
    read(event, 0, |e| match *e.event {
        ClientEvent::Overflow { dropped } => dropped,
        _ => 0,
    })
}

/// The attempt number on DGP_EVENT_RECONNECTING, the number of failed
/// attempts on DGP_EVENT_RECONNECT_FAILED; 0 otherwise.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_attempt(event: *const dgp_event) -> u32 {
    read(event, 0, |e| match *e.event {
        ClientEvent::Reconnecting { attempt, .. } => attempt,
        ClientEvent::ReconnectFailed { attempts } => attempts,
        _ => 0,
    })
}

/// The delay before the attempt in ms, on DGP_EVENT_RECONNECTING; 0
/// otherwise.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_delay_ms(event: *const dgp_event) -> u32 {
    read(event, 0, |e| match *e.event {
        ClientEvent::Reconnecting { delay, .. } => u32::try_from(delay.as_millis()).unwrap_or(u32::MAX),
        _ => 0,
    })
}

/// The number of raw headers of a DGPhone packet (0 for lifecycle events).
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_header_count(event: *const dgp_event) -> u32 {
    // A packet is at most max_packet bytes (u32), so its headers fit too.
    read(event, 0, |e| e.phone().map_or(0, |p| u32::try_from(p.packet().len()).unwrap_or(u32::MAX)))
}

/// The key of raw header `index` (original spelling; empty for a line
/// without a colon), or NULL past the end. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_header_key(event: *const dgp_event, index: u32) -> *const c_char {
    read(event, std::ptr::null(), |e| e.header_at(index).map_or(std::ptr::null(), |(key, _)| c_str(key)))
}

/// The value of raw header `index` (UTF-8; converted from Windows-1252 when
/// it was not UTF-8), or NULL past the end. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_header_value(event: *const dgp_event, index: u32) -> *const c_char {
    read(event, std::ptr::null(), |e| e.header_at(index).map_or(std::ptr::null(), |(_, value)| c_str(value)))
}

/// The value of the first header named `key` (compared without regard to
/// ASCII case), or NULL. Valid as long as the event.
///
/// # Safety
/// `event` is NULL or a valid event; `key` is NULL or a NUL-terminated
/// string.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_header(event: *const dgp_event, key: *const c_char) -> *const c_char {
    if key.is_null() {
        return std::ptr::null();
    }
    let key = CStr::from_ptr(key);
    read(event, std::ptr::null(), |e| match key.to_str() {
        Ok(key) => e.value(|p| p.get(key)),
        Err(_) => std::ptr::null(),
    })
}

/// Frees an event taken from the queue. NULL is a no-op. Never free an
/// event received in a callback.
///
/// # Safety
/// `event` is NULL or came from `dgp_next_event` and is not used again.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_free(event: *mut dgp_event) {
    if !event.is_null() {
        guard_value((), || drop(Box::from_raw(event)));
    }
}
