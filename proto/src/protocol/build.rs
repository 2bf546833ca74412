//! Writing events, as DGPhone does: the head of each packet (`Event:`,
//! `Status:`, `User:`, `Line:`) in DGPhone's order, then its fields, every
//! name from [`names`](super::names). The simulator writes with this; the
//! client reads the same words through [`Event`](super::Event).

use super::names::{self, command, header};
use super::validate::Line;
use super::EventKind;
use crate::wire::Packet;

/// Builds one event packet: `Event::builder(EventKind::Dialing)
/// .user(Some("201")).line(line).number("100").build()`.
///
/// A field setter appends one header, so fields come out in the order
/// they were set. Nothing is validated: the writer is trusted (it is
/// DGPhone, or a simulator playing it, which may send anything on purpose).
#[derive(Clone, Debug)]
#[must_use]
pub struct EventBuilder {
    packet: Packet,
}

fn flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

impl EventBuilder {
    /// A packet of `kind`: a DGPhoneEvent with its Status, a DGPhoneResponse
    /// or a DGTimeStamp. The catch-alls ([`EventKind::OtherStatus`],
    /// [`EventKind::Unknown`]) have no name: they give a DGPhoneEvent with
    /// no Status (see [`EventBuilder::with_status`]).
    pub fn new(kind: EventKind) -> EventBuilder {
        let event = match kind {
            EventKind::Response => names::DGPHONE_RESPONSE,
            EventKind::TimeStamp => names::DGTIMESTAMP,
            _ => names::DGPHONE_EVENT,
        };
        let builder = EventBuilder { packet: Packet::new().with(header::EVENT, event) };
        match kind.status_name() {
            Some(status) => builder.header(header::STATUS, status),
            None => builder,
        }
    }

    /// A DGPhoneEvent with any Status text (a new one, a scenario's own).
    pub fn with_status(status: &str) -> EventBuilder {
        EventBuilder::new(EventKind::OtherStatus).header(header::STATUS, status)
    }

    /// The response to Login: `Response: Success|Error`, `Command: Login`.
    pub fn login_response(success: bool) -> EventBuilder {
        let response = if success { names::SUCCESS } else { names::ERROR };
        EventBuilder::new(EventKind::Response)
            .header(header::RESPONSE, response)
            .header(header::COMMAND, command::LOGIN)
    }

    /// Any header, after those set so far.
    pub fn header(mut self, key: &str, value: &str) -> EventBuilder {
        self.packet.push(key, value);
        self
    }

    /// Every `(key, value)`, in order.
    pub fn headers<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> EventBuilder {
        for (key, value) in pairs {
            self.packet.push(key.as_ref(), value.as_ref());
        }
        self
    }

    fn maybe(self, key: &str, value: Option<&str>) -> EventBuilder {
        match value {
            Some(value) => self.header(key, value),
            None => self,
        }
    }

    /// `User:`, when there is one.
    pub fn user<'a>(self, user: impl Into<Option<&'a str>>) -> EventBuilder {
        self.maybe(header::USER, user.into())
    }

    /// `Line:`, when the event is about one.
    pub fn line(self, line: impl Into<Option<Line>>) -> EventBuilder {
        match line.into() {
            Some(line) => self.header(header::LINE, &line.to_string()),
            None => self,
        }
    }

    pub fn number(self, number: &str) -> EventBuilder {
        self.header(header::NUMBER, number)
    }

    pub fn message(self, message: &str) -> EventBuilder {
        self.header(header::MESSAGE, message)
    }

    pub fn agent(self, agent: &str) -> EventBuilder {
        self.header(header::AGENT, agent)
    }

    /// `Uniqueid:`, when there is one.
    pub fn uniqueid<'a>(self, uniqueid: impl Into<Option<&'a str>>) -> EventBuilder {
        self.maybe(header::UNIQUEID, uniqueid.into())
    }

    pub fn queue(self, queue: &str) -> EventBuilder {
        self.header(header::QUEUE, queue)
    }

    pub fn wait(self, wait: &str) -> EventBuilder {
        self.header(header::WAIT, wait)
    }

    /// `Hold: 1|0`.
    pub fn hold(self, on_hold: bool) -> EventBuilder {
        self.header(header::HOLD, flag(on_hold))
    }

    /// `Paused: 1|0`.
    pub fn paused(self, paused: bool) -> EventBuilder {
        self.header(header::PAUSED, flag(paused))
    }

    /// `Reason:`, when there is one.
    pub fn reason<'a>(self, reason: impl Into<Option<&'a str>>) -> EventBuilder {
        self.maybe(header::REASON, reason.into())
    }

    /// `Digit:` of a DTMFReceived.
    pub fn digit(self, digit: char) -> EventBuilder {
        self.header(header::DIGIT, digit.encode_utf8(&mut [0; 4]))
    }

    /// `Time:` of a DGTimeStamp (local time text).
    pub fn time(self, time: &str) -> EventBuilder {
        self.header(header::TIME, time)
    }

    /// `Timestamp:` (the field-seen form: seconds since 1970).
    pub fn timestamp(self, timestamp: &str) -> EventBuilder {
        self.header(header::TIMESTAMP, timestamp)
    }

    /// The packet.
    pub fn build(self) -> Packet {
        self.packet
    }
}

impl From<EventBuilder> for Packet {
    fn from(builder: EventBuilder) -> Packet {
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Event;

    fn text(packet: &Packet) -> String {
        String::from_utf8(packet.encode()).unwrap().replace("\r\n", "|")
    }

    #[test]
    fn status_events_in_dgphones_order() {
        let line = Line::new(2).unwrap();
        let dialing = EventBuilder::new(EventKind::Dialing).user("201").line(line).number("100").build();
        assert_eq!(text(&dialing), "Event: DGPhoneEvent|Status: Dialing|User: 201|Line: 2|Number: 100||");
        let hold = EventBuilder::new(EventKind::Hold).user(None).line(line).hold(true).build();
        assert_eq!(text(&hold), "Event: DGPhoneEvent|Status: Hold|Line: 2|Hold: 1||");
        let own = EventBuilder::with_status("Transfer").user("201").message("x").build();
        assert_eq!(text(&own), "Event: DGPhoneEvent|Status: Transfer|User: 201|Message: x||");
    }

    #[test]
    fn every_kind_reads_back_as_itself() {
        for kind in EventKind::ALL {
            let event = Event::from_packet(EventBuilder::new(kind).build());
            let expected = match kind {
                EventKind::Unknown => EventKind::OtherStatus,
                kind => kind,
            };
            assert_eq!(event.kind(), expected, "{kind:?}");
            assert_eq!(kind.wire_name().is_some(), !matches!(kind, EventKind::OtherStatus | EventKind::Unknown));
        }
    }

    #[test]
    fn login_response_and_timestamp() {
        let ok = EventBuilder::login_response(true).user("201").message("Login OK").build();
        assert_eq!(text(&ok), "Event: DGPhoneResponse|Response: Success|Command: Login|User: 201|Message: Login OK||");
        let event = Event::from_packet(ok);
        assert_eq!((event.kind(), event.is_success(), event.user()), (EventKind::Response, Some(true), Some("201")));
        let refused = Event::from_packet(EventBuilder::login_response(false).build());
        assert_eq!(refused.is_success(), Some(false));
        let stamp = EventBuilder::new(EventKind::TimeStamp).time("12:00:00").timestamp("1700000000").build();
        assert_eq!(text(&stamp), "Event: DGTimeStamp|Time: 12:00:00|Timestamp: 1700000000||");
    }
}
