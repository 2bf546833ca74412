//! Scenarios: a small line-oriented text format telling the simulator what
//! to do with each connected client, and what to expect of it. Parsing is
//! pure; the player (`player.rs`) steps through a parsed scenario.
//!
//! # Format
//! One step per line. Blank lines are ignored; a line whose first
//! non-blank character is `#` is a comment. Step names are matched
//! without regard to case. Values with blanks go in double quotes
//! (`Message="Login OK"`, with `\"` and `\\` inside).
//!
//! | step | what it does |
//! |---|---|
//! | `wait 200ms` | waits (units `ms`, `s`, `m`; `1.5s` works) |
//! | `timeout 60s` | how long later `expect` steps wait (default 30 s) |
//! | `expect Dial [Number=100]... [within 5s]` | waits for the client's next command of that name (any case) whose headers have those values; commands in between are answered as usual and skipped; fails the scenario when none comes in time |
//! | `send Error [Message="..."]...` | sends a DGPhoneEvent with this Status, the client's User, then these headers (the line state is not changed) |
//! | `packet Event=X Key=Value...` | sends exactly these headers as a packet |
//! | `raw "Event: X\r\nStat"` | sends these bytes as they are (escapes `\r \n \t \0 \xNN \\ \"`) |
//! | `timestamp` | sends a DGTimeStamp now |
//! | `ring 1 5511999990000` | a call rings on line 1 (ReceivingCall) |
//! | `answer-far [1]` | the far end answers the call dialled on line 1 (on every dialling line without a number) |
//! | `hangup-far [1]` | the far end hangs up on line 1 (on every line with a call without a number) |
//! | `dtmf 1 123#` | the far end sends these DTMF digits on line 1, one DTMFReceived each |
//! | `agent AgentCalled [7001] [Uniqueid=...]...` | an agent event for agent 7001 (without it, the agent logged in on this connection) |
//! | `logoff` | DGPhone closes: hangs up every call, sends UserLogoff, closes the connection |
//! | `close` | closes the connection |
//! | `fault oversize=70000` | a fault on this connection (see [`Fault`]; `restart=2s` restarts the whole simulator) |
//! | `set auto-answer on\|off` | whether the far end answers this client's dials at once |
//! | `set answer-delay 2s` | how long the far end rings before it answers this client's dials (`0s`: at once) |
//!
//! Steps that act on the phone (`ring`, `answer-far`, `hangup-far`,
//! `dtmf`, `agent`) need a logged-in client (start with `expect Login`)
//! and fail the scenario when they do not fit the line's state. A scenario
//! ends after its last step; the client stays connected unless a step
//! closed it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::config::{IdleHangup, LoginRefusal};
use super::duration::parse_duration;
use super::fault::Fault;
use crate::protocol::names::header;
use crate::protocol::validate::is_dtmf;
use crate::protocol::{EventKind, Line};
use crate::wire::escape::unescape;
use crate::wire::redact::REDACTED;
use crate::wire::Packet;

/// The scenarios shipped with the simulator, by name (each also a file
/// under `scenarios/`).
const BUILTIN: [(&str, &str); 5] = [
    ("outgoing-call", include_str!("../scenarios/outgoing-call.scn")),
    ("incoming-call", include_str!("../scenarios/incoming-call.scn")),
    ("agent-login", include_str!("../scenarios/agent-login.scn")),
    ("queue-call", include_str!("../scenarios/queue-call.scn")),
    ("user-logoff", include_str!("../scenarios/user-logoff.scn")),
];

/// How long an `expect` waits unless a `timeout` step or `within` says
/// otherwise: long enough for a person clicking in the application under
/// test.
pub const DEFAULT_EXPECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed scenario. Cheap to share: [`SimConfig::scenario`](super::SimConfig::scenario)
/// holds it in an `Arc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    name: String,
    steps: Vec<Step>,
}

/// One step and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// 1-based line number in the scenario's text.
    pub line: usize,
    /// The line as written (trimmed), for messages.
    pub text: String,
    pub kind: StepKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StepKind {
    Wait(Duration),
    Timeout(Duration),
    Expect(Expect),
    Act(Action),
}

