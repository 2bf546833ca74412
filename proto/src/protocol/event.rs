//! Events received from DGPhone, typed, each keeping its raw headers.

use super::known::{Known, KnownHeaders};
use super::names::{self, same_name};
use super::validate::Line;
use super::EventBuilder;
use crate::wire::{Headers, Packet};

/// What an event is. Every documented status, the statuses seen in the
/// field, the response and timestamp packets, and catch-alls that keep
/// anything new.
///
/// New kinds may be added as DGPhone versions are met: match with a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    // DGPhoneEvent, documented statuses.
    LineSelected,
    Dialing,
    ReceivingCall,
    Answer,
    Hold,
    Hangup,
    Ready,
    DtmfReceived,
    UserLogoff,
    AgentLogin,
    AgentCalled,
    AgentConnect,
    AgentComplete,
    AgentLogoff,
    // DGPhoneEvent, statuses seen in the field.
    Error,
    Busy,
    AgentNoAnswer,
    AgentPaused,
    QueueEntry,
    QueueJoin,
    QueueLeave,
    QueueAbandon,
    QueueStatusComplete,
    /// A DGPhoneEvent whose Status is none of the above (see
    /// [`Event::status`]).
    OtherStatus,
    /// `Event: DGPhoneResponse` (the answer to Login, and any other).
    Response,
    /// `Event: DGTimeStamp`, the keep-alive.
    TimeStamp,
    /// Any other packet, kept whole.
    Unknown,
}

impl EventKind {
    /// Every kind, in declaration order (for tables keyed by kind, such as
    /// the C ABI's numbers, and for tests that cover them all).
    pub const ALL: [EventKind; 27] = {
        use EventKind::*;
        [
            LineSelected,
            Dialing,
            ReceivingCall,
            Answer,
            Hold,
            Hangup,
            Ready,
            DtmfReceived,
            UserLogoff,
            AgentLogin,
            AgentCalled,
            AgentConnect,
            AgentComplete,
            AgentLogoff,
            Error,
            Busy,
            AgentNoAnswer,
            AgentPaused,
            QueueEntry,
            QueueJoin,
            QueueLeave,
            QueueAbandon,
            QueueStatusComplete,
            OtherStatus,
            Response,
            TimeStamp,
            Unknown,
        ]
    };
}

/// The statuses with their spelling on the wire (matched without case).
const STATUSES: [(&str, EventKind); 23] = [
    ("LineSelected", EventKind::LineSelected),
    ("Dialing", EventKind::Dialing),
    ("ReceivingCall", EventKind::ReceivingCall),
    ("Answer", EventKind::Answer),
    ("Hold", EventKind::Hold),
    ("Hangup", EventKind::Hangup),
    ("Ready", EventKind::Ready),
    ("DTMFReceived", EventKind::DtmfReceived),
    ("UserLogoff", EventKind::UserLogoff),
    ("AgentLogin", EventKind::AgentLogin),
    ("AgentCalled", EventKind::AgentCalled),
    ("AgentConnect", EventKind::AgentConnect),
    ("AgentComplete", EventKind::AgentComplete),
    ("AgentLogoff", EventKind::AgentLogoff),
    ("Error", EventKind::Error),
    ("Busy", EventKind::Busy),
    ("AgentNoAnswer", EventKind::AgentNoAnswer),
    ("AgentPaused", EventKind::AgentPaused),
    ("QueueEntry", EventKind::QueueEntry),
    ("QueueJoin", EventKind::QueueJoin),
    ("QueueLeave", EventKind::QueueLeave),
    ("QueueAbandon", EventKind::QueueAbandon),
    ("QueueStatusComplete", EventKind::QueueStatusComplete),
];

