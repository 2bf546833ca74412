//! The call-flow logic of one client's DGPhone: its login, its six lines
//! and its selected line. A pure state machine from a received command (or
//! an injected far-end happening) to the packets to send back; no sockets,
//! no threads, so every flow is unit-tested here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::clock;
use super::config::{IdleHangup, LoginPolicy, LoginRefusal, SimConfig};
use crate::protocol::names::{self, header};
use crate::protocol::validate::is_dtmf;
use crate::protocol::{Command, CommandError, EventBuilder, EventKind, Line};
use crate::wire::Packet;

/// What one line is doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum CallState {
    #[default]
    Idle,
    /// An incoming call rings (ReceivingCall).
    Ringing,
    /// Dialling out, the far end has not answered yet.
    Dialing,
    Connected,
    Held,
}

impl CallState {
    /// True while audio flows, so DTMF can travel (DGPhone sends DTMF while
    /// dialling, which the agent login relies on).
    fn carries_dtmf(self) -> bool {
        matches!(self, CallState::Dialing | CallState::Connected)
    }
}

#[derive(Clone, Debug, Default)]
struct LineSlot {
    state: CallState,
    /// The other party, while a call lasts.
    number: String,
    /// When the far end answers this Dialing call (an answer delay).
    answer_at: Option<Instant>,
}

/// The agent login in progress after the feature code was dialled: the
/// first `#`-terminated DTMF string is the agent code, the second the
/// password. Digits may come in any number of SendDtmf commands.
#[derive(Clone, Debug)]
struct AgentLogin {
    line: Line,
    code: Option<String>,
    typed: String,
}

/// What to do after a command.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    /// Sent in order, one write each.
    pub packets: Vec<Packet>,
    /// Close the connection after sending (logoff).
    pub close: bool,
}

impl Reply {
    fn send(packets: Vec<Packet>) -> Reply {
        Reply { packets, close: false }
    }
}

/// Why a command was refused: DGPhone answers `Status: Error` with this.
#[derive(Debug)]
struct Refusal {
    line: Option<Line>,
    message: String,
}

fn refuse<T>(line: Option<Line>, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { line, message: message.into() })
}

/// One client's simulated DGPhone.
#[derive(Debug)]
pub(crate) struct Phone {
    config: Arc<SimConfig>,
    /// The logged-in extension.
    user: Option<String>,
    lines: [LineSlot; Line::COUNT],
    selected: Line,
    agent_login: Option<AgentLogin>,
    /// The agent logged in through this phone (by the feature code, or as
    /// a scenario said), for agent events that name none.
    agent: Option<String>,
    /// Starts as the config says; a scenario may change it for this phone.
    auto_answer: bool,
    /// How long the far end rings before answering; as `auto_answer`.
    answer_delay: Duration,
    /// How a refused login is told; as `auto_answer`.
    login_refusal: LoginRefusal,
    /// What a Hangup on an idle line gets; as `auto_answer`.
    idle_hangup: IdleHangup,
    /// The agent's shift: the line of the feature-code call, which stays
    /// up after AgentLogin; hanging it up logs the agent off.
    shift: Option<Shift>,
}

/// An agent's shift on the feature-code call's line.
#[derive(Clone, Debug)]
struct Shift {
    line: Line,
    /// The Uniqueid of the queue call offered (AgentCalled) and not yet taken.
    offered: Option<String>,
    /// The Uniqueid of the queue call taken (DTMF `#`) and not yet ended (`*`).
    taken: Option<String>,
}

impl Phone {
    pub(crate) fn new(config: Arc<SimConfig>) -> Phone {
        Phone {
            auto_answer: config.auto_answer,
            answer_delay: config.answer_delay,
            login_refusal: config.login_refusal,
            idle_hangup: config.idle_hangup,
            config,
            user: None,
            lines: Default::default(),
            selected: Line::new(1).expect("line 1 exists"),
            agent_login: None,
            agent: None,
            shift: None,
        }
    }

    pub(crate) fn is_logged_in(&self) -> bool {
        self.user.is_some()
    }

    /// The logged-in extension.
    pub(crate) fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    #[cfg(test)]
    fn state(&self, line: Line) -> CallState {
        self.slot(line).state
    }

    fn slot(&self, line: Line) -> &LineSlot {
        &self.lines[line.index()]
    }

    fn set(&mut self, line: Line, state: CallState) {
        self.lines[line.index()].state = state;
    }

    /// A DGPhoneEvent's fixed head: Event, Status, User, then Line where it
    /// applies. Extras go after.
    fn event(&self, kind: EventKind, line: Option<Line>) -> EventBuilder {
        EventBuilder::new(kind).user(self.user.as_deref()).line(line)
    }

    /// An event about a call: its line and the other party's number.
    fn call_event(&self, kind: EventKind, line: Line) -> Packet {
        self.event(kind, Some(line)).number(&self.slot(line).number).build()
    }

    /// A refusal. Its Message is colon-free, as every DGPhone message seen
    /// in the field is (field parsers split on every `:`): the simulator's
    /// own words have none, and a colon in a value it echoes (an unknown
    /// command's name, a bad line) becomes a blank.
    fn error(&self, refusal: &Refusal) -> Packet {
        self.event(EventKind::Error, refusal.line).message(&refusal.message.replace(':', " ")).build()
    }

    /// Handles one packet received from the client.
    pub(crate) fn handle(&mut self, packet: &Packet) -> Reply {
        match self.dispatch(packet) {
            Ok(reply) => reply,
            Err(refusal) => Reply::send(vec![self.error(&refusal)]),
        }
    }

