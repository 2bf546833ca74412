//! The state layer: DGPhone's six lines and the agent, as the events tell
//! them. Pure; the client keeps one behind a mutex, so reading it never
//! waits on the network.

use crate::protocol::{Event, EventKind, Line};

/// A line's state, on the model of TAPI's call states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineState {
    /// Free (Ready), or nothing known yet.
    #[default]
    Idle,
    /// An incoming call is ringing (ReceivingCall).
    Offering,
    /// Dialling out (Dialing).
    Dialing,
    /// In a call (Answer, or Hold 0).
    Connected,
    /// The call is on hold (Hold 1).
    OnHold,
    /// The call ended (Hangup, Busy); Ready follows.
    Disconnected,
}

/// The agent's (call-centre attendant's) state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AgentState {
    /// No agent logged in (or nothing known).
    #[default]
    LoggedOut,
    /// Logged in and available for calls.
    Available,
    /// A call is being offered (AgentCalled).
    Offered,
    /// Talking (AgentConnect).
    InCall,
    /// Paused (AgentPaused with Paused 1).
    Paused,
}

/// One line: its state and the other party's number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInfo {
    pub state: LineState,
    /// The number dialled or calling, while the call lasts.
    pub number: Option<String>,
}

/// Everything known about this session's DGPhone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PhoneState {
    lines: [LineInfo; Line::COUNT],
    selected: Option<Line>,
    agent_state: AgentState,
    agent: Option<String>,
    uniqueid: Option<String>,
}

impl PhoneState {
    /// Nothing known: all lines idle, none selected, no agent.
    pub fn new() -> PhoneState {
        PhoneState::default()
    }

    /// One line.
    pub fn line(&self, line: Line) -> &LineInfo {
        &self.lines[line.index()]
    }

    /// All six lines, line 1 first.
    pub fn lines(&self) -> &[LineInfo; Line::COUNT] {
        &self.lines
    }

    /// The selected line, once DGPhone has reported one.
    pub fn selected(&self) -> Option<Line> {
        self.selected
    }

    /// The line a command given none should act on, when DGPhone's
    /// selected line would be the wrong one: the only line in a call
    /// (dialling, connected or on hold), when the selected line has none
    /// (or which one is selected is not known). Answering a call does not
    /// select its line, so without this, hold after answering line 2 would
    /// act on line 1.
    pub fn line_in_call(&self) -> Option<Line> {
        let in_call =
            |line: Line| matches!(self.line(line).state, LineState::Dialing | LineState::Connected | LineState::OnHold);
        if self.selected().map_or(false, in_call) {
            return None;
        }
        let mut calls = Line::all().filter(|&line| in_call(line));
        match (calls.next(), calls.next()) {
            (Some(line), None) => Some(line),
            _ => None,
        }
    }

    /// The line ringing with an incoming call, the lowest if several.
    pub fn ringing_line(&self) -> Option<Line> {
        Line::all().find(|&line| self.line(line).state == LineState::Offering)
    }

    pub fn agent_state(&self) -> AgentState {
        self.agent_state
    }

    /// The logged-in agent's code, from the last agent event.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// The PBX's id of the agent's current call (AgentCalled to
    /// AgentComplete).
    pub fn uniqueid(&self) -> Option<&str> {
        self.uniqueid.as_deref()
    }

    /// Applies one event. Events that name another user are ignored (one
    /// connection may carry other extensions' events); `own_user` `None`
    /// accepts every event. Returns true when something changed.
    pub fn apply(&mut self, event: &Event, own_user: Option<&str>) -> bool {
        if !event.is_for(own_user) {
            return false;
        }
        // Each branch tells whether it changed something, rather than
        // comparing with a clone of the whole state: this runs for every
        // event, and a clone copies every line's number.
        if event.kind().is_agent() {
            self.apply_agent(event)
        } else if let Some(line) = event.line() {
            self.apply_line(line, event)
        } else if event.kind() == EventKind::UserLogoff {
            let changed = *self != PhoneState::new();
            *self = PhoneState::new();
            changed
        } else {
            false
        }
    }

    fn apply_line(&mut self, line: Line, event: &Event) -> bool {
        let info = &mut self.lines[line.index()];
        let number = event.number().filter(|n| !n.is_empty());
        let mut changed = false;
        let state = match event.kind() {
            EventKind::LineSelected => {
                changed = self.selected != Some(line);
                self.selected = Some(line);
                return changed;
            }
            EventKind::Ready => {
                changed = info.number.take().is_some();
                LineState::Idle
            }
            EventKind::ReceivingCall => LineState::Offering,
            EventKind::Dialing => LineState::Dialing,
            EventKind::Answer => LineState::Connected,
            EventKind::Hold => match event.hold() {
                Some(true) => LineState::OnHold,
                Some(false) => LineState::Connected,
                None => return false,
            },
            EventKind::Hangup | EventKind::Busy => LineState::Disconnected,
            _ => return false,
        };
        changed |= info.state != state;
        info.state = state;
        if let Some(number) = number {
            if info.number.as_deref() != Some(number) {
                info.number = Some(number.to_string());
                changed = true;
            }
        }
        changed
    }