/// What an `expect` step waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expect {
    pub command: String,
    pub headers: Vec<(String, String)>,
    pub within: Option<Duration>,
}

impl Expect {
    pub(crate) fn matches(&self, packet: &Packet) -> bool {
        let command = packet.get(header::COMMAND).unwrap_or("").trim();
        command.eq_ignore_ascii_case(&self.command)
            && self.headers.iter().all(|(key, value)| packet.get(key).map(str::trim) == Some(value.as_str()))
    }
}

/// Something the simulator does to a client: every scenario step that is
/// not a wait or an expectation. Also played at run time on every client
/// with [`Simulator::perform`](super::Simulator::perform); parse one with
/// `str::parse` (the scenario syntax, e.g. `"ring 1 5511999990000"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// A DGPhoneEvent with this Status, the client's User, then these headers.
    Event { status: String, headers: Vec<(String, String)> },
    /// These headers, as a packet.
    Packet(Packet),
    /// These bytes, as they are.
    Raw(Vec<u8>),
    /// A DGTimeStamp.
    TimeStamp,
    /// A call rings.
    Ring { line: Line, number: String },
    /// The far end answers on this line, or on every dialling line.
    FarEndAnswer(Option<Line>),
    /// The far end hangs up on this line, or on every line with a call.
    FarEndHangup(Option<Line>),
    /// The far end sends DTMF digits, one DTMFReceived each.
    Dtmf { line: Line, digits: String },
    /// An agent event; `agent: None` names the agent logged in on the
    /// connection.
    Agent { kind: EventKind, agent: Option<String>, headers: Vec<(String, String)> },
    /// DGPhone closes: every call hung up, UserLogoff, connection closed.
    Logoff,
    /// The connection is closed.
    Close,
    /// A fault on the connection.
    Fault(Fault),
    /// Whether the far end answers the client's dials at once.
    AutoAnswer(bool),
    /// How long the far end rings before answering the client's dials.
    AnswerDelay(Duration),
    /// How the client's phone tells a refused login.
    LoginRefusal(LoginRefusal),
    /// What the client's phone answers a Hangup on an idle line.
    IdleHangup(IdleHangup),
}

/// A scenario that cannot be read: which file, which line (0: the file as a
/// whole), what was expected there and what was found instead (the text
/// formats' one error, shared with wire recordings).
pub type ScenarioError = dgphone_proto::format::FormatError;

/// What went wrong while a scenario was played: the scenario, the line
/// and text of the step, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioFailure {
    pub scenario: String,
    pub line: usize,
    pub step: String,
    pub message: String,
}

impl fmt::Display for ScenarioFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: `{}`: {}", self.scenario, self.line, self.step, self.message)
    }
}

impl std::error::Error for ScenarioFailure {}

/// How a scenario played against one connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioOutcome {
    /// The connection, numbered as in [`Traffic`](super::Traffic).
    pub client: u64,
    pub scenario: String,
    pub result: Result<(), ScenarioFailure>,
}

const STEP_NAMES: &str = "a step (wait, timeout, expect, send, packet, raw, timestamp, ring, answer-far, \
                          hangup-far, dtmf, agent, logoff, close, fault, set)";

/// A parse error on the current line, before the file name is known.
struct Mistake {
    expected: String,
    found: String,
}

fn mistake<T>(expected: impl Into<String>, found: impl Into<String>) -> Result<T, Mistake> {
    Err(Mistake { expected: expected.into(), found: found.into() })
}

/// What a missing argument is called in messages.
const END: &str = "the end of the line";

