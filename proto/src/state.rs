//! The state layer: DGPhone's six lines and the agent, as the events tell
//! them. Pure; the client keeps one behind a mutex, so reading it never
//! waits on the network.

use crate::protocol::{EventKind, EventRef, Line};

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
    pub fn apply<'a>(&mut self, event: impl Into<EventRef<'a>>, own_user: Option<&str>) -> bool {
        let event = event.into();
        let change = self.change(event, own_user);
        self.commit(change, event);
        change != Change::None
    }

    /// What `event` would change here, judged against this state: nothing
    /// ([`Change::None`]) when it would change nothing. Another copy of
    /// the state that has followed the same events so far is brought along
    /// by [`PhoneState::commit`] with the same change, which reads of the
    /// event only the text it stores (a new number, agent or call id):
    /// the client judges each event once, for its live state, and the
    /// callback thread's copy follows without judging it again.
    pub fn change<'a>(&self, event: impl Into<EventRef<'a>>, own_user: Option<&str>) -> Change {
        let event = event.into();
        if !event.is_for(own_user) {
            return Change::None;
        }
        if event.kind().is_agent() {
            self.agent_change(event)
        } else if let Some(line) = event.line() {
            self.line_change(line, event)
        } else if event.kind() == EventKind::UserLogoff && *self != PhoneState::new() {
            Change::Reset
        } else {
            Change::None
        }
    }

    /// Makes `change` (judged by [`PhoneState::change`] for `event`).
    pub fn commit<'a>(&mut self, change: Change, event: impl Into<EventRef<'a>>) {
        let event = event.into();
        match change {
            Change::None => {}
            Change::Select(line) => self.selected = Some(line),
            Change::Line { line, state, number } => {
                let info = &mut self.lines[line.index()];
                info.state = state;
                number.commit(&mut info.number, event.number());
            }
            Change::Agent { state, agent, uniqueid } => {
                self.agent_state = state;
                agent.commit(&mut self.agent, event.agent());
                uniqueid.commit(&mut self.uniqueid, event.uniqueid());
            }
            Change::Reset => *self = PhoneState::new(),
        }
    }

    fn line_change(&self, line: Line, event: EventRef<'_>) -> Change {
        let info = &self.lines[line.index()];
        let state = match event.kind() {
            EventKind::LineSelected if self.selected == Some(line) => return Change::None,
            EventKind::LineSelected => return Change::Select(line),
            EventKind::Ready => LineState::Idle,
            EventKind::ReceivingCall => LineState::Offering,
            EventKind::Dialing => LineState::Dialing,
            EventKind::Answer => LineState::Connected,
            EventKind::Hold => match event.hold() {
                Some(true) => LineState::OnHold,
                Some(false) => LineState::Connected,
                None => return Change::None,
            },
            EventKind::Hangup | EventKind::Busy => LineState::Disconnected,
            _ => return Change::None,
        };
        // A call's number stays until Ready ends the call; an empty one
        // tells nothing.
        let clears = event.kind() == EventKind::Ready;
        let number = Field::judge(info.number.as_deref(), event.number(), clears);
        if info.state == state && number == Field::Keep {
            return Change::None;
        }
        Change::Line { line, state, number }
    }

    /// Agent events are rare; their fields are judged like a line's.
    fn agent_change(&self, event: EventRef<'_>) -> Change {
        let kind = event.kind();
        let state = match kind {
            EventKind::AgentLogin | EventKind::AgentNoAnswer => AgentState::Available,
            EventKind::AgentCalled => AgentState::Offered,
            EventKind::AgentConnect => AgentState::InCall,
            EventKind::AgentComplete => AgentState::Available,
            EventKind::AgentPaused => match event.paused() {
                Some(false) => AgentState::Available,
                _ => AgentState::Paused,
            },
            EventKind::AgentLogoff => AgentState::LoggedOut,
            _ => self.agent_state,
        };
        // Logoff ends the agent and its call, Complete the call, whatever
        // the event names.
        let logoff = kind == EventKind::AgentLogoff;
        let agent = match logoff {
            true => Field::clear(self.agent.as_deref()),
            false => Field::judge(self.agent.as_deref(), event.agent(), false),
        };
        let uniqueid = match logoff || kind == EventKind::AgentComplete {
            true => Field::clear(self.uniqueid.as_deref()),
            false => Field::judge(self.uniqueid.as_deref(), event.uniqueid(), false),
        };
        if state == self.agent_state && agent == Field::Keep && uniqueid == Field::Keep {
            return Change::None;
        }
        Change::Agent { state, agent, uniqueid }
    }
}