impl EventKind {
    /// The Status text of a DGPhoneEvent kind, as the documents spell it.
    pub fn status_name(self) -> Option<&'static str> {
        STATUSES.iter().find(|(_, kind)| *kind == self).map(|(name, _)| *name)
    }

    /// The kind's name on the wire: the Status text of a DGPhoneEvent
    /// kind, the `Event:` of [`EventKind::Response`] and
    /// [`EventKind::TimeStamp`]; none for the catch-alls.
    pub fn wire_name(self) -> Option<&'static str> {
        match self {
            EventKind::Response => Some(names::DGPHONE_RESPONSE),
            EventKind::TimeStamp => Some(names::DGTIMESTAMP),
            kind => kind.status_name(),
        }
    }

    /// The kind whose Status text this is (without regard to case);
    /// [`EventKind::OtherStatus`] for any other text.
    pub fn from_status_name(status: &str) -> EventKind {
        EventKind::from_status(status)
    }

    fn from_status(status: &str) -> EventKind {
        // DGPhone spells statuses as documented: an exact comparison finds
        // them fast; the byte-by-byte case-blind one is for other spellings.
        STATUSES
            .iter()
            .find(|(name, _)| *name == status)
            .or_else(|| STATUSES.iter().find(|(name, _)| name.eq_ignore_ascii_case(status)))
            .map_or(EventKind::OtherStatus, |(_, kind)| *kind)
    }

    /// The statuses DGPhone answers `Status` with, one per line.
    pub fn is_line_status(self) -> bool {
        use EventKind::*;
        matches!(self, Ready | ReceivingCall | Dialing | Answer | Hold | Hangup | Busy | OtherStatus)
    }

    /// True for the agent (call-centre attendant) statuses.
    pub fn is_agent(self) -> bool {
        use EventKind::*;
        matches!(
            self,
            AgentLogin | AgentCalled | AgentConnect | AgentComplete | AgentLogoff | AgentNoAnswer | AgentPaused
        )
    }
}

/// One event from DGPhone: its kind and the packet it came in, whose headers
/// stay reachable untouched ([`Event::packet`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    typing: Typing,
    packet: Packet,
}

/// What typing a packet finds: read once, then asked by state, waits and
/// delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Typing {
    kind: EventKind,
    /// The line the event names.
    line: Option<Line>,
    known: KnownHeaders,
}

impl Typing {
    /// Types a packet's headers. Never fails: what is not recognised is
    /// [`EventKind::OtherStatus`] or [`EventKind::Unknown`].
    // Inlined: returned through memory, a typing was copied on with loads
    // wider than the stores that wrote it (a store-forwarding stall, 8% of
    // the reader's loop over a run by perf).
    #[inline(always)]
    pub(crate) fn of(headers: Headers<'_>) -> Typing {
        let known = KnownHeaders::of(headers);
        let event = known.get(headers, Known::Event).unwrap_or("");
        let kind = if same_name(event, names::DGPHONE_EVENT) {
            EventKind::from_status(known.get(headers, Known::Status).unwrap_or(""))
        } else if same_name(event, names::DGPHONE_RESPONSE) {
            EventKind::Response
        } else if same_name(event, names::DGTIMESTAMP) {
            EventKind::TimeStamp
        } else {
            EventKind::Unknown
        };
        let line = known.get(headers, Known::Line).and_then(Line::from_value);
        Typing { kind, line, known }
    }
}

/// An event as the library reads it, borrowed: an [`Event`]'s fields
/// ([`Event::view`]), or those of an event still in the read buffer it
/// came in (see [`PlacedEvents`](super::PlacedEvents)), which the client
/// judges its state by before the event is built. Every field accessor of
/// [`Event`] is this one's.
#[derive(Clone, Copy, Debug)]
pub struct EventRef<'a> {
    typing: &'a Typing,
    headers: Headers<'a>,
}

impl<'a> From<&'a Event> for EventRef<'a> {
    fn from(event: &'a Event) -> EventRef<'a> {
        event.view()
    }
}