impl Scenario {
    /// Parses scenario text; `name` (a file name or a built-in name) is
    /// used in error messages and failures.
    pub fn parse(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let mut steps = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let kind = parse_step(trimmed).map_err(|m| ScenarioError {
                file: name.to_string(),
                line: index + 1,
                expected: m.expected,
                found: m.found,
            })?;
            steps.push(Step { line: index + 1, text: shown(trimmed, &kind), kind });
        }
        Ok(Scenario { name: name.to_string(), steps })
    }

    /// A built-in scenario by name (see [`Scenario::builtin_names`]).
    pub fn builtin(name: &str) -> Option<Scenario> {
        let (name, text) = BUILTIN.iter().find(|(builtin, _)| *builtin == name)?;
        Some(Scenario::parse(name, text).expect("built-in scenarios parse (a unit test checks)"))
    }

    /// The names of the built-in scenarios.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// The text of a built-in scenario, to show or to start a new one from.
    pub fn builtin_text(name: &str) -> Option<&'static str> {
        BUILTIN.iter().find(|(builtin, _)| *builtin == name).map(|(_, text)| *text)
    }

    /// A scenario file when `spec` looks like a path (it holds a path
    /// separator or ends in `.scn`), else a built-in scenario by name; so
    /// `incoming-call` works from any directory.
    pub fn load(spec: &str) -> Result<Scenario, ScenarioError> {
        let looks_like_path = spec.contains('/') || spec.contains('\\') || spec.ends_with(".scn");
        if looks_like_path {
            let text = std::fs::read_to_string(spec).map_err(|e| ScenarioError {
                file: spec.to_string(),
                line: 0,
                expected: "a readable scenario file".into(),
                found: e.to_string(),
            })?;
            let name = Path::new(spec).file_name().map_or(spec.into(), |n| n.to_string_lossy().into_owned());
            return Scenario::parse(&name, &text);
        }
        Scenario::builtin(spec).ok_or_else(|| ScenarioError {
            file: spec.to_string(),
            line: 0,
            expected: format!(
                "a built-in scenario ({}) or a path to a .scn file",
                Scenario::builtin_names().collect::<Vec<_>>().join(", ")
            ),
            found: format!("{spec:?}"),
        })
    }

    /// Its name: the file name or the built-in name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True for a scenario with no step.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub(crate) fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Shared form, as [`SimConfig::scenario`](super::SimConfig::scenario) takes it.
    pub fn shared(self) -> Arc<Scenario> {
        Arc::new(self)
    }
}

/// Parses one action in the scenario syntax (`ring 1 5511`, `fault
/// flood=100`...). The error says what was expected.
impl std::str::FromStr for Action {
    type Err = String;

    fn from_str(line: &str) -> Result<Action, String> {
        let describe = |m: Mistake| format!("expected {}, found {}", m.expected, m.found);
        match parse_step(line.trim()).map_err(describe)? {
            StepKind::Act(action) => Ok(action),
            _ => Err("expected an action; wait, timeout and expect only make sense in a scenario".into()),
        }
    }
}

/// A step's text as logs and failures show it: an `expect` for DTMF
/// shows `Digits=<redacted>`, as every log of the client's commands does
/// (an agent's password travels as DTMF); the step still matches the digits.
fn shown(text: &str, kind: &StepKind) -> String {
    let names_digits = |e: &Expect| e.headers.iter().any(|(key, _)| key.eq_ignore_ascii_case(header::DIGITS));
    match (kind, tokens(text)) {
        (StepKind::Expect(expect), Ok(tokens)) if names_digits(expect) => tokens
            .iter()
            .map(|token| match token.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case(header::DIGITS) => format!("{key}={REDACTED}"),
                _ => token.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => text.to_string(),
    }
}

/// Splits a step's arguments at blanks, keeping double-quoted stretches
/// (quotes included, for `unquote`) together.
fn tokens(text: &str) -> Result<Vec<&str>, Mistake> {
    let mut tokens = Vec::new();
    let mut start = None;
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if start.is_none() && !c.is_whitespace() {
            start = Some(at);
        }
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c.is_whitespace() && !quoted {
            if let Some(from) = start.take() {
                tokens.push(&text[from..at]);
            }
        }
    }
    if quoted {
        return mistake("a closing quote", END);
    }
    tokens.extend(start.map(|from| &text[from..]));
    Ok(tokens)
}

/// The bytes a token stands for: a quoted token's escapes are read.
fn unquote(token: &str) -> Result<Vec<u8>, Mistake> {
    match token.strip_prefix('"') {
        Some(inner) => {
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            unescape(inner).or_else(|expected| mistake(expected, format!("{token:?}")))
        }
        None if token.contains('"') => mistake("quotes around the whole value", token),
        None => Ok(token.as_bytes().to_vec()),
    }
}

