//! Event kinds: one number per kind of event, the same in both C
//! libraries, and their mapping to the protocol's [`EventKind`].

use dgphone_proto::EventKind;

/// An event kind: one of the `DGP_EVENT_*` values (append-only), as
/// `dgp_event_kind` returns it.
pub type dgp_event_kind_t = u32;

/// The connection opened (also after a reconnection).
pub const DGP_EVENT_CONNECTED: dgp_event_kind_t = 1;
/// A login was accepted (also an automatic re-login).
pub const DGP_EVENT_LOGGED_IN: dgp_event_kind_t = 2;
/// The connection ended; `dgp_event_disconnect_reason` says why.
pub const DGP_EVENT_DISCONNECTED: dgp_event_kind_t = 3;
/// An automatic reconnection attempt will start after
/// `dgp_event_delay_ms`; `dgp_event_attempt` counts them.
pub const DGP_EVENT_RECONNECTING: dgp_event_kind_t = 4;
/// DGPhone's greeting banner; the text is `dgp_event_detail`.
pub const DGP_EVENT_GREETING: dgp_event_kind_t = 5;
/// Something malformed was received and skipped (oversize or truncated
/// packet); the text is `dgp_event_detail`. The connection goes on.
pub const DGP_EVENT_PROTOCOL_ERROR: dgp_event_kind_t = 6;
/// `dgp_event_dropped` events were lost to overflow since the last report:
/// by the queue (reported there, before the next event pulled) or by the
/// callback's backlog (reported to the callback; events the callback
/// thread had already taken in hand when the loss happened may still come
/// after the report, so it marks a gap near, not exactly at, its place).
pub const DGP_EVENT_OVERFLOW: dgp_event_kind_t = 7;
/// Automatic reconnection gave up after `dgp_event_attempt` attempts; the
/// client stays disconnected until `dgp_connect` is called again.
pub const DGP_EVENT_RECONNECT_FAILED: dgp_event_kind_t = 8;
/// LineSelected: a line was selected.
pub const DGP_EVENT_LINE_SELECTED: dgp_event_kind_t = 100;
/// Dialing: dialling out (Number).
pub const DGP_EVENT_DIALING: dgp_event_kind_t = 101;
/// ReceivingCall: an incoming call rings (Number).
pub const DGP_EVENT_RECEIVING_CALL: dgp_event_kind_t = 102;
/// Answer: a call is connected.
pub const DGP_EVENT_ANSWER: dgp_event_kind_t = 103;
/// Hold: on hold or active again (dgp_event_hold).
pub const DGP_EVENT_HOLD: dgp_event_kind_t = 104;
/// Hangup: a call ended.
pub const DGP_EVENT_HANGUP: dgp_event_kind_t = 105;
/// Ready: the line is free.
pub const DGP_EVENT_READY: dgp_event_kind_t = 106;
/// DTMFReceived: a digit arrived (dgp_event_digit).
pub const DGP_EVENT_DTMF_RECEIVED: dgp_event_kind_t = 107;
/// UserLogoff: the DGPhone user logged off.
pub const DGP_EVENT_USER_LOGOFF: dgp_event_kind_t = 108;
/// AgentLogin: the agent is available (Agent).
pub const DGP_EVENT_AGENT_LOGIN: dgp_event_kind_t = 109;
/// AgentCalled: a call is offered to the agent (Uniqueid).
pub const DGP_EVENT_AGENT_CALLED: dgp_event_kind_t = 110;
/// AgentConnect: the agent answered (Uniqueid).
pub const DGP_EVENT_AGENT_CONNECT: dgp_event_kind_t = 111;
/// AgentComplete: the agent's call ended (Uniqueid).
pub const DGP_EVENT_AGENT_COMPLETE: dgp_event_kind_t = 112;
/// AgentLogoff: the agent is unavailable.
pub const DGP_EVENT_AGENT_LOGOFF: dgp_event_kind_t = 113;
/// Error (field-seen): a command failed (Message).
pub const DGP_EVENT_ERROR: dgp_event_kind_t = 114;
/// Busy (field-seen): the called party is busy.
pub const DGP_EVENT_BUSY: dgp_event_kind_t = 115;
/// AgentNoAnswer (field-seen).
pub const DGP_EVENT_AGENT_NO_ANSWER: dgp_event_kind_t = 116;
/// AgentPaused (field-seen): dgp_event_paused.
pub const DGP_EVENT_AGENT_PAUSED: dgp_event_kind_t = 117;
/// QueueEntry (field-seen): a call waiting in a queue.
pub const DGP_EVENT_QUEUE_ENTRY: dgp_event_kind_t = 118;
/// QueueJoin (field-seen).
pub const DGP_EVENT_QUEUE_JOIN: dgp_event_kind_t = 119;
/// QueueLeave (field-seen).
pub const DGP_EVENT_QUEUE_LEAVE: dgp_event_kind_t = 120;
/// QueueAbandon (field-seen).
pub const DGP_EVENT_QUEUE_ABANDON: dgp_event_kind_t = 121;
/// QueueStatusComplete (field-seen): the end of a QueueStatus answer.
pub const DGP_EVENT_QUEUE_STATUS_COMPLETE: dgp_event_kind_t = 122;
/// A DGPhoneEvent with a Status not listed here (`dgp_event_status`).
pub const DGP_EVENT_OTHER_STATUS: dgp_event_kind_t = 150;
/// `Event: DGPhoneResponse` (`dgp_event_success`, `dgp_event_message`).
pub const DGP_EVENT_RESPONSE: dgp_event_kind_t = 160;
/// `Event: DGTimeStamp`, the keep-alive (`dgp_event_time`).
pub const DGP_EVENT_TIMESTAMP: dgp_event_kind_t = 161;
/// Any other packet; read it with the raw header accessors.
pub const DGP_EVENT_UNKNOWN: dgp_event_kind_t = 199;