impl<'a> EventRef<'a> {
    pub(crate) fn new(typing: &'a Typing, headers: Headers<'a>) -> EventRef<'a> {
        EventRef { typing, headers }
    }

    /// A header the library reads, found when the event was typed.
    fn known(self, header: Known) -> Option<&'a str> {
        self.typing.known.get(self.headers, header)
    }

    /// What the event is.
    pub fn kind(self) -> EventKind {
        self.typing.kind
    }

    /// `Status:` as received.
    pub fn status(self) -> Option<&'a str> {
        self.known(Known::Status)
    }

    /// The line the event is about, when it names a valid one.
    pub fn line(self) -> Option<Line> {
        self.typing.line
    }

    /// `Number:`, the other party.
    pub fn number(self) -> Option<&'a str> {
        self.known(Known::Number)
    }

    /// `User:`, the extension the event belongs to.
    pub fn user(self) -> Option<&'a str> {
        self.known(Known::User)
    }

    /// Whether the event is about the extension `own_user`: one connection
    /// may carry other extensions' events, told apart by `User`. An event
    /// that names no user is ours, and with no extension of our own
    /// (`None`, before a login) every event is.
    pub fn is_for(self, own_user: Option<&str>) -> bool {
        match (self.user(), own_user) {
            (Some(theirs), Some(ours)) => theirs.eq_ignore_ascii_case(ours),
            _ => true,
        }
    }

    /// Whether this is DGPhone's answer to a Login: a DGPhoneResponse whose
    /// `Command` is Login, or that echoes no command (some DGPhones do not).
    pub fn is_login_response(self) -> bool {
        self.kind() == EventKind::Response && self.command().map_or(true, |c| c.eq_ignore_ascii_case("Login"))
    }

    /// `Agent:`, on agent events.
    pub fn agent(self) -> Option<&'a str> {
        self.known(Known::Agent)
    }

    /// `Uniqueid:`, the PBX's call id on agent events.
    pub fn uniqueid(self) -> Option<&'a str> {
        self.known(Known::Uniqueid)
    }

    /// `Message:`, DGPhone's text (on responses and errors).
    pub fn message(self) -> Option<&'a str> {
        self.known(Known::Message)
    }

    /// `Queue:`, on queue events.
    pub fn queue(self) -> Option<&'a str> {
        self.known(Known::Queue)
    }

    /// `Hold: 1|0` on a Hold event: true when the call is now on hold.
    pub fn hold(self) -> Option<bool> {
        flag(self.known(Known::Hold)?)
    }

    /// `Paused: 1|0` on AgentPaused.
    pub fn paused(self) -> Option<bool> {
        flag(self.known(Known::Paused)?)
    }

    /// The DTMF digit of a DTMFReceived event.
    pub fn digit(self) -> Option<char> {
        let mut chars = self.known(Known::Digit)?.trim().chars();
        let digit = chars.next()?.to_ascii_uppercase();
        (chars.next().is_none() && super::validate::is_dtmf(digit)).then_some(digit)
    }

    /// On a response: true for `Response: Success`, false for anything else.
    pub fn is_success(self) -> Option<bool> {
        if self.kind() != EventKind::Response {
            return None;
        }
        Some(self.known(Known::Response).map_or(false, |r| r.eq_ignore_ascii_case(names::SUCCESS)))
    }

    /// `Command:` echoed in a response.
    pub fn command(self) -> Option<&'a str> {
        self.known(Known::Command)
    }

    /// The time text of a DGTimeStamp (`Time:`, or `Timestamp:` as seen in
    /// the field), or the `Timestamp:` of any other event.
    pub fn time(self) -> Option<&'a str> {
        self.known(Known::Time).or_else(|| self.known(Known::Timestamp))
    }

    /// [`EventRef::time`], parsed where recognisable.
    pub fn parsed_time(self) -> Option<ParsedTime> {
        ParsedTime::parse(self.time()?)
    }
}

/// A `DGTimeStamp`'s time, where its text is recognisable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParsedTime {
    /// Seconds since 1970-01-01 UTC.
    Epoch(u64),
    /// A wall-clock time, with the date when one came (year, month, day).
    Clock { date: Option<(u16, u8, u8)>, hour: u8, minute: u8, second: u8 },
}

fn flag(value: &str) -> Option<bool> {
    match value.trim() {
        "1" => Some(true),
        "0" => Some(false),
        v if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes") => Some(true),
        v if v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no") => Some(false),
        _ => None,
    }
}