/// A header value or a name: text without line breaks or other control
/// characters (malformed bytes are for `raw`).
fn text_value(token: &str) -> Result<String, Mistake> {
    let bytes = unquote(token)?;
    match String::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => Ok(text),
        _ => mistake("text without control characters (use raw for any bytes)", token),
    }
}

fn key_values(tokens: &[&str]) -> Result<Vec<(String, String)>, Mistake> {
    tokens
        .iter()
        .map(|token| match token.split_once('=') {
            Some((key, value)) if !key.is_empty() && !key.contains(['"', ':']) => {
                Ok((key.to_string(), text_value(value)?))
            }
            _ => mistake("Key=Value", *token),
        })
        .collect()
}

fn duration(token: Option<&&str>) -> Result<Duration, Mistake> {
    match token {
        Some(token) => parse_duration(token).map_or_else(|| mistake("a duration such as 200ms or 2s", *token), Ok),
        None => mistake("a duration such as 200ms or 2s", END),
    }
}

fn line_number(token: Option<&&str>) -> Result<Line, Mistake> {
    let token = match token {
        Some(token) => *token,
        None => return mistake("a line number 1 to 6", END),
    };
    Line::parse(token).or_else(|_| mistake("a line number 1 to 6", token))
}

fn optional_line(args: &[&str]) -> Result<Option<Line>, Mistake> {
    match args {
        [] => Ok(None),
        [line] => line_number(Some(line)).map(Some),
        [_, extra, ..] => mistake(END, *extra),
    }
}

fn no_more(args: &[&str]) -> Result<(), Mistake> {
    match args.first() {
        None => Ok(()),
        Some(extra) => mistake(END, *extra),
    }
}

fn required<'a>(args: &[&'a str], what: &str) -> Result<&'a str, Mistake> {
    args.first().copied().map_or_else(|| mistake(what, END), Ok)
}

/// "an agent status (AgentLogin, AgentCalled, ...)", from the protocol's
/// own list.
fn agent_statuses() -> String {
    let names: Vec<_> = EventKind::ALL.iter().filter(|k| k.is_agent()).filter_map(|k| k.status_name()).collect();
    format!("an agent status ({})", names.join(", "))
}

/// The switches `set` knows.
const SWITCHES: [&str; 4] = ["auto-answer", "answer-delay", "refusal", "idle-hangup"];