    fn dispatch(&mut self, packet: &Packet) -> Result<Reply, Refusal> {
        let command = match Command::from_packet(packet) {
            Ok(command) => command,
            Err(e @ (CommandError::MissingAction | CommandError::UnknownAction(_))) => {
                return refuse(None, e.to_string())
            }
            Err(e @ CommandError::Missing(header::COMMAND)) => return refuse(None, e.to_string()),
            // A command's arguments are checked once logged in.
            Err(_) if !self.is_logged_in() => return refuse(None, "Not logged in"),
            // A bad Hold value is refused on the line it would have held.
            Err(e @ CommandError::BadFlag { header: header::HOLD, .. }) => {
                return refuse(Some(self.target_line(packet)), e.to_string())
            }
            Err(e) => return refuse(None, e.to_string()),
        };
        match &command {
            Command::Login { user, .. } => return Ok(self.login(user)),
            // Field screens ask for the clock, logged in or not.
            Command::Generic { name, .. } if name.eq_ignore_ascii_case(names::DGTIMESTAMP) => {
                return Ok(Reply::send(vec![clock::stamp(self.config.timestamp_fields)]));
            }
            _ => {}
        }
        if !self.is_logged_in() {
            return refuse(None, "Not logged in");
        }
        let selected = self.selected;
        let packets = match command {
            Command::Logoff => return Ok(self.logoff()),
            Command::Status => self.status(),
            Command::LineSelect(line) => self.line_select(line),
            Command::Dial { number, line } => self.dial(number, line.unwrap_or(selected))?,
            Command::Answer(line) => self.answer(line.unwrap_or(selected))?,
            Command::Hold(wanted) => self.hold(self.target_line(packet), wanted)?,
            Command::SendDtmf(digits) => self.send_dtmf(&digits)?,
            Command::Hangup(line) => self.hangup(line.unwrap_or(selected))?,
            Command::QueueStatus { queue } => self.queue_status(queue.as_deref()),
            Command::AgentPause { agent, paused, reason } => self.agent_pause(&agent, paused, reason.as_deref()),
            // Answered above; here only so that every command has its arm.
            Command::Login { user, .. } => return Ok(self.login(&user)),
            Command::Generic { name, .. } => return refuse(None, format!("Unknown command {name}")),
        };
        Ok(Reply::send(packets))
    }

    /// The line a command names in `Line:` (from_packet has checked it),
    /// else the selected one: Hold's variant carries no line.
    fn target_line(&self, packet: &Packet) -> Line {
        Command::packet_line(packet).ok().flatten().unwrap_or(self.selected)
    }

    fn login(&mut self, user: &str) -> Reply {
        let (success, message) = match &self.config.login {
            LoginPolicy::Ignore => return Reply::default(),
            LoginPolicy::Reject(message) => (false, message.as_str()),
            LoginPolicy::Accept if user.is_empty() => (false, "Missing User"),
            LoginPolicy::Accept => {
                self.user = Some(user.to_string());
                (true, "Login OK")
            }
        };
        let user = Some(user).filter(|user| !user.is_empty());
        let response = EventBuilder::login_response(success).user(user).message(message).build();
        if success {
            return Reply::send(vec![response]);
        }
        // A refusal as the config says: the response, a Status: Error event, or both.
        let event = EventBuilder::new(EventKind::Error).user(user).message(message).build();
        Reply::send(match self.login_refusal {
            LoginRefusal::Response => vec![response],
            LoginRefusal::Event => vec![event],
            LoginRefusal::Both => vec![response, event],
        })
    }

    fn logoff(&mut self) -> Reply {
        let goodbye = self.event(EventKind::UserLogoff, None).build();
        self.user = None;
        Reply { packets: vec![goodbye], close: true }
    }

    /// One event per line with its current state.
    fn status(&self) -> Vec<Packet> {
        Line::all()
            .map(|line| match self.slot(line).state {
                CallState::Idle => self.event(EventKind::Ready, Some(line)).build(),
                CallState::Ringing => self.call_event(EventKind::ReceivingCall, line),
                CallState::Dialing => self.call_event(EventKind::Dialing, line),
                CallState::Connected => self.call_event(EventKind::Answer, line),
                CallState::Held => {
                    self.event(EventKind::Hold, Some(line)).hold(true).number(&self.slot(line).number).build()
                }
            })
            .collect()
    }

    fn line_select(&mut self, line: Line) -> Vec<Packet> {
        self.selected = line;
        vec![self.event(EventKind::LineSelected, Some(line)).build()]
    }

    fn dial(&mut self, number: String, line: Line) -> Result<Vec<Packet>, Refusal> {
        if self.slot(line).state != CallState::Idle {
            return refuse(Some(line), format!("Line {line} is busy"));
        }
        let is_agent_login = number == self.config.agent_feature_code;
        self.lines[line.index()] = LineSlot { state: CallState::Dialing, number, answer_at: None };
        let mut packets = vec![self.call_event(EventKind::Dialing, line)];
        if is_agent_login {
            self.agent_login = Some(AgentLogin { line, code: None, typed: String::new() });
        } else if self.auto_answer && self.answer_delay.is_zero() {
            packets.extend(self.far_end_answer(line));
        } else if self.auto_answer {
            // Answered later, by `answers_due`, from the serving thread's read loop.
            self.lines[line.index()].answer_at = Some(Instant::now() + self.answer_delay);
        }
        Ok(packets)
    }

    fn answer(&mut self, line: Line) -> Result<Vec<Packet>, Refusal> {
        if self.slot(line).state != CallState::Ringing {
            return refuse(Some(line), format!("Line {line} is not ringing"));
        }
        self.set(line, CallState::Connected);
        Ok(vec![self.call_event(EventKind::Answer, line)])
    }

    /// Toggles hold, or sets it with the field-seen `Hold: 0|1`.
    fn hold(&mut self, line: Line, wanted: Option<bool>) -> Result<Vec<Packet>, Refusal> {
        let on_hold = match self.slot(line).state {
            CallState::Connected => wanted.unwrap_or(true),
            CallState::Held => wanted.unwrap_or(false),
            _ => return refuse(Some(line), format!("Line {line} is not in a call")),
        };
        self.set(line, if on_hold { CallState::Held } else { CallState::Connected });
        Ok(vec![self.event(EventKind::Hold, Some(line)).hold(on_hold).build()])
    }

    /// DTMF goes to the far end, so nothing is echoed, unless it feeds the
    /// agent login.
    /// Digits checked by `Command::from_packet`.
    fn send_dtmf(&mut self, digits: &str) -> Result<Vec<Packet>, Refusal> {
        let line = self.selected;
        if !self.slot(line).state.carries_dtmf() {
            return refuse(Some(line), format!("Line {line} is not in a call"));
        }
        match (&self.agent_login, &self.shift) {
            (Some(login), _) if login.line == line => Ok(self.feed_agent_login(digits)),
            (_, Some(shift)) if shift.line == line && self.slot(line).state == CallState::Connected => {
                Ok(self.feed_shift(digits))
            }
            _ => Ok(Vec::new()),
        }
    }

