//! Events and line states as text for people: one line per event, a
//! one-line summary of the six lines, and a table.

use std::fmt::Write as _;
use std::time::SystemTime;

pub use dgphone_bridge::json::{state_name, unix_ms};

use dgphone::protocol::names::header;
use dgphone::wire::Packet;
use dgphone::{ClientEvent, Event, EventKind, Line, PhoneState};

/// A header value, quoted when it holds blanks so that `Key=Value` pairs
/// stay readable.
fn value(text: &str) -> String {
    if text.is_empty() || text.contains(char::is_whitespace) {
        format!("{text:?}")
    } else {
        text.to_string()
    }
}

/// What an event is called: its status as DGPhone wrote it (so a status
/// unknown to the library still reads right), else its packet type.
pub fn event_name(event: &Event) -> String {
    match event.kind() {
        // A response is shown by the header that says how it went.
        EventKind::Response => header::RESPONSE.into(),
        EventKind::TimeStamp => EventKind::TimeStamp.wire_name().unwrap_or_default().into(),
        EventKind::Unknown => event.get(header::EVENT).unwrap_or("(no Event header)").to_string(),
        _ => event.status().unwrap_or("(no Status)").to_string(),
    }
}

/// `Key=Value` for every header but those the name already says. DTMF
/// digits *sent* are hidden (they may be an agent's password); digits
/// received from the far end are shown.
pub fn headers(packet: &Packet) -> String {
    let mut out = String::new();
    for (key, text) in packet.iter() {
        if key.eq_ignore_ascii_case(header::EVENT) || key.eq_ignore_ascii_case(header::STATUS) {
            continue;
        }
        let shown = if key.eq_ignore_ascii_case(header::DIGITS) { "***".to_string() } else { value(text) };
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{key}={shown}");
    }
    out
}

/// One event on one line.
pub fn event_line(event: &ClientEvent) -> String {
    match event {
        ClientEvent::Phone(e) => format!("{:<14} {}", event_name(e), headers(e.packet())),
        ClientEvent::Connected { addr } => format!("connected to {addr}"),
        ClientEvent::Greeting(text) => format!("greeting: {text}"),
        ClientEvent::LoggedIn { user } => format!("logged in as {user}"),
        ClientEvent::ProtocolError(error) => format!("protocol error: {error}"),
        ClientEvent::Disconnected { reason } => format!("disconnected: {reason}"),
        ClientEvent::Reconnecting { attempt, delay } => {
            format!("reconnecting in {} (attempt {attempt})", crate::failure::human(*delay))
        }
        ClientEvent::Overflow { dropped } => format!("{dropped} events lost (the queue was full)"),
        ClientEvent::ReconnectFailed { attempts } => format!("gave up reconnecting after {attempts} attempts"),
        other => format!("{other:?}"),
    }
}

/// The six lines on one line: `1:idle 2*:connected(1002) ...`; `*` marks
/// the selected line.
pub fn lines_row(state: &PhoneState) -> String {
    let cells: Vec<String> = Line::all()
        .map(|line| {
            let info = state.line(line);
            let mark = if state.selected() == Some(line) { "*" } else { "" };
            let name = state_name(info.state).replace(' ', "-");
            match &info.number {
                Some(number) => format!("{line}{mark}:{name}({number})"),
                None => format!("{line}{mark}:{name}"),
            }
        })
        .collect();
    format!("lines {}", cells.join(" "))
}

/// The six lines as a table, and the agent when one is logged in.
pub fn lines_table(state: &PhoneState) -> String {
    let mut out = String::from("line  state         number\n");
    for line in Line::all() {
        let info = state.line(line);
        let mark = if state.selected() == Some(line) { "*" } else { " " };
        let number = info.number.as_deref().unwrap_or("");
        let row = format!("{line}{mark}    {:<13} {number}", state_name(info.state));
        let _ = writeln!(out, "{}", row.trim_end());
    }
    if let Some(agent) = state.agent() {
        let _ = writeln!(out, "agent {agent}: {:?}", state.agent_state());
    }
    out.pop();
    out
}

/// The time of day in UTC, `14:05:09.123Z`: unambiguous in a log read
/// from another time zone, and needs no time-zone database.
pub fn utc_clock(at: SystemTime) -> String {
    let ms = unix_ms(at);
    let secs = ms / 1000;
    format!("{:02}:{:02}:{:02}.{:03}Z", secs / 3600 % 24, secs / 60 % 60, secs % 60, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn event(pairs: &[(&str, &str)]) -> Event {
        Event::from_packet(Packet::from_pairs(pairs))
    }

    #[test]
    fn events_read_as_status_then_headers() {
        let ringing = event(&[
            ("Event", "DGPhoneEvent"),
            ("Status", "ReceivingCall"),
            ("User", "201"),
            ("Line", "3"),
            ("Number", "5511"),
        ]);
        assert_eq!(event_line(&ClientEvent::Phone(ringing)), "ReceivingCall  User=201 Line=3 Number=5511");
        let error = event(&[("Event", "DGPhoneEvent"), ("Status", "Transfer"), ("Message", "no such line")]);
        assert_eq!(event_name(&error), "Transfer");
        assert_eq!(headers(error.packet()), "Message=\"no such line\"");
        let dtmf = Packet::from_pairs(&[("Command", "SendDtmf"), ("Digits", "1234#")]);
        assert_eq!(headers(&dtmf), "Command=SendDtmf Digits=***");
    }

    #[test]
    fn line_states_as_a_row_and_a_table() {
        let mut state = PhoneState::new();
        state.apply(&event(&[("Event", "DGPhoneEvent"), ("Status", "LineSelected"), ("Line", "2")]), None);
        let dialing = [("Event", "DGPhoneEvent"), ("Status", "Hold"), ("Line", "2"), ("Hold", "1"), ("Number", "1002")];
        state.apply(&event(&dialing), None);
        assert_eq!(lines_row(&state), "lines 1:idle 2*:on-hold(1002) 3:idle 4:idle 5:idle 6:idle");
        let table = lines_table(&state);
        assert_eq!(table.lines().count(), 7);
        assert_eq!(table.lines().nth(2), Some("2*    on hold       1002"));
    }

    #[test]
    fn clock_is_utc() {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(utc_clock(at), "22:13:20.123Z");
    }
}
