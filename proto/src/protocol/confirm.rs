//! Which event confirms a command. Only Login has a documented response;
//! the others are confirmed by the events they cause (PROTOCOL.md).

use super::{Command, Event, EventKind, Line};

/// How an event bears on a command waiting for confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The event confirms the command.
    Confirmed,
    /// The event says the command failed (a failed login, an `Error` or
    /// `Busy` status on the command's line).
    Failed,
    /// The event is about something else.
    Unrelated,
}

/// What to look for to confirm one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    kind: EventKind,
    /// The line the confirming event must name; `None` accepts any.
    line: Option<Line>,
    /// For Hold with an explicit state, the state it must report.
    hold: Option<bool>,
    /// For AgentPause, the agent it must name.
    agent: Option<String>,
}

/// The confirmation of `command`, given the line DGPhone has selected
/// (commands without a `Line` act on it). `None` for commands that no single
/// event confirms (Status, logoff, SendDtmf, generic commands).
pub fn confirmation(command: &Command, selected: Option<Line>) -> Option<Confirmation> {
    let on = |kind| Confirmation { kind, line: command.line().or(selected), hold: None, agent: None };
    Some(match command {
        Command::Login { .. } => Confirmation { line: None, ..on(EventKind::Response) },
        Command::LineSelect(_) => on(EventKind::LineSelected),
        Command::Dial { .. } => on(EventKind::Dialing),
        Command::Answer(_) => on(EventKind::Answer),
        Command::Hangup(_) => on(EventKind::Hangup),
        Command::Hold(hold) => Confirmation { hold: *hold, ..on(EventKind::Hold) },
        Command::QueueStatus { .. } => Confirmation { line: None, ..on(EventKind::QueueStatusComplete) },
        Command::AgentPause { agent, .. } => {
            Confirmation { line: None, agent: Some(agent.clone()), ..on(EventKind::AgentPaused) }
        }
        Command::Logoff | Command::Status | Command::SendDtmf(_) | Command::Generic { .. } => return None,
    })
}

impl Confirmation {
    /// The kind of event that confirms.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// Judges one event. `own_user` is the logged-in extension: events for
    /// another user never confirm nor fail this session's command.
    pub fn judge(&self, event: &Event, own_user: Option<&str>) -> Verdict {
        // A response names the user it answers for, not always ours.
        if !event.is_for(own_user) && event.kind() != EventKind::Response {
            return Verdict::Unrelated;
        }
        let line_matches = match (self.line, event.line()) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        };
        if self.kind == EventKind::Response {
            let is_login = event.is_login_response();
            return match (event.kind(), event.is_success()) {
                (EventKind::Response, Some(true)) if is_login => Verdict::Confirmed,
                (EventKind::Response, Some(false)) if is_login => Verdict::Failed,
                // Seen in the field: a failed login may come as Status: Error.
                (EventKind::Error, _) => Verdict::Failed,
                _ => Verdict::Unrelated,
            };
        }
        match event.kind() {
            EventKind::Error | EventKind::Busy if line_matches => Verdict::Failed,
            kind if kind != self.kind || !line_matches => Verdict::Unrelated,
            _ if self.hold.is_some() && event.hold() != self.hold => Verdict::Unrelated,
            _ if self.agent.is_some() && event.agent() != self.agent.as_deref() => Verdict::Unrelated,
            _ => Verdict::Confirmed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Packet;

    fn status(status: &str, line: &str, user: &str) -> Event {
        Event::from_packet(Packet::from_pairs(&[
            ("Event", "DGPhoneEvent"),
            ("Status", status),
            ("Line", line),
            ("User", user),
        ]))
    }

    #[test]
    fn dial_is_confirmed_by_dialing_on_the_selected_line() {
        let l2 = Line::new(2).ok();
        let c = confirmation(&Command::Dial { number: "100".into(), line: None }, l2).unwrap();
        assert_eq!(c.judge(&status("Dialing", "2", "201"), Some("201")), Verdict::Confirmed);
        assert_eq!(c.judge(&status("Dialing", "3", "201"), Some("201")), Verdict::Unrelated);
        assert_eq!(c.judge(&status("Dialing", "2", "202"), Some("201")), Verdict::Unrelated);
        assert_eq!(c.judge(&status("Busy", "2", "201"), Some("201")), Verdict::Failed);
        assert_eq!(c.judge(&status("Answer", "2", "201"), Some("201")), Verdict::Unrelated);
    }

    #[test]
    fn login_response() {
        let c = confirmation(&Command::Login { user: "201".into(), remote_mode: true }, None).unwrap();
        let response = |r: &str| {
            Event::from_packet(Packet::from_pairs(&[
                ("Event", "DGPhoneResponse"),
                ("Response", r),
                ("Command", "Login"),
            ]))
        };
        assert_eq!(c.judge(&response("Success"), None), Verdict::Confirmed);
        assert_eq!(c.judge(&response("Error"), None), Verdict::Failed);
        assert_eq!(c.judge(&status("Error", "", "201"), None), Verdict::Failed);
        assert_eq!(c.judge(&status("Ready", "1", "201"), None), Verdict::Unrelated);
    }

    #[test]
    fn hold_with_explicit_state() {
        let c = confirmation(&Command::Hold(Some(true)), Line::new(1).ok()).unwrap();
        let mut off = Packet::from_pairs(&[("Event", "DGPhoneEvent"), ("Status", "Hold"), ("Line", "1")]);
        assert_eq!(c.judge(&Event::from_packet(off.clone().with("Hold", "1")), None), Verdict::Confirmed);
        off.push("Hold", "0");
        assert_eq!(c.judge(&Event::from_packet(off), None), Verdict::Unrelated);
        assert!(confirmation(&Command::Status, None).is_none());
    }
}
