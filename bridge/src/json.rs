//! Events and line states as JSON, for scripts and browsers: `dgphone
//! monitor --json` writes one object per line, `dgphone status --json` one
//! object, and the bridge's event socket sends the same objects. One
//! encoder for all three, here (the command depends on this crate).
//!
//! Every object has `type` and `time_ms` (when the CLI received it, in
//! milliseconds since 1970) and the line states after it (`lines`,
//! `selected`, `agent`). DGPhone events (`"type": "event"`) also have
//! `kind` (the library's name), `status`, `line`, `number`, `user` (each
//! null when absent) and `headers`: every header as a `[key, value]` pair,
//! in order, as received.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use dgphone::{ClientEvent, Line, LineState, PhoneState};

/// A line state in the library's words (TAPI's call states).
pub fn state_name(state: LineState) -> &'static str {
    match state {
        LineState::Idle => "idle",
        LineState::Offering => "offering",
        LineState::Dialing => "dialing",
        LineState::Connected => "connected",
        LineState::OnHold => "on hold",
        LineState::Disconnected => "disconnected",
    }
}

/// Milliseconds since 1970, for JSON.
pub fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The six lines, the selected line and the agent.
pub fn state(state: &PhoneState) -> Value {
    let lines: Vec<Value> = Line::all()
        .map(|line| {
            let info = state.line(line);
            json!({
                "line": line.number(),
                "state": state_name(info.state).replace(' ', "_"),
                "number": info.number,
            })
        })
        .collect();
    json!({
        "lines": lines,
        "selected": state.selected().map(Line::number),
        "agent": {
            "state": format!("{:?}", state.agent_state()),
            "agent": state.agent(),
            "uniqueid": state.uniqueid(),
        },
    })
}

/// One item of the event stream, with the line states after it.
pub fn event(event: &ClientEvent, phone: &PhoneState, at: SystemTime) -> Value {
    let mut object = Map::new();
    let mut put = |key: &str, value: Value| {
        object.insert(key.to_string(), value);
    };
    match event {
        ClientEvent::Phone(e) => {
            put("type", "event".into());
            put("kind", format!("{:?}", e.kind()).into());
            put("status", e.status().into());
            put("line", e.line().map(Line::number).into());
            put("number", e.number().into());
            put("user", e.user().into());
            let headers: Vec<Value> = e.packet().iter().map(|(k, v)| json!([k, v])).collect();
            put("headers", headers.into());
        }
        ClientEvent::Connected { addr } => {
            put("type", "connected".into());
            put("addr", addr.to_string().into());
        }
        ClientEvent::Greeting(text) => {
            put("type", "greeting".into());
            put("text", text.as_str().into());
        }
        ClientEvent::LoggedIn { user } => {
            put("type", "logged_in".into());
            put("user", user.as_str().into());
        }
        ClientEvent::ProtocolError(error) => {
            put("type", "protocol_error".into());
            put("error", error.to_string().into());
        }
        ClientEvent::Disconnected { reason } => {
            put("type", "disconnected".into());
            put("reason", reason.to_string().into());
        }
        ClientEvent::Reconnecting { attempt, delay } => {
            put("type", "reconnecting".into());
            put("attempt", (*attempt).into());
            put("delay_ms", (delay.as_millis() as u64).into());
        }
        ClientEvent::Overflow { dropped } => {
            put("type", "overflow".into());
            put("dropped", (*dropped).into());
        }
        ClientEvent::ReconnectFailed { attempts } => {
            put("type", "reconnect_failed".into());
            put("attempts", (*attempts).into());
        }
        other => {
            put("type", "other".into());
            put("debug", format!("{other:?}").into());
        }
    }
    put("time_ms", unix_ms(at).into());
    if let Value::Object(lines) = state(phone) {
        object.extend(lines);
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dgphone::wire::Packet;
    use dgphone::Event;

    #[test]
    fn a_phone_event_with_raw_headers_and_lines() {
        let packet = Packet::from_pairs(&[
            ("Event", "DGPhoneEvent"),
            ("Status", "ReceivingCall"),
            ("User", "201"),
            ("Line", "2"),
            ("Number", "5511"),
        ]);
        let e = Event::from_packet(packet);
        let mut phone = PhoneState::new();
        phone.apply(&e, Some("201"));
        let value = event(&ClientEvent::Phone(e), &phone, SystemTime::UNIX_EPOCH);
        assert_eq!(value["type"], "event");
        assert_eq!(value["kind"], "ReceivingCall");
        assert_eq!((value["line"].as_u64(), value["number"].as_str()), (Some(2), Some("5511")));
        assert_eq!(value["headers"][3], json!(["Line", "2"]));
        assert_eq!(value["lines"][1], json!({"line": 2, "state": "offering", "number": "5511"}));
        assert_eq!(value["selected"], Value::Null);
    }

    #[test]
    fn lifecycle_items_carry_their_detail() {
        let value = event(&ClientEvent::LoggedIn { user: "201".into() }, &PhoneState::new(), SystemTime::UNIX_EPOCH);
        assert_eq!((value["type"].as_str(), value["user"].as_str()), (Some("logged_in"), Some("201")));
        assert_eq!(value["lines"].as_array().map(Vec::len), Some(6));
    }
}