    /// Agent events are rare: comparing with a copy of the agent's part is
    /// cheap enough here.
    fn apply_agent(&mut self, event: &Event) -> bool {
        let before = (self.agent_state, self.agent.clone(), self.uniqueid.clone());
        if let Some(agent) = event.agent().filter(|a| !a.is_empty()) {
            self.agent = Some(agent.to_string());
        }
        if let Some(id) = event.uniqueid().filter(|id| !id.is_empty()) {
            self.uniqueid = Some(id.to_string());
        }
        self.agent_state = match event.kind() {
            EventKind::AgentLogin | EventKind::AgentNoAnswer => AgentState::Available,
            EventKind::AgentCalled => AgentState::Offered,
            EventKind::AgentConnect => AgentState::InCall,
            EventKind::AgentComplete => {
                self.uniqueid = None;
                AgentState::Available
            }
            EventKind::AgentPaused => match event.paused() {
                Some(false) => AgentState::Available,
                _ => AgentState::Paused,
            },
            EventKind::AgentLogoff => {
                self.agent = None;
                self.uniqueid = None;
                AgentState::LoggedOut
            }
            _ => self.agent_state,
        };
        before != (self.agent_state, self.agent.clone(), self.uniqueid.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Packet;

    fn ev(pairs: &[(&str, &str)]) -> Event {
        let mut p = Packet::new().with("Event", "DGPhoneEvent").with("User", "201");
        for (k, v) in pairs {
            p.push(k, v);
        }
        Event::from_packet(p)
    }

    fn l(n: u32) -> Line {
        Line::new(n).unwrap()
    }

    #[test]
    fn outgoing_call_with_hold() {
        let mut s = PhoneState::new();
        let steps: [(&[(&str, &str)], LineState); 6] = [
            (&[("Status", "Dialing"), ("Line", "2"), ("Number", "100")], LineState::Dialing),
            (&[("Status", "Answer"), ("Line", "2"), ("Number", "")], LineState::Connected),
            (&[("Status", "Hold"), ("Line", "2"), ("Hold", "1")], LineState::OnHold),
            (&[("Status", "Hold"), ("Line", "2"), ("Hold", "0")], LineState::Connected),
            (&[("Status", "Hangup"), ("Line", "2")], LineState::Disconnected),
            (&[("Status", "Ready"), ("Line", "2")], LineState::Idle),
        ];
        assert!(s.apply(&ev(&[("Status", "LineSelected"), ("Line", "2")]), Some("201")));
        assert_eq!(s.selected(), Some(l(2)));
        for (pairs, state) in steps {
            assert!(s.apply(&ev(pairs), Some("201")));
            assert_eq!(s.line(l(2)).state, state, "{pairs:?}");
            let expect_number = state != LineState::Idle;
            assert_eq!(s.line(l(2)).number.is_some(), expect_number, "{pairs:?}");
        }
        assert_eq!(s.line(l(1)), &LineInfo::default());
    }

    #[test]
    fn other_users_events_do_not_change_state() {
        let mut s = PhoneState::new();
        let mut p = Packet::new().with("Event", "DGPhoneEvent").with("User", "999");
        p.push("Status", "ReceivingCall");
        p.push("Line", "1");
        assert!(!s.apply(&Event::from_packet(p), Some("201")));
        assert_eq!(s, PhoneState::new());
    }

    #[test]
    fn agent_cycle() {
        let mut s = PhoneState::new();
        s.apply(&ev(&[("Status", "AgentLogin"), ("Agent", "7001")]), Some("201"));
        assert_eq!((s.agent_state(), s.agent()), (AgentState::Available, Some("7001")));
        s.apply(&ev(&[("Status", "AgentCalled"), ("Agent", "7001"), ("Uniqueid", "1700.1")]), Some("201"));
        assert_eq!((s.agent_state(), s.uniqueid()), (AgentState::Offered, Some("1700.1")));
        s.apply(&ev(&[("Status", "AgentConnect"), ("Agent", "7001"), ("Uniqueid", "1700.1")]), Some("201"));
        assert_eq!(s.agent_state(), AgentState::InCall);
        s.apply(&ev(&[("Status", "AgentComplete"), ("Agent", "7001"), ("Uniqueid", "1700.1")]), Some("201"));
        assert_eq!((s.agent_state(), s.uniqueid()), (AgentState::Available, None));
        s.apply(&ev(&[("Status", "AgentPaused"), ("Agent", "7001"), ("Paused", "1")]), Some("201"));
        assert_eq!(s.agent_state(), AgentState::Paused);
        s.apply(&ev(&[("Status", "AgentLogoff"), ("Agent", "7001")]), Some("201"));
        assert_eq!((s.agent_state(), s.agent()), (AgentState::LoggedOut, None));
    }
}