/// What one event changes in a [`PhoneState`] (see [`PhoneState::change`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Change {
    /// Nothing.
    #[default]
    None,
    /// DGPhone selected this line.
    Select(Line),
    /// A line's new state, and what becomes of its number.
    Line { line: Line, state: LineState, number: Field },
    /// The agent's new state, code and call id.
    Agent { state: AgentState, agent: Field, uniqueid: Field },
    /// The user logged off: nothing known any more.
    Reset,
}

/// What becomes of one text of the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// It stays as it is.
    Keep,
    /// It is cleared.
    Clear,
    /// It becomes the event's (Number, Agent or Uniqueid).
    FromEvent,
}

impl Field {
    /// A non-empty text of the event replaces a different one; without
    /// one, `clears` clears it.
    fn judge(current: Option<&str>, from_event: Option<&str>, clears: bool) -> Field {
        match from_event.filter(|text| !text.is_empty()) {
            Some(text) if current == Some(text) => Field::Keep,
            Some(_) => Field::FromEvent,
            None if clears => Field::clear(current),
            None => Field::Keep,
        }
    }

    fn clear(current: Option<&str>) -> Field {
        match current {
            Some(_) => Field::Clear,
            None => Field::Keep,
        }
    }

    fn commit(self, slot: &mut Option<String>, from_event: Option<&str>) {
        match self {
            Field::Keep => {}
            Field::Clear => *slot = None,
            Field::FromEvent => *slot = from_event.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Event;
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

    #[test]
    fn a_copy_that_commits_the_live_states_changes_stays_equal_to_it() {
        let events: Vec<Event> = [
            &[("Status", "LineSelected"), ("Line", "2")][..],
            &[("Status", "LineSelected"), ("Line", "2")],
            &[("Status", "Dialing"), ("Line", "2"), ("Number", "100")],
            &[("Status", "Answer"), ("Line", "2"), ("Number", "100")],
            &[("Status", "Answer"), ("Line", "2"), ("Number", "")],
            &[("Status", "Hold"), ("Line", "2"), ("Hold", "1")],
            &[("Status", "Hold"), ("Line", "2")],
            &[("Status", "Ready"), ("Line", "2"), ("Number", "200")],
            &[("Status", "Ready"), ("Line", "2")],
            &[("Status", "ReceivingCall"), ("Line", "3"), ("Number", "300")],
            &[("Status", "Hangup"), ("Line", "3")],
            &[("Status", "AgentLogin"), ("Agent", "7001")],
            &[("Status", "AgentCalled"), ("Agent", "7001"), ("Uniqueid", "1700.1")],
            &[("Status", "AgentComplete"), ("Agent", "7001"), ("Uniqueid", "1700.1")],
            &[("Status", "AgentPaused"), ("Paused", "0")],
            &[("Status", "AgentLogoff"), ("Agent", "7001")],
            &[("Status", "UserLogoff")],
            &[("Status", "UserLogoff")],
        ]
        .iter()
        .map(|pairs| ev(pairs))
        .collect();
        let (mut live, mut copy) = (PhoneState::new(), PhoneState::new());
        for event in &events {
            let change = live.change(event, Some("201"));
            let changed = live.apply(event, Some("201"));
            assert_eq!(changed, change != Change::None, "{event:?}");
            copy.commit(change, event);
            assert_eq!(copy, live, "{event:?}");
        }
        // What each rule left, as apply always did: Ready clears a number
        // it does not bring; Complete and Logoff clear what they name.
        let mut s = PhoneState::new();
        s.apply(&events[2], None);
        s.apply(&events[7], None);
        assert_eq!(s.line(l(2)).number.as_deref(), Some("200"));
        s.apply(&events[12], None);
        s.apply(&events[13], None);
        assert_eq!((s.agent_state(), s.uniqueid()), (AgentState::Available, None));
    }
}
