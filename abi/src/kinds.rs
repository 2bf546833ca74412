//! Event kinds: one number per kind of event, the same in both C
//! libraries, and their mapping to the protocol's [`EventKind`].

use dgphone_proto::EventKind;

/// The connection opened (also after a reconnection).
pub const DGP_EVENT_CONNECTED: u32 = 1;
/// A login was accepted (also an automatic re-login).
pub const DGP_EVENT_LOGGED_IN: u32 = 2;
/// The connection ended; `dgp_event_disconnect_reason` says why.
pub const DGP_EVENT_DISCONNECTED: u32 = 3;
/// An automatic reconnection attempt will start after
/// `dgp_event_delay_ms`; `dgp_event_attempt` counts them.
pub const DGP_EVENT_RECONNECTING: u32 = 4;
/// DGPhone's greeting banner; the text is `dgp_event_detail`.
pub const DGP_EVENT_GREETING: u32 = 5;
/// Something malformed was received and skipped (oversize or truncated
/// packet); the text is `dgp_event_detail`. The connection goes on.
pub const DGP_EVENT_PROTOCOL_ERROR: u32 = 6;
/// `dgp_event_dropped` events were lost to overflow since the last report:
/// by the queue (reported there) or by the callback's backlog (reported to
/// the callback).
pub const DGP_EVENT_OVERFLOW: u32 = 7;
/// Automatic reconnection gave up after `dgp_event_attempt` attempts; the
/// client stays disconnected until `dgp_connect` is called again.
pub const DGP_EVENT_RECONNECT_FAILED: u32 = 8;
/// LineSelected: a line was selected.
pub const DGP_EVENT_LINE_SELECTED: u32 = 100;
/// Dialing: dialling out (Number).
pub const DGP_EVENT_DIALING: u32 = 101;
/// ReceivingCall: an incoming call rings (Number).
pub const DGP_EVENT_RECEIVING_CALL: u32 = 102;
/// Answer: a call is connected.
pub const DGP_EVENT_ANSWER: u32 = 103;
/// Hold: on hold or active again (dgp_event_hold).
pub const DGP_EVENT_HOLD: u32 = 104;
/// Hangup: a call ended.
pub const DGP_EVENT_HANGUP: u32 = 105;
/// Ready: the line is free.
pub const DGP_EVENT_READY: u32 = 106;
/// DTMFReceived: a digit arrived (dgp_event_digit).
pub const DGP_EVENT_DTMF_RECEIVED: u32 = 107;
/// UserLogoff: the DGPhone user logged off.
pub const DGP_EVENT_USER_LOGOFF: u32 = 108;
/// AgentLogin: the agent is available (Agent).
pub const DGP_EVENT_AGENT_LOGIN: u32 = 109;
/// AgentCalled: a call is offered to the agent (Uniqueid).
pub const DGP_EVENT_AGENT_CALLED: u32 = 110;
/// AgentConnect: the agent answered (Uniqueid).
pub const DGP_EVENT_AGENT_CONNECT: u32 = 111;
/// AgentComplete: the agent's call ended (Uniqueid).
pub const DGP_EVENT_AGENT_COMPLETE: u32 = 112;
/// AgentLogoff: the agent is unavailable.
pub const DGP_EVENT_AGENT_LOGOFF: u32 = 113;
/// Error (field-seen): a command failed (Message).
pub const DGP_EVENT_ERROR: u32 = 114;
/// Busy (field-seen): the called party is busy.
pub const DGP_EVENT_BUSY: u32 = 115;
/// AgentNoAnswer (field-seen).
pub const DGP_EVENT_AGENT_NO_ANSWER: u32 = 116;
/// AgentPaused (field-seen): dgp_event_paused.
pub const DGP_EVENT_AGENT_PAUSED: u32 = 117;
/// QueueEntry (field-seen): a call waiting in a queue.
pub const DGP_EVENT_QUEUE_ENTRY: u32 = 118;
/// QueueJoin (field-seen).
pub const DGP_EVENT_QUEUE_JOIN: u32 = 119;
/// QueueLeave (field-seen).
pub const DGP_EVENT_QUEUE_LEAVE: u32 = 120;
/// QueueAbandon (field-seen).
pub const DGP_EVENT_QUEUE_ABANDON: u32 = 121;
/// QueueStatusComplete (field-seen): the end of a QueueStatus answer.
pub const DGP_EVENT_QUEUE_STATUS_COMPLETE: u32 = 122;
/// A DGPhoneEvent with a Status not listed here (`dgp_event_status`).
pub const DGP_EVENT_OTHER_STATUS: u32 = 150;
/// `Event: DGPhoneResponse` (`dgp_event_success`, `dgp_event_message`).
pub const DGP_EVENT_RESPONSE: u32 = 160;
/// `Event: DGTimeStamp`, the keep-alive (`dgp_event_time`).
pub const DGP_EVENT_TIMESTAMP: u32 = 161;
/// Any other packet; read it with the raw header accessors.
pub const DGP_EVENT_UNKNOWN: u32 = 199;

/// The C number of a DGPhone event kind.
pub fn phone_kind(kind: EventKind) -> u32 {
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
pub fn event_kind_of(code: u32) -> Option<EventKind> {
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