/// The C number of a DGPhone event kind.
pub fn phone_kind(kind: EventKind) -> dgp_event_kind_t {
    use EventKind::*;
    match kind {
        LineSelected => DGP_EVENT_LINE_SELECTED,
        Dialing => DGP_EVENT_DIALING,
        ReceivingCall => DGP_EVENT_RECEIVING_CALL,
        Answer => DGP_EVENT_ANSWER,
        Hold => DGP_EVENT_HOLD,
        Hangup => DGP_EVENT_HANGUP,
        Ready => DGP_EVENT_READY,
        DtmfReceived => DGP_EVENT_DTMF_RECEIVED,
        UserLogoff => DGP_EVENT_USER_LOGOFF,
        AgentLogin => DGP_EVENT_AGENT_LOGIN,
        AgentCalled => DGP_EVENT_AGENT_CALLED,
        AgentConnect => DGP_EVENT_AGENT_CONNECT,
        AgentComplete => DGP_EVENT_AGENT_COMPLETE,
        AgentLogoff => DGP_EVENT_AGENT_LOGOFF,
        Error => DGP_EVENT_ERROR,
        Busy => DGP_EVENT_BUSY,
        AgentNoAnswer => DGP_EVENT_AGENT_NO_ANSWER,
        AgentPaused => DGP_EVENT_AGENT_PAUSED,
        QueueEntry => DGP_EVENT_QUEUE_ENTRY,
        QueueJoin => DGP_EVENT_QUEUE_JOIN,
        QueueLeave => DGP_EVENT_QUEUE_LEAVE,
        QueueAbandon => DGP_EVENT_QUEUE_ABANDON,
        QueueStatusComplete => DGP_EVENT_QUEUE_STATUS_COMPLETE,
        OtherStatus => DGP_EVENT_OTHER_STATUS,
        Response => DGP_EVENT_RESPONSE,
        TimeStamp => DGP_EVENT_TIMESTAMP,
        Unknown => DGP_EVENT_UNKNOWN,
        // A kind added to the protocol crate reads as unknown until it is
        // given a number of its own here (numbers are append-only).
        _ => DGP_EVENT_UNKNOWN,
    }
}

/// The protocol kind of a C event number, for the DGPhone events (the
/// connection kinds below 100 have none).
pub fn event_kind_of(code: dgp_event_kind_t) -> Option<EventKind> {
    EventKind::ALL.iter().copied().find(|&kind| phone_kind(kind) == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_kind_has_its_own_number_and_maps_back() {
        for &kind in EventKind::ALL.iter() {
            assert_eq!(event_kind_of(phone_kind(kind)), Some(kind), "{kind:?}");
        }
        assert_eq!(event_kind_of(DGP_EVENT_CONNECTED), None);
    }
}