    fn feed_agent_login(&mut self, digits: &str) -> Vec<Packet> {
        let mut packets = Vec::new();
        for digit in digits.chars() {
            let login = match self.agent_login.as_mut() {
                Some(login) => login,
                None => break,
            };
            if digit != '#' {
                login.typed.push(digit);
                continue;
            }
            let entered = std::mem::take(&mut login.typed);
            let line = login.line;
            match login.code.take() {
                None => {
                    // The agent code is in: the PBX answers and asks for the password.
                    login.code = Some(entered);
                    self.set(line, CallState::Connected);
                    packets.push(self.call_event(EventKind::Answer, line));
                }
                Some(code) => {
                    let accepted = match &self.config.agent_password {
                        Some(password) => password.eq_ignore_ascii_case(&entered),
                        None => true,
                    };
                    if accepted {
                        // The call stays up for the shift: queue calls come on it.
                        packets.push(self.event(EventKind::AgentLogin, None).agent(&code).build());
                        self.agent = Some(code);
                        self.agent_login = None;
                        self.shift = Some(Shift { line, offered: None, taken: None });
                        break;
                    }
                    // A refused password: the PBX hangs up; end_call clears the login.
                    packets.extend(self.end_call(line));
                }
            }
        }
        packets
    }

    fn hangup(&mut self, line: Line) -> Result<Vec<Packet>, Refusal> {
        match (self.slot(line).state, self.idle_hangup) {
            (CallState::Idle, IdleHangup::Refuse) => return refuse(Some(line), format!("Line {line} is idle")),
            (CallState::Idle, IdleHangup::Ready) => return Ok(vec![self.event(EventKind::Ready, Some(line)).build()]),
            _ => {}
        }
        Ok(self.end_call(line))
    }

    /// Hangup then Ready, and the line is free again. Ending the agent's
    /// shift line logs the agent off (AgentLogoff after Ready).
    fn end_call(&mut self, line: Line) -> Vec<Packet> {
        self.lines[line.index()] = LineSlot::default();
        if self.agent_login.as_ref().map(|login| login.line) == Some(line) {
            self.agent_login = None;
        }
        let mut packets =
            vec![self.event(EventKind::Hangup, Some(line)).build(), self.event(EventKind::Ready, Some(line)).build()];
        if self.shift.as_ref().map(|shift| shift.line) == Some(line) {
            self.shift = None;
            if let Some(agent) = self.agent.take() {
                packets.push(self.event(EventKind::AgentLogoff, None).agent(&agent).build());
            }
        }
        packets
    }

    /// DTMF on the agent's shift line: `#` takes the queue call offered
    /// (AgentConnect), `*` ends the one taken (AgentComplete); other
    /// digits go to the far end. Nothing is sent when no call fits.
    fn feed_shift(&mut self, digits: &str) -> Vec<Packet> {
        let mut packets = Vec::new();
        let agent = self.agent.clone().unwrap_or_default();
        for digit in digits.chars() {
            let shift = match self.shift.as_mut() {
                Some(shift) => shift,
                None => break,
            };
            let (status, uniqueid) = match digit {
                '#' if shift.taken.is_none() && shift.offered.is_some() => {
                    let uniqueid = shift.offered.take().unwrap_or_default();
                    shift.taken = Some(uniqueid.clone());
                    (EventKind::AgentConnect, uniqueid)
                }
                '*' if shift.taken.is_some() => (EventKind::AgentComplete, shift.taken.take().unwrap_or_default()),
                _ => continue,
            };
            let uniqueid = Some(uniqueid.as_str()).filter(|id| !id.is_empty());
            packets.push(self.event(status, None).agent(&agent).uniqueid(uniqueid).build());
        }
        packets
    }

    /// Two callers waiting, then the end of the list.
    fn queue_status(&self, queue: Option<&str>) -> Vec<Packet> {
        let queue = queue.unwrap_or("default");
        let waiting = [("5511999990001", "12"), ("5511999990002", "47")];
        let mut packets: Vec<Packet> = waiting
            .iter()
            .map(|(number, wait)| {
                self.event(EventKind::QueueEntry, None).queue(queue).number(number).wait(wait).build()
            })
            .collect();
        packets.push(self.event(EventKind::QueueStatusComplete, None).queue(queue).build());
        packets
    }

    fn agent_pause(&self, agent: &str, paused: bool, reason: Option<&str>) -> Vec<Packet> {
        let reason = reason.filter(|r| !r.is_empty());
        vec![self.event(EventKind::AgentPaused, None).agent(agent).paused(paused).reason(reason).build()]
    }

    // Far-end happenings, injected by the simulator's owner. Each one is
    // played only when it fits the line's state (a busy line cannot ring,
    // only a Dialing call can be answered); otherwise it sends nothing.

    /// An incoming call rings on an idle line.
    pub(crate) fn incoming_call(&mut self, line: Line, number: &str) -> Vec<Packet> {
        if !self.is_logged_in() || self.slot(line).state != CallState::Idle {
            return Vec::new();
        }
        self.lines[line.index()] = LineSlot { state: CallState::Ringing, number: number.to_string(), answer_at: None };
        vec![self.call_event(EventKind::ReceivingCall, line)]
    }

    /// The far end answers a call being dialled.
    pub(crate) fn far_end_answer(&mut self, line: Line) -> Vec<Packet> {
        if !self.is_logged_in() || self.slot(line).state != CallState::Dialing {
            return Vec::new();
        }
        self.set(line, CallState::Connected);
        self.lines[line.index()].answer_at = None;
        vec![self.call_event(EventKind::Answer, line)]
    }

    /// The far end answers every Dialing call whose answer delay is over
    /// at `now`.
    pub(crate) fn answers_due(&mut self, now: Instant) -> Vec<Packet> {
        let due: Vec<Line> = Line::all()
            .filter(|line| self.slot(*line).state == CallState::Dialing)
            .filter(|line| self.slot(*line).answer_at.map_or(false, |at| at <= now))
            .collect();
        due.into_iter().flat_map(|line| self.far_end_answer(line)).collect()
    }

    /// When the next delayed answer is due, if any call waits for one.
    pub(crate) fn next_answer(&self) -> Option<Instant> {
        Line::all()
            .filter(|line| self.slot(*line).state == CallState::Dialing)
            .filter_map(|line| self.slot(line).answer_at)
            .min()
    }