fn numbers<const N: usize>(text: &str, sep: char) -> Option<[u16; N]> {
    let mut out = [0u16; N];
    let mut parts = text.split(sep);
    for slot in out.iter_mut() {
        *slot = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

impl ParsedTime {
    /// Reads `1700000000`, `14:05:09`, `2024-05-01 14:05:09`,
    /// `2024-05-01T14:05:09` or `01/05/2024 14:05:09` (day first, as in
    /// Brazil). Fractions of a second are ignored.
    pub fn parse(text: &str) -> Option<ParsedTime> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().ok().map(ParsedTime::Epoch);
        }
        let (date, clock) = match text.rsplit_once([' ', 'T']) {
            Some((date, clock)) => (Some(date.trim()), clock),
            None => (None, text),
        };
        let clock = clock.split('.').next()?;
        let [hour, minute, second] = numbers::<3>(clock, ':')?;
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let date = match date {
            None => None,
            Some(d) => Some(match (numbers::<3>(d, '-'), numbers::<3>(d, '/')) {
                (Some([y, m, d]), _) => (y, m as u8, d as u8),
                (_, Some([d, m, y])) => (y, m as u8, d as u8),
                _ => return None,
            }),
        };
        Some(ParsedTime::Clock { date, hour: hour as u8, minute: minute as u8, second: second as u8 })
    }
}

impl Event {
    /// Writes an event of `kind` (see [`EventBuilder`]).
    pub fn builder(kind: EventKind) -> EventBuilder {
        EventBuilder::new(kind)
    }

    /// Types a received packet. Never fails: what is not recognised is
    /// [`EventKind::OtherStatus`] or [`EventKind::Unknown`].
    pub fn from_packet(packet: Packet) -> Event {
        Event { typing: Typing::of(Headers::Packet(&packet)), packet }
    }

    /// An event typed where it lay, with its packet built.
    pub(crate) fn typed(typing: Typing, packet: Packet) -> Event {
        Event { typing, packet }
    }

