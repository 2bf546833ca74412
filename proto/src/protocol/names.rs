//! Every word of the protocol that code matches or writes, in one place:
//! header names, the packet types, the command names. The status texts
//! live with [`EventKind`](super::EventKind) (`wire_name`). Headers are
//! matched without regard to case when reading; these are the spellings
//! written.

/// Header names.
pub mod header {
    pub const ACTION: &str = "Action";
    pub const COMMAND: &str = "Command";
    pub const EVENT: &str = "Event";
    pub const STATUS: &str = "Status";
    pub const RESPONSE: &str = "Response";
    pub const USER: &str = "User";
    pub const REMOTE_MODE: &str = "RemoteMode";
    pub const LINE: &str = "Line";
    pub const NUMBER: &str = "Number";
    pub const DIGITS: &str = "Digits";
    pub const DIGIT: &str = "Digit";
    pub const HOLD: &str = "Hold";
    pub const MESSAGE: &str = "Message";
    pub const AGENT: &str = "Agent";
    pub const UNIQUEID: &str = "Uniqueid";
    pub const QUEUE: &str = "Queue";
    pub const WAIT: &str = "Wait";
    pub const PAUSED: &str = "Paused";
    pub const REASON: &str = "Reason";
    pub const TIME: &str = "Time";
    pub const TIMESTAMP: &str = "Timestamp";
}

/// `Action:` of every command.
pub const DGPHONE_COMMAND: &str = "DGPhoneCommand";
/// `Event:` of a status event.
pub const DGPHONE_EVENT: &str = "DGPhoneEvent";
/// `Event:` of a response (Login's answer).
pub const DGPHONE_RESPONSE: &str = "DGPhoneResponse";
/// `Event:` of the keep-alive, and the field-seen command asking for one.
pub const DGTIMESTAMP: &str = "DGTimeStamp";
/// `Response:` of a command that succeeded.
pub const SUCCESS: &str = "Success";
/// `Response:` of a command that failed.
pub const ERROR: &str = "Error";

/// Command names as the documents spell them (read without case).
pub mod command {
    pub const LOGIN: &str = "Login";
    /// Lower case in both documents (field code writes `Logoff`).
    pub const LOGOFF: &str = "logoff";
    pub const STATUS: &str = "Status";
    pub const LINE_SELECT: &str = "LineSelect";
    pub const HOLD: &str = "Hold";
    pub const DIAL: &str = "Dial";
    pub const ANSWER: &str = "Answer";
    pub const SEND_DTMF: &str = "SendDtmf";
    pub const HANGUP: &str = "Hangup";
    pub const QUEUE_STATUS: &str = "QueueStatus";
    pub const AGENT_PAUSE: &str = "AgentPause";

    /// Every name above: a `Generic` command with one of them reads back
    /// as the typed command.
    pub const ALL: [&str; 11] =
        [LOGIN, LOGOFF, STATUS, LINE_SELECT, HOLD, DIAL, ANSWER, SEND_DTMF, HANGUP, QUEUE_STATUS, AGENT_PAUSE];
}

/// Names compared without regard to case, the usual exact spelling first
/// (a memcmp, where the case-blind comparison goes byte by byte).
pub(crate) fn same_name(name: &str, expected: &str) -> bool {
    name == expected || name.eq_ignore_ascii_case(expected)
}