    /// The far end hangs up (or a ringing caller gives up).
    pub(crate) fn far_end_hangup(&mut self, line: Line) -> Vec<Packet> {
        if !self.is_logged_in() || self.slot(line).state == CallState::Idle {
            return Vec::new();
        }
        self.end_call(line)
    }

    /// The far end sends one DTMF digit.
    pub(crate) fn dtmf_received(&mut self, line: Line, digit: char) -> Vec<Packet> {
        if !self.is_logged_in() || !self.slot(line).state.carries_dtmf() || !is_dtmf(digit) {
            return Vec::new();
        }
        vec![self.event(EventKind::DtmfReceived, Some(line)).digit(digit.to_ascii_uppercase()).build()]
    }

    /// Whether the far end answers this phone's dials at once.
    pub(crate) fn set_auto_answer(&mut self, on: bool) {
        self.auto_answer = on;
    }

    /// How long the far end rings before answering this phone's dials.
    pub(crate) fn set_answer_delay(&mut self, delay: Duration) {
        self.answer_delay = delay;
    }

    /// How this phone tells a refused login from now on.
    pub(crate) fn set_login_refusal(&mut self, refusal: LoginRefusal) {
        self.login_refusal = refusal;
    }

    /// What this phone answers a Hangup on an idle line from now on.
    pub(crate) fn set_idle_hangup(&mut self, answer: IdleHangup) {
        self.idle_hangup = answer;
    }

    /// A DGPhoneEvent with this Status, the phone's User (unless `headers`
    /// name one), then `headers`; the line state does not change.
    pub(crate) fn custom_event(&self, status: &str, headers: &[(String, String)]) -> Packet {
        let names_user = headers.iter().any(|(key, _)| key.eq_ignore_ascii_case(header::USER));
        let user = self.user.as_deref().filter(|_| !names_user);
        EventBuilder::with_status(status).user(user).headers(headers).build()
    }