    /// The event's fields, borrowed (every accessor below is its).
    pub fn view(&self) -> EventRef<'_> {
        EventRef::new(&self.typing, Headers::Packet(&self.packet))
    }

    /// What the event is.
    pub fn kind(&self) -> EventKind {
        self.typing.kind
    }

    /// The packet as received: every header, in order, original spelling.
    pub fn packet(&self) -> &Packet {
        &self.packet
    }

    /// A copy that owns its text (see [`Packet::unshared`]).
    pub fn unshared(&self) -> Event {
        Event { packet: self.packet.unshared(), ..self.clone() }
    }

    /// Gives the packet back.
    pub fn into_packet(self) -> Packet {
        self.packet
    }

    /// The first value of a header, matched without regard to case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.packet.get(key)
    }

    /// `Status:` as received.
    pub fn status(&self) -> Option<&str> {
        self.view().status()
    }

    /// The line the event is about, when it names a valid one.
    pub fn line(&self) -> Option<Line> {
        self.typing.line
    }

    /// `Number:`, the other party.
    pub fn number(&self) -> Option<&str> {
        self.view().number()
    }

    /// `User:`, the extension the event belongs to.
    pub fn user(&self) -> Option<&str> {
        self.view().user()
    }

    /// See [`EventRef::is_for`].
    pub fn is_for(&self, own_user: Option<&str>) -> bool {
        self.view().is_for(own_user)
    }

    /// See [`EventRef::is_login_response`].
    pub fn is_login_response(&self) -> bool {
        self.view().is_login_response()
    }

    /// `Agent:`, on agent events.
    pub fn agent(&self) -> Option<&str> {
        self.view().agent()
    }

    /// `Uniqueid:`, the PBX's call id on agent events.
    pub fn uniqueid(&self) -> Option<&str> {
        self.view().uniqueid()
    }

    /// `Message:`, DGPhone's text (on responses and errors).
    pub fn message(&self) -> Option<&str> {
        self.view().message()
    }

    /// `Queue:`, on queue events.
    pub fn queue(&self) -> Option<&str> {
        self.view().queue()
    }

    /// `Hold: 1|0` on a Hold event: true when the call is now on hold.
    pub fn hold(&self) -> Option<bool> {
        self.view().hold()
    }

    /// `Paused: 1|0` on AgentPaused.
    pub fn paused(&self) -> Option<bool> {
        self.view().paused()
    }

    /// The DTMF digit of a DTMFReceived event.
    pub fn digit(&self) -> Option<char> {
        self.view().digit()
    }

    /// On a response: true for `Response: Success`, false for anything else.
    pub fn is_success(&self) -> Option<bool> {
        self.view().is_success()
    }

    /// `Command:` echoed in a response.
    pub fn command(&self) -> Option<&str> {
        self.view().command()
    }

    /// See [`EventRef::time`].
    pub fn time(&self) -> Option<&str> {
        self.view().time()
    }

    /// [`Event::time`], parsed where recognisable.
    pub fn parsed_time(&self) -> Option<ParsedTime> {
        self.view().parsed_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(pairs: &[(&str, &str)]) -> Event {
        Event::from_packet(Packet::from_pairs(pairs))
    }

    #[test]
    fn every_known_status_is_typed() {
        for (name, kind) in STATUSES {
            let e = event(&[("Event", "DGPhoneEvent"), ("Status", &name.to_lowercase())]);
            assert_eq!(e.kind(), kind);
            assert_eq!(kind.status_name(), Some(name));
        }
        let other = event(&[("Event", "DGPhoneEvent"), ("Status", "Transfer"), ("X", "1")]);
        assert_eq!(other.kind(), EventKind::OtherStatus);
        assert_eq!(other.status(), Some("Transfer"));
        assert_eq!(event(&[("Event", "Foo")]).kind(), EventKind::Unknown);
        assert_eq!(event(&[("Response", "Success")]).kind(), EventKind::Unknown);
    }

    #[test]
    fn fields() {
        let e = event(&[("Event", "DGPhoneEvent"), ("Status", "Hold"), ("User", "201"), ("Line", "3"), ("Hold", "1")]);
        assert_eq!((e.line().map(Line::number), e.user(), e.hold()), (Some(3), Some("201"), Some(true)));
        let d = event(&[("Event", "DGPhoneEvent"), ("Status", "DTMFReceived"), ("Line", "9"), ("Digit", "b")]);
        assert_eq!((d.line(), d.digit()), (None, Some('B')));
        let r = event(&[
            ("Event", "DGPhoneResponse"),
            ("Response", "Error"),
            ("Command", "Login"),
            ("Message", "Invalid user"),
        ]);
        assert_eq!((r.is_success(), r.command(), r.message()), (Some(false), Some("Login"), Some("Invalid user")));
    }

    #[test]
    fn an_event_is_ours_unless_it_names_another_user() {
        let theirs = event(&[("Event", "DGPhoneEvent"), ("Status", "Ready"), ("User", "202")]);
        let ours = event(&[("Event", "DGPhoneEvent"), ("Status", "Ready"), ("User", "201")]);
        let nobodys = event(&[("Event", "DGPhoneEvent"), ("Status", "Ready")]);
        assert!(!theirs.is_for(Some("201")));
        assert!(ours.is_for(Some("201")) && event(&[("User", "ABC")]).is_for(Some("abc")));
        assert!(nobodys.is_for(Some("201")), "no User: ours");
        assert!(theirs.is_for(None), "before a login every event is ours");
    }

    #[test]
    fn the_login_response_is_told_by_its_command_or_by_having_none() {
        let response = |command: Option<&str>| {
            let mut pairs = vec![("Event", "DGPhoneResponse"), ("Response", "Success")];
            pairs.extend(command.map(|c| ("Command", c)));
            event(&pairs)
        };
        assert!(response(Some("Login")).is_login_response() && response(Some("login")).is_login_response());
        assert!(response(None).is_login_response());
        assert!(!response(Some("Status")).is_login_response());
        assert!(!event(&[("Event", "DGPhoneEvent"), ("Status", "Ready"), ("Command", "Login")]).is_login_response());
    }

    #[test]
    fn times() {
        assert_eq!(ParsedTime::parse("1700000000"), Some(ParsedTime::Epoch(1_700_000_000)));
        assert_eq!(
            ParsedTime::parse("14:05:09"),
            Some(ParsedTime::Clock { date: None, hour: 14, minute: 5, second: 9 })
        );
        let dated = Some(ParsedTime::Clock { date: Some((2024, 5, 1)), hour: 14, minute: 5, second: 9 });
        assert_eq!(ParsedTime::parse("2024-05-01 14:05:09.123"), dated);
        assert_eq!(ParsedTime::parse("01/05/2024 14:05:09"), dated);
        assert_eq!(ParsedTime::parse("2024-05-01T14:05:09"), dated);
        assert_eq!(ParsedTime::parse("soon"), None);
        let ts = event(&[("Event", "DGTimeStamp"), ("Timestamp", "12:00:00")]);
        assert_eq!((ts.kind(), ts.time()), (EventKind::TimeStamp, Some("12:00:00")));
    }
}