fn parse_step(text: &str) -> Result<StepKind, Mistake> {
    let all = tokens(text)?;
    let (name, args) = match all.split_first() {
        Some((name, args)) => (name.to_ascii_lowercase(), args),
        None => return mistake(STEP_NAMES, END),
    };
    let act = |action| Ok(StepKind::Act(action));
    match name.as_str() {
        "wait" => {
            no_more(&args[1.min(args.len())..])?;
            Ok(StepKind::Wait(duration(args.first())?))
        }
        "timeout" => {
            no_more(&args[1.min(args.len())..])?;
            Ok(StepKind::Timeout(duration(args.first())?))
        }
        "expect" => {
            let command = text_value(required(args, "a command name such as Login or Dial")?)?;
            let mut rest = &args[1..];
            let mut within = None;
            if rest.len() >= 2 && rest[rest.len() - 2].eq_ignore_ascii_case("within") {
                within = Some(duration(rest.last())?);
                rest = &rest[..rest.len() - 2];
            }
            Ok(StepKind::Expect(Expect { command, headers: key_values(rest)?, within }))
        }
        "send" => {
            let status = text_value(required(args, "a Status such as ReceivingCall or Error")?)?;
            act(Action::Event { status, headers: key_values(&args[1..])? })
        }
        "packet" => {
            if args.is_empty() {
                return mistake("Key=Value", END);
            }
            act(Action::Packet(Packet::from_pairs(&key_values(args)?)))
        }
        "raw" => match args {
            [bytes] if bytes.starts_with('"') => act(Action::Raw(unquote(bytes)?)),
            [] => mistake("quoted bytes such as \"Event: X\\r\\n\\r\\n\"", END),
            [other] => mistake("quoted bytes such as \"Event: X\\r\\n\\r\\n\"", *other),
            [_, extra, ..] => mistake(END, *extra),
        },
        "timestamp" => {
            no_more(args)?;
            act(Action::TimeStamp)
        }
        "ring" => {
            let line = line_number(args.first())?;
            let number = text_value(required(&args[1.min(args.len())..], "the caller's number")?)?;
            no_more(&args[2.min(args.len())..])?;
            act(Action::Ring { line, number })
        }
        "answer-far" => act(Action::FarEndAnswer(optional_line(args)?)),
        "hangup-far" => act(Action::FarEndHangup(optional_line(args)?)),
        "dtmf" => {
            let line = line_number(args.first())?;
            let digits = text_value(required(&args[1.min(args.len())..], "DTMF digits (0-9 * # A-D)")?)?;
            if digits.is_empty() || !digits.chars().all(is_dtmf) {
                return mistake("DTMF digits (0-9 * # A-D)", digits);
            }
            no_more(&args[2.min(args.len())..])?;
            act(Action::Dtmf { line, digits: digits.to_ascii_uppercase() })
        }
        "agent" => {
            let status = required(args, "an agent status such as AgentCalled")?;
            let kind = match EventKind::from_status_name(status) {
                kind if kind.is_agent() => kind,
                _ => return mistake(agent_statuses(), status),
            };
            let mut rest = &args[1..];
            let mut agent = None;
            if let Some(first) = rest.first().filter(|t| !t.contains('=')) {
                agent = Some(text_value(first)?);
                rest = &rest[1..];
            }
            act(Action::Agent { kind, agent, headers: key_values(rest)? })
        }
        "logoff" => {
            no_more(args)?;
            act(Action::Logoff)
        }
        "close" => {
            no_more(args)?;
            act(Action::Close)
        }
        "fault" => {
            let spec = required(args, format!("a fault ({})", Fault::FORMS).as_str())?;
            no_more(&args[1..])?;
            match spec.parse::<Fault>() {
                Ok(fault) => act(Action::Fault(fault)),
                Err(why) => mistake(format!("a fault ({})", Fault::FORMS), format!("{spec:?} ({why})")),
            }
        }
        "set" => match args {
            [switch, value] if switch.eq_ignore_ascii_case("answer-delay") => {
                act(Action::AnswerDelay(duration(Some(value))?))
            }
            [switch] if switch.eq_ignore_ascii_case("answer-delay") => mistake("a duration such as 200ms or 2s", END),
            [switch, value] if switch.eq_ignore_ascii_case("auto-answer") => {
                match value.to_ascii_lowercase().as_str() {
                    "on" => act(Action::AutoAnswer(true)),
                    "off" => act(Action::AutoAnswer(false)),
                    _ => mistake("on or off", *value),
                }
            }
            [switch, value] if switch.eq_ignore_ascii_case("refusal") => match value.parse() {
                Ok(refusal) => act(Action::LoginRefusal(refusal)),
                Err(why) => mistake("response, event or both", format!("{value:?} ({why})")),
            },
            [switch, value] if switch.eq_ignore_ascii_case("idle-hangup") => match value.parse() {
                Ok(answer) => act(Action::IdleHangup(answer)),
                Err(why) => mistake("refuse or ready", format!("{value:?} ({why})")),
            },
            [switch, ..] if !SWITCHES.iter().any(|s| switch.eq_ignore_ascii_case(s)) => {
                mistake("auto-answer, answer-delay, refusal or idle-hangup", *switch)
            }
            [_] => mistake("on or off", END),
            [_, _, extra, ..] => mistake(END, *extra),
            _ => mistake("auto-answer on|off", END),
        },
        _ => mistake(STEP_NAMES, all[0]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<StepKind> {
        Scenario::parse("t.scn", text).unwrap().steps.into_iter().map(|s| s.kind).collect()
    }

    fn act(text: &str) -> Action {
        match kinds(text).pop() {
            Some(StepKind::Act(action)) => action,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn error(text: &str) -> String {
        Scenario::parse("t.scn", text).unwrap_err().to_string()
    }

    fn line(n: u32) -> Line {
        Line::new(n).unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_step() {
        let ms = Duration::from_millis;
        assert_eq!(
            kinds("wait 200ms\n  # comment\n\nTIMEOUT 1.5s"),
            [StepKind::Wait(ms(200)), StepKind::Timeout(ms(1500))]
        );
        let expect = |command: &str, headers: &[(&str, &str)], within| {
            StepKind::Expect(Expect { command: command.into(), headers: pairs(headers), within })
        };
        assert_eq!(kinds("expect Login"), [expect("Login", &[], None)]);
        assert_eq!(
            kinds("expect Dial Number=*9800 Line=\"1\" within 5s"),
            [expect("Dial", &[("Number", "*9800"), ("Line", "1")], Some(ms(5000)))]
        );
        assert_eq!(
            act("send Error Message=\"Ligação não completada\" Code=\"a \\\"b\\\"\""),
            Action::Event {
                status: "Error".into(),
                headers: pairs(&[("Message", "Ligação não completada"), ("Code", "a \"b\"")])
            }
        );
        assert_eq!(
            act("packet Event=Custom Value=a:b"),
            Action::Packet(Packet::from_pairs(&[("Event", "Custom"), ("Value", "a:b")]))
        );
        assert_eq!(
            act("raw \"Event: X\\r\\nN\\xe3o\\0 \\\"q\\\"\""),
            Action::Raw(b"Event: X\r\nN\xe3o\0 \"q\"".to_vec())
        );
        assert_eq!(act("timestamp"), Action::TimeStamp);
        assert_eq!(act("ring 3 5511999990000"), Action::Ring { line: line(3), number: "5511999990000".into() });
        assert_eq!(act("answer-far"), Action::FarEndAnswer(None));
        assert_eq!(act("hangup-far 6"), Action::FarEndHangup(Some(line(6))));
        assert_eq!(act("dtmf 1 12*#ab"), Action::Dtmf { line: line(1), digits: "12*#AB".into() });
        assert_eq!(
            act("agent agentcalled 7001 Uniqueid=1700000000.1"),
            Action::Agent {
                kind: EventKind::AgentCalled,
                agent: Some("7001".into()),
                headers: pairs(&[("Uniqueid", "1700000000.1")])
            }
        );
        assert_eq!(
            act("agent AgentLogoff"),
            Action::Agent { kind: EventKind::AgentLogoff, agent: None, headers: vec![] }
        );
        assert_eq!(act("logoff"), Action::Logoff);
        assert_eq!(act("Close"), Action::Close);
        assert_eq!(act("fault flood=5"), Action::Fault(Fault::Flood(5)));
        assert_eq!(act("set auto-answer off"), Action::AutoAnswer(false));
        assert_eq!(act("set refusal both"), Action::LoginRefusal(LoginRefusal::Both));
        assert_eq!(act("set idle-hangup ready"), Action::IdleHangup(IdleHangup::Ready));
        assert_eq!(act("set answer-delay 1.5s"), Action::AnswerDelay(ms(1500)));
        assert_eq!(act("SET Answer-Delay 0s"), Action::AnswerDelay(ms(0)));
    }

    #[test]
    fn errors_name_the_file_line_and_what_was_expected() {
        assert_eq!(error("wait 1s\nringg 1 55"), format!("t.scn:2: expected {STEP_NAMES}, found ringg"));
        assert_eq!(error("\n\nring x 55"), "t.scn:3: expected a line number 1 to 6, found x");
        assert_eq!(error("ring 7 55"), "t.scn:1: expected a line number 1 to 6, found 7");
        assert_eq!(error("ring 1"), "t.scn:1: expected the caller's number, found the end of the line");
        assert_eq!(error("wait 10"), "t.scn:1: expected a duration such as 200ms or 2s, found 10");
        assert_eq!(error("wait 1s 2s"), "t.scn:1: expected the end of the line, found 2s");
        assert_eq!(
            error("expect"),
            "t.scn:1: expected a command name such as Login or Dial, found the end of the line"
        );
        assert_eq!(error("expect Dial Number"), "t.scn:1: expected Key=Value, found Number");
        assert_eq!(error("send Error Message=\"open"), "t.scn:1: expected a closing quote, found the end of the line");
        assert_eq!(error("dtmf 1 12x"), "t.scn:1: expected DTMF digits (0-9 * # A-D), found 12x");
        assert_eq!(error("raw Event"), "t.scn:1: expected quoted bytes such as \"Event: X\\r\\n\\r\\n\", found Event");
        assert_eq!(
            error("raw \"\\q\""),
            "t.scn:1: expected one of \\\\ \\\" \\r \\n \\t \\0 \\xNN at column 1, found \"\\\"\\\\q\\\"\""
        );
        assert_eq!(
            error("send X Message=\"a\\r\""),
            "t.scn:1: expected text without control characters (use raw for any bytes), found \"a\\r\""
        );
        assert!(error("agent Hangup 7001").starts_with("t.scn:1: expected an agent status (AgentLogin"));
        assert!(error("fault explode").contains("found \"explode\" (\"explode\" is not a fault"));
        assert_eq!(error("set auto-answer maybe"), "t.scn:1: expected on or off, found maybe");
        assert_eq!(
            error("set volume 3"),
            "t.scn:1: expected auto-answer, answer-delay, refusal or idle-hangup, found volume"
        );
        assert!(error("set refusal loudly").starts_with("t.scn:1: expected response, event or both, found \"loudly\""));
        assert_eq!(error("set answer-delay soon"), "t.scn:1: expected a duration such as 200ms or 2s, found soon");
        assert_eq!(
            error("set answer-delay"),
            "t.scn:1: expected a duration such as 200ms or 2s, found the end of the line"
        );
    }

    #[test]
    fn builtins_parse_and_load_by_name_or_path() {
        let names: Vec<_> = Scenario::builtin_names().collect();
        assert_eq!(names, ["outgoing-call", "incoming-call", "agent-login", "queue-call", "user-logoff"]);
        for name in names {
            let scenario = Scenario::load(name).unwrap();
            assert_eq!(scenario.name(), name);
            assert!(scenario.len() >= 3, "{name}");
            let logs_in = |step: &Step| matches!(&step.kind, StepKind::Expect(e) if e.command == "Login");
            assert!(scenario.steps.iter().take(2).any(logs_in), "{name} waits for the login first");
            let file = format!("{}/scenarios/{name}.scn", env!("CARGO_MANIFEST_DIR"));
            assert_eq!(Scenario::load(&file).unwrap().steps, scenario.steps, "the file is what is embedded");
        }
        let missing = Scenario::load("no-such").unwrap_err();
        assert_eq!((missing.line, missing.found.as_str()), (0, "\"no-such\""));
        assert!(missing.to_string().starts_with("no-such: expected a built-in scenario (outgoing-call, "));
        let unreadable = Scenario::load("/nonexistent/x.scn").unwrap_err();
        assert!(unreadable.to_string().starts_with("/nonexistent/x.scn: expected a readable scenario file, found "));
    }

    #[test]
    fn an_expected_password_is_not_shown() {
        let scenario =
            Scenario::parse("t.scn", "expect SendDtmf Digits=1234# within 5s\nexpect Dial Number=100").unwrap();
        assert_eq!(scenario.steps[0].text, "expect SendDtmf Digits=<redacted> within 5s");
        assert!(matches!(&scenario.steps[0].kind, StepKind::Expect(e) if e.headers == pairs(&[("Digits", "1234#")])));
        assert_eq!(scenario.steps[1].text, "expect Dial Number=100");
    }

    #[test]
    fn actions_parse_alone() {
        assert_eq!("ring 1 100".parse::<Action>(), Ok(Action::Ring { line: line(1), number: "100".into() }));
        assert_eq!("ring".parse::<Action>().unwrap_err(), "expected a line number 1 to 6, found the end of the line");
        assert!("wait 1s".parse::<Action>().unwrap_err().contains("only make sense in a scenario"));
    }

    #[test]
    fn expect_matches_command_and_headers() {
        let expect = Expect { command: "dial".into(), headers: pairs(&[("Number", "*9800")]), within: None };
        let dial =
            |number: &str| Packet::from_pairs(&[("Action", "DGPhoneCommand"), ("Command", "Dial"), ("Number", number)]);
        assert!(expect.matches(&dial("*9800")));
        assert!(!expect.matches(&dial("100")));
        assert!(!expect.matches(&Packet::from_pairs(&[("Command", "Hangup"), ("Number", "*9800")])));
    }
}