    /// An agent event with any headers, for `agent` (or the agent logged
    /// in through this phone). An error says why it cannot be sent.
    pub(crate) fn agent_step(
        &mut self,
        kind: EventKind,
        agent: Option<&str>,
        headers: &[(String, String)],
    ) -> Result<Vec<Packet>, String> {
        kind.status_name().filter(|_| kind.is_agent()).ok_or("not an agent status")?;
        if !self.is_logged_in() {
            return Err("the client has not logged in".into());
        }
        let agent = match agent.map(str::to_string).or_else(|| self.agent.clone()) {
            Some(agent) => agent,
            None => return Err("no agent has logged in on this connection: name one (agent AgentCalled 7001)".into()),
        };
        let event = self.event(kind, None).agent(&agent).headers(headers).build();
        let uniqueid =
            headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(header::UNIQUEID)).map(|(_, v)| v.as_str());
        self.follow_queue(kind, uniqueid);
        match kind {
            EventKind::AgentLogin => self.agent = Some(agent),
            EventKind::AgentLogoff => self.agent = None,
            _ => {}
        }
        Ok(vec![event])
    }

    /// DGPhone closing: every call hung up (Hangup, Ready), then
    /// UserLogoff; the caller closes the connection.
    pub(crate) fn close_down(&mut self) -> Vec<Packet> {
        let busy: Vec<Line> = Line::all().filter(|line| self.slot(*line).state != CallState::Idle).collect();
        let mut packets: Vec<Packet> = busy.into_iter().flat_map(|line| self.end_call(line)).collect();
        packets.extend(self.logoff().packets);
        packets
    }

    /// Keeps the shift's queue call in step with the PBX's agent events,
    /// whether a scenario or the owner sends them: AgentCalled offers a
    /// call (taken by DTMF `#`); AgentConnect, AgentComplete and
    /// AgentNoAnswer settle the offer, and AgentComplete ends the call taken.
    fn follow_queue(&mut self, kind: EventKind, uniqueid: Option<&str>) {
        let shift = match self.shift.as_mut() {
            Some(shift) => shift,
            None => return,
        };
        match kind {
            EventKind::AgentCalled => shift.offered = Some(uniqueid.unwrap_or_default().to_string()),
            EventKind::AgentConnect | EventKind::AgentNoAnswer => shift.offered = None,
            EventKind::AgentComplete => {
                shift.offered = None;
                shift.taken = None;
            }
            _ => {}
        }
    }

    /// An agent event from the PBX (AgentCalled, AgentConnect...). Kinds
    /// that are not DGPhoneEvent statuses send nothing.
    pub(crate) fn agent_event(&mut self, kind: EventKind, agent: &str, uniqueid: Option<&str>) -> Vec<Packet> {
        if kind.status_name().is_none() || !self.is_logged_in() {
            return Vec::new();
        }
        self.follow_queue(kind, uniqueid);
        vec![self.event(kind, None).agent(agent).uniqueid(uniqueid).build()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32) -> Line {
        Line::new(n).unwrap()
    }

    fn phone_with(config: SimConfig) -> Phone {
        Phone::new(Arc::new(config))
    }

    fn command(name: &str, headers: &[(&str, &str)]) -> Packet {
        let mut packet = Packet::new().with("Action", "DGPhoneCommand").with("Command", name);
        for (key, value) in headers {
            packet.push(key, value);
        }
        packet
    }

    fn logged_in(config: SimConfig) -> Phone {
        let mut phone = phone_with(config);
        phone.handle(&command("Login", &[("User", "201"), ("RemoteMode", "1")]));
        assert!(phone.is_logged_in());
        phone
    }

    /// A packet on one line, `Key: Value` joined by `, `.
    fn text(packet: &Packet) -> String {
        let headers: Vec<String> = packet.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        headers.join(", ")
    }

    /// `Status[:Line]` of each packet, the shape of most flows.
    fn statuses(packets: &[Packet]) -> Vec<String> {
        packets
            .iter()
            .map(|p| {
                let status = p.get("Status").or_else(|| p.get("Response")).unwrap_or("?");
                match p.get("Line") {
                    Some(line) => format!("{status}:{line}"),
                    None => status.to_string(),
                }
            })
            .collect()
    }

    fn run(phone: &mut Phone, name: &str, headers: &[(&str, &str)]) -> Vec<String> {
        statuses(&phone.handle(&command(name, headers)).packets)
    }

    /// The Message of the first packet of the reply.
    fn message(phone: &mut Phone, packet: &Packet) -> String {
        phone.handle(packet).packets[0].get("Message").unwrap_or("").to_string()
    }

    const EVENT: &str = "Event: DGPhoneEvent";

    #[test]
    fn login_accepted_echoes_command_and_user() {
        let mut phone = phone_with(SimConfig::default());
        let reply = phone.handle(&command("login", &[("User", "201"), ("RemoteMode", "1")]));
        let expected = "Event: DGPhoneResponse, Response: Success, Command: Login, User: 201, Message: Login OK";
        assert_eq!(text(&reply.packets[0]), expected);
        assert!(phone.is_logged_in() && !reply.close);
    }

    #[test]
    fn login_rejected_ignored_or_without_user() {
        let reject = LoginPolicy::Reject("Invalid user".into());
        let mut rejecting = phone_with(SimConfig { login: reject, ..SimConfig::default() });
        let reply = rejecting.handle(&command("Login", &[("User", "201")]));
        let expected = "Event: DGPhoneResponse, Response: Error, Command: Login, User: 201, Message: Invalid user";
        assert_eq!(text(&reply.packets[0]), expected);
        assert!(!rejecting.is_logged_in());

        let mut ignoring = phone_with(SimConfig { login: LoginPolicy::Ignore, ..SimConfig::default() });
        let reply = ignoring.handle(&command("Login", &[("User", "201")]));
        assert!(reply.packets.is_empty() && !ignoring.is_logged_in());

        let mut accepting = phone_with(SimConfig::default());
        assert_eq!(message(&mut accepting, &command("Login", &[])), "Missing User");
        assert!(!accepting.is_logged_in());
    }

    #[test]
    fn a_refusal_comes_in_the_form_asked_for() {
        let reject = || LoginPolicy::Reject("Invalid user".into());
        let response = "Event: DGPhoneResponse, Response: Error, Command: Login, User: 201, Message: Invalid user";
        let event = "Event: DGPhoneEvent, Status: Error, User: 201, Message: Invalid user";
        let refused = |login_refusal, login| {
            let mut phone = phone_with(SimConfig { login, login_refusal, ..SimConfig::default() });
            let reply = phone.handle(&command("Login", &[("User", "201")]));
            assert!(!phone.is_logged_in());
            reply.packets.iter().map(text).collect::<Vec<_>>()
        };
        assert_eq!(refused(LoginRefusal::Response, reject()), [response]);
        assert_eq!(refused(LoginRefusal::Event, reject()), [event]);
        assert_eq!(refused(LoginRefusal::Both, reject()), [response, event]);
        let mut phone = phone_with(SimConfig { login_refusal: LoginRefusal::Event, ..SimConfig::default() });
        let reply = phone.handle(&command("Login", &[]));
        assert_eq!(
            reply.packets.iter().map(text).collect::<Vec<_>>(),
            ["Event: DGPhoneEvent, Status: Error, Message: Missing User"]
        );
        let mut accepting = phone_with(SimConfig { login_refusal: LoginRefusal::Both, ..SimConfig::default() });
        assert_eq!(run(&mut accepting, "Login", &[("User", "201")]), ["Success"], "a success is a response only");
    }

    #[test]
    fn commands_before_login_are_refused() {
        let mut phone = phone_with(SimConfig::default());
        for name in ["Status", "Dial", "logoff"] {
            let reply = phone.handle(&command(name, &[("Number", "100")]));
            assert_eq!(text(&reply.packets[0]), format!("{EVENT}, Status: Error, Message: Not logged in"));
            assert!(!reply.close);
        }
    }

    #[test]
    fn unknown_action_and_command_are_named() {
        let mut phone = logged_in(SimConfig::default());
        assert_eq!(message(&mut phone, &command("Transfer", &[])), "Unknown command Transfer");
        assert_eq!(message(&mut phone, &command("Ns:Transfer", &[])), "Unknown command Ns Transfer");
        assert_eq!(message(&mut phone, &Packet::new().with("Action", "Ping")), "Unknown Action Ping");
        assert_eq!(message(&mut phone, &Packet::new().with("Foo", "1")), "Missing Action");
        let no_command = Packet::new().with("Action", "dgphonecommand");
        assert_eq!(message(&mut phone, &no_command), "Missing Command");
    }

    #[test]
    fn dgtimestamp_is_answered_by_a_dgtimestamp_logged_in_or_not() {
        for mut phone in [phone_with(SimConfig::default()), logged_in(SimConfig::default())] {
            let reply = phone.handle(&command("DGTimeStamp", &[])).packets;
            assert_eq!(reply.len(), 1);
            assert_eq!(reply[0].get("Event"), Some("DGTimeStamp"));
            assert!(reply[0].get("Time").is_some());
        }
    }

    #[test]
    fn no_refusal_has_a_colon_in_its_message() {
        let mut phone = logged_in(SimConfig::default());
        let refused = [
            command("Transfer", &[]),
            Packet::new().with("Action", "Ping"),
            command("LineSelect", &[("Line", "9")]),
            command("Hold", &[("Hold", "maybe")]),
            command("SendDtmf", &[("Digits", "12x")]),
            command("SendDtmf", &[("Digits", "1\u{7}")]),
            command("AgentPause", &[("Agent", "7001"), ("Paused", "x:y")]),
            command("Answer", &[]),
            command("Hangup", &[("Line", "a:b")]),
        ];
        for packet in refused {
            let reply = phone.handle(&packet).packets;
            assert_eq!(reply[0].get("Status"), Some("Error"), "{packet:?}");
            let message = reply[0].get("Message").unwrap();
            assert!(!message.is_empty() && !message.contains(':'), "{packet:?}: {message}");
        }
    }

    #[test]
    fn events_carry_event_status_user_line_then_extras() {
        let mut phone = logged_in(SimConfig::default());
        let reply = phone.handle(&command("Dial", &[("Number", "100"), ("User", "201")])).packets;
        assert_eq!(text(&reply[0]), format!("{EVENT}, Status: Dialing, User: 201, Line: 1, Number: 100"));
        assert_eq!(text(&reply[1]), format!("{EVENT}, Status: Answer, User: 201, Line: 1, Number: 100"));
    }

    #[test]
    fn outgoing_call_on_the_selected_line() {
        let mut phone = logged_in(SimConfig::default());
        assert_eq!(run(&mut phone, "LineSelect", &[("Line", "2")]), ["LineSelected:2"]);
        assert_eq!(run(&mut phone, "Dial", &[("Number", "100")]), ["Dialing:2", "Answer:2"]);
        assert_eq!(phone.state(line(2)), CallState::Connected);
        assert_eq!(run(&mut phone, "Dial", &[("Number", "101")]), ["Error:2"]);
        assert_eq!(run(&mut phone, "Hangup", &[]), ["Hangup:2", "Ready:2"]);
        assert_eq!(run(&mut phone, "Hangup", &[]), ["Error:2"]);
        let on_line_5 = [("Number", "102"), ("Line", "5")];
        assert_eq!(run(&mut phone, "Dial", &on_line_5), ["Dialing:5", "Answer:5"]);
        assert_eq!(run(&mut phone, "Hangup", &[("Line", "5")]), ["Hangup:5", "Ready:5"]);
    }

    #[test]
    fn without_auto_answer_the_far_end_answers_on_demand() {
        let mut phone = logged_in(SimConfig { auto_answer: false, ..SimConfig::default() });
        assert_eq!(run(&mut phone, "Dial", &[("Number", "100")]), ["Dialing:1"]);
        assert_eq!(statuses(&phone.far_end_answer(line(1))), ["Answer:1"]);
        assert!(phone.far_end_answer(line(1)).is_empty(), "already connected");
        assert_eq!(statuses(&phone.far_end_hangup(line(1))), ["Hangup:1", "Ready:1"]);
        assert!(phone.far_end_hangup(line(1)).is_empty(), "already idle");
    }

    #[test]
    fn with_an_answer_delay_the_far_end_answers_when_it_is_due() {
        let delay = Duration::from_secs(2);
        let mut phone = logged_in(SimConfig { answer_delay: delay, ..SimConfig::default() });
        let before = Instant::now();
        assert_eq!(run(&mut phone, "Dial", &[("Number", "100")]), ["Dialing:1"]);
        let due = phone.next_answer().expect("an answer is due");
        assert!(due >= before + delay && due <= Instant::now() + delay);
        assert!(phone.answers_due(due - Duration::from_millis(1)).is_empty(), "not yet");
        assert_eq!(run(&mut phone, "Status", &[])[0], "Dialing:1", "still ringing");
        assert_eq!(statuses(&phone.answers_due(due)), ["Answer:1"]);
        assert_eq!((phone.state(line(1)), phone.next_answer()), (CallState::Connected, None));

        // A hangup while it rings cancels the answer.
        run(&mut phone, "Dial", &[("Number", "101"), ("Line", "2")]);
        assert!(phone.next_answer().is_some());
        run(&mut phone, "Hangup", &[("Line", "2")]);
        assert_eq!(phone.next_answer(), None);
        assert!(phone.answers_due(Instant::now() + delay * 2).is_empty());

        // Without auto-answer the delay does not matter.
        phone.set_auto_answer(false);
        run(&mut phone, "Dial", &[("Number", "102"), ("Line", "3")]);
        assert_eq!(phone.next_answer(), None);
    }

    #[test]
    fn incoming_call_answered_then_hung_up_by_the_far_end() {
        let mut phone = logged_in(SimConfig::default());
        let ring = phone.incoming_call(line(3), "5511");
        assert_eq!(text(&ring[0]), format!("{EVENT}, Status: ReceivingCall, User: 201, Line: 3, Number: 5511"));
        assert!(phone.incoming_call(line(3), "5512").is_empty(), "a busy line does not ring");
        assert_eq!(run(&mut phone, "Answer", &[]), ["Error:1"], "line 1 is not ringing");
        let answered = phone.handle(&command("Answer", &[("Line", "3")])).packets;
        assert_eq!(text(&answered[0]), format!("{EVENT}, Status: Answer, User: 201, Line: 3, Number: 5511"));
        assert_eq!(statuses(&phone.far_end_hangup(line(3))), ["Hangup:3", "Ready:3"]);
    }

    #[test]
    fn hanging_up_an_idle_line_is_refused_or_answered_ready() {
        let mut refusing = logged_in(SimConfig::default());
        assert_eq!(message(&mut refusing, &command("Hangup", &[("Line", "3")])), "Line 3 is idle");
        let mut ready = logged_in(SimConfig { idle_hangup: IdleHangup::Ready, ..SimConfig::default() });
        assert_eq!(run(&mut ready, "Hangup", &[("Line", "3")]), ["Ready:3"]);
        assert_eq!(run(&mut ready, "Hangup", &[]), ["Ready:1"]);
        run(&mut ready, "Dial", &[("Number", "100")]);
        assert_eq!(run(&mut ready, "Hangup", &[]), ["Hangup:1", "Ready:1"], "a call is hung up as ever");
    }

    #[test]
    fn a_ringing_call_can_be_refused() {
        let mut phone = logged_in(SimConfig::default());
        phone.incoming_call(line(1), "5511");
        assert_eq!(run(&mut phone, "Hangup", &[]), ["Hangup:1", "Ready:1"]);
    }

    /// `Status:Hold` of the answer to a Hold command.
    fn hold(phone: &mut Phone, headers: &[(&str, &str)]) -> String {
        let reply = phone.handle(&command("Hold", headers)).packets;
        format!("{}:{}", reply[0].get("Status").unwrap(), reply[0].get("Hold").unwrap_or("-"))
    }

    #[test]
    fn hold_toggles_or_sets() {
        let mut phone = logged_in(SimConfig::default());
        assert_eq!(hold(&mut phone, &[]), "Error:-", "not in a call");
        assert_eq!(hold(&mut phone, &[("Hold", "1")]), "Error:-", "not in a call");
        run(&mut phone, "Dial", &[("Number", "100")]);
        let toggled: Vec<String> = (0..3).map(|_| hold(&mut phone, &[])).collect();
        assert_eq!(toggled, ["Hold:1", "Hold:0", "Hold:1"]);
        assert_eq!(phone.state(line(1)), CallState::Held);
        assert_eq!(hold(&mut phone, &[("Hold", "1")]), "Hold:1");
        assert_eq!(hold(&mut phone, &[("Hold", "0")]), "Hold:0");
        assert_eq!(hold(&mut phone, &[("Hold", "0")]), "Hold:0");
        assert_eq!(hold(&mut phone, &[("Hold", "maybe")]), "Error:-");
        assert_eq!(phone.state(line(1)), CallState::Connected);
    }

    #[test]
    fn dtmf_needs_a_call_and_is_not_echoed() {
        let mut phone = logged_in(SimConfig::default());
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "12")]), ["Error:1"]);
        run(&mut phone, "Dial", &[("Number", "100")]);
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "12#")]).is_empty());
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "12x")]), ["Error"]);
        assert_eq!(run(&mut phone, "SendDtmf", &[]), ["Error"]);
        run(&mut phone, "Hold", &[]);
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "1")]), ["Error:1"], "no DTMF on hold");
    }

    #[test]
    fn dtmf_received_from_the_far_end() {
        let mut phone = logged_in(SimConfig::default());
        assert!(phone.dtmf_received(line(1), '5').is_empty(), "idle line");
        run(&mut phone, "Dial", &[("Number", "100")]);
        let digit = phone.dtmf_received(line(1), 'b');
        assert_eq!(text(&digit[0]), format!("{EVENT}, Status: DTMFReceived, User: 201, Line: 1, Digit: B"));
        assert!(phone.dtmf_received(line(1), 'x').is_empty());
    }

    #[test]
    fn status_reports_every_line() {
        let mut phone = logged_in(SimConfig { auto_answer: false, ..SimConfig::default() });
        run(&mut phone, "Dial", &[("Number", "100")]);
        phone.incoming_call(line(2), "200");
        run(&mut phone, "Dial", &[("Number", "300"), ("Line", "3")]);
        phone.far_end_answer(line(3));
        run(&mut phone, "Dial", &[("Number", "400"), ("Line", "4")]);
        phone.far_end_answer(line(4));
        run(&mut phone, "Hold", &[("Line", "4")]);
        let report = phone.handle(&command("Status", &[])).packets;
        let lines: Vec<String> = report.iter().map(|p| text(p).replace("Event: DGPhoneEvent, ", "")).collect();
        assert_eq!(
            lines,
            [
                "Status: Dialing, User: 201, Line: 1, Number: 100",
                "Status: ReceivingCall, User: 201, Line: 2, Number: 200",
                "Status: Answer, User: 201, Line: 3, Number: 300",
                "Status: Hold, User: 201, Line: 4, Hold: 1, Number: 400",
                "Status: Ready, User: 201, Line: 5",
                "Status: Ready, User: 201, Line: 6",
            ]
        );
    }

    #[test]
    fn a_bad_line_is_refused() {
        let mut phone = logged_in(SimConfig::default());
        for bad in ["0", "7", "one", "-1"] {
            let message = message(&mut phone, &command("LineSelect", &[("Line", bad)]));
            assert!(message.starts_with("Invalid line"), "{bad:?}: {message}");
        }
        let empty = command("LineSelect", &[("Line", " ")]);
        assert_eq!(message(&mut phone, &empty), "Missing Line");
        let dial = command("Dial", &[("Number", "1"), ("Line", "9")]);
        assert_eq!(message(&mut phone, &dial), "Invalid line 9, DGPhone has lines 1 to 6");
        let with_colon = command("LineSelect", &[("Line", "1:2")]);
        assert_eq!(message(&mut phone, &with_colon), "Invalid line 1 2, DGPhone has lines 1 to 6");
    }

    #[test]
    fn agent_login_with_the_right_password() {
        let mut phone = logged_in(SimConfig { agent_password: Some("1234".into()), ..SimConfig::default() });
        let dialing = phone.handle(&command("Dial", &[("Number", "*9800")])).packets;
        assert_eq!(text(&dialing[0]), format!("{EVENT}, Status: Dialing, User: 201, Line: 1, Number: *9800"));
        assert_eq!(dialing.len(), 1, "the PBX answers only once the agent code is in");
        // Digits may arrive one SendDtmf at a time.
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "70")]).is_empty());
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "01#")]), ["Answer:1"]);
        let done = phone.handle(&command("SendDtmf", &[("Digits", "1234#")])).packets;
        assert_eq!(statuses(&done), ["AgentLogin"]);
        assert_eq!(text(&done[0]), format!("{EVENT}, Status: AgentLogin, User: 201, Agent: 7001"));
        assert_eq!(phone.state(line(1)), CallState::Connected, "the shift's call stays up");
    }

    #[test]
    fn the_agents_line_carries_the_shift_and_hanging_it_up_logs_off() {
        let mut phone = logged_in(SimConfig::default());
        run(&mut phone, "Dial", &[("Number", "*9800")]);
        run(&mut phone, "SendDtmf", &[("Digits", "7001#42#")]);
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "#")]).is_empty(), "no queue call offered yet");
        let uniqueid = vec![("Uniqueid".to_string(), "1700000000.1".to_string())];
        phone.agent_step(EventKind::AgentCalled, None, &uniqueid).unwrap();
        assert_eq!(run(&mut phone, "LineSelect", &[("Line", "1")]), ["LineSelected:1"]);
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "*")]).is_empty(), "no call taken yet");
        let taken = phone.handle(&command("SendDtmf", &[("Digits", "#")])).packets;
        let expected = "Status: AgentConnect, User: 201, Agent: 7001, Uniqueid: 1700000000.1";
        assert_eq!(text(&taken[0]), format!("{EVENT}, {expected}"));
        assert_eq!(hold(&mut phone, &[]), "Hold:1");
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "*")]), ["Error:1"], "no DTMF on hold");
        assert_eq!(hold(&mut phone, &[]), "Hold:0");
        let ended = phone.handle(&command("SendDtmf", &[("Digits", "*")])).packets;
        let expected = "Status: AgentComplete, User: 201, Agent: 7001, Uniqueid: 1700000000.1";
        assert_eq!(text(&ended[0]), format!("{EVENT}, {expected}"));
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "*5")]).is_empty(), "no call to end");
        assert_eq!(phone.state(line(1)), CallState::Connected);
        assert_eq!(run(&mut phone, "Hangup", &[("Line", "1")]), ["Hangup:1", "Ready:1", "AgentLogoff"]);
        assert_eq!(phone.state(line(1)), CallState::Idle);
        assert!(phone.agent_step(EventKind::AgentCalled, None, &[]).is_err(), "no agent any more");
    }

    #[test]
    fn agent_login_with_a_wrong_password_only_hangs_up() {
        let mut phone = logged_in(SimConfig { agent_password: Some("1234".into()), ..SimConfig::default() });
        run(&mut phone, "Dial", &[("Number", "*9800")]);
        let digits = [("Digits", "7001#9999#")];
        assert_eq!(run(&mut phone, "SendDtmf", &digits), ["Answer:1", "Hangup:1", "Ready:1"]);
        // The exchange is over: DTMF on a new call is plain DTMF.
        run(&mut phone, "Dial", &[("Number", "100")]);
        assert!(run(&mut phone, "SendDtmf", &[("Digits", "7001#")]).is_empty());
    }

    #[test]
    fn agent_login_accepts_any_password_by_default_and_ends_with_the_call() {
        let mut phone = logged_in(SimConfig::default());
        run(&mut phone, "Dial", &[("Number", "*9800")]);
        run(&mut phone, "SendDtmf", &[("Digits", "7001#")]);
        assert_eq!(run(&mut phone, "SendDtmf", &[("Digits", "42#")]), ["AgentLogin"]);
        assert_eq!(run(&mut phone, "Hangup", &[]), ["Hangup:1", "Ready:1", "AgentLogoff"]);

        run(&mut phone, "Dial", &[("Number", "*9800")]);
        run(&mut phone, "Hangup", &[]);
        run(&mut phone, "Dial", &[("Number", "100")]);
        let digits = [("Digits", "7001#42#")];
        assert!(run(&mut phone, "SendDtmf", &digits).is_empty(), "abandoned exchange");
    }

    #[test]
    fn queue_status_and_agent_pause() {
        let mut phone = logged_in(SimConfig::default());
        let queue = phone.handle(&command("QueueStatus", &[("Queue", "sales")])).packets;
        let expected = [
            "Status: QueueEntry, User: 201, Queue: sales, Number: 5511999990001, Wait: 12",
            "Status: QueueEntry, User: 201, Queue: sales, Number: 5511999990002, Wait: 47",
            "Status: QueueStatusComplete, User: 201, Queue: sales",
        ];
        let got: Vec<String> = queue.iter().map(|p| text(p).replace("Event: DGPhoneEvent, ", "")).collect();
        assert_eq!(got, expected);

        let headers = [("Agent", "7001"), ("Paused", "1"), ("Reason", "Lunch")];
        let pause = phone.handle(&command("AgentPause", &headers)).packets;
        let expected = "Status: AgentPaused, User: 201, Agent: 7001, Paused: 1, Reason: Lunch";
        assert_eq!(text(&pause[0]), format!("{EVENT}, {expected}"));
        assert_eq!(
            message(&mut phone, &command("AgentPause", &[("Agent", "7001"), ("Paused", "yes")])),
            "Invalid Paused yes, 0 or 1"
        );
        assert_eq!(message(&mut phone, &command("AgentPause", &[("Paused", "0")])), "Missing Agent");
    }

    #[test]
    fn injected_agent_events() {
        let mut phone = logged_in(SimConfig::default());
        let called = phone.agent_event(EventKind::AgentCalled, "7001", Some("1700000000.42"));
        let expected = "Status: AgentCalled, User: 201, Agent: 7001, Uniqueid: 1700000000.42";
        assert_eq!(text(&called[0]), format!("{EVENT}, {expected}"));
        let logoff = phone.agent_event(EventKind::AgentLogoff, "7001", None);
        assert_eq!(text(&logoff[0]), format!("{EVENT}, Status: AgentLogoff, User: 201, Agent: 7001"));
        assert!(phone.agent_event(EventKind::TimeStamp, "7001", None).is_empty());
        let mut not_logged_in = phone_with(SimConfig::default());
        assert!(not_logged_in.agent_event(EventKind::AgentLogin, "7001", None).is_empty());
    }

    #[test]
    fn nothing_is_injected_before_login() {
        let mut phone = phone_with(SimConfig::default());
        assert!(phone.incoming_call(line(1), "100").is_empty());
        assert!(phone.dtmf_received(line(1), '1').is_empty());
        assert_eq!(phone.state(line(1)), CallState::Idle);
    }

    #[test]
    fn logoff_says_goodbye_and_closes() {
        let mut phone = logged_in(SimConfig::default());
        let reply = phone.handle(&command("Logoff", &[]));
        assert_eq!(text(&reply.packets[0]), format!("{EVENT}, Status: UserLogoff, User: 201"));
        assert!(reply.close && !phone.is_logged_in());
    }

    #[test]
    fn scenario_helpers() {
        let mut phone = logged_in(SimConfig::default());
        phone.set_auto_answer(false);
        assert_eq!(run(&mut phone, "Dial", &[("Number", "100")]), ["Dialing:1"]);
        phone.incoming_call(line(2), "200");
        let headers = vec![("Line".to_string(), "1".to_string()), ("Message".to_string(), "x".to_string())];
        let custom = phone.custom_event("Error", &headers);
        assert_eq!(text(&custom), format!("{EVENT}, Status: Error, User: 201, Line: 1, Message: x"));
        assert_eq!(phone.state(line(1)), CallState::Dialing, "a custom event changes nothing");

        let no_agent = phone.agent_step(EventKind::AgentCalled, None, &[]).unwrap_err();
        assert!(no_agent.starts_with("no agent has logged in"), "{no_agent}");
        phone.agent_step(EventKind::AgentLogin, Some("7001"), &[]).unwrap();
        let uniqueid = vec![("Uniqueid".to_string(), "42".to_string())];
        let called = phone.agent_step(EventKind::AgentCalled, None, &uniqueid).unwrap();
        assert_eq!(text(&called[0]), format!("{EVENT}, Status: AgentCalled, User: 201, Agent: 7001, Uniqueid: 42"));

        let goodbye = phone.close_down();
        assert_eq!(statuses(&goodbye), ["Hangup:1", "Ready:1", "Hangup:2", "Ready:2", "UserLogoff"]);
        assert!(!phone.is_logged_in());
        assert_eq!((phone.state(line(1)), phone.state(line(2))), (CallState::Idle, CallState::Idle));
    }
}
