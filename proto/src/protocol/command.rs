//! Commands sent to DGPhone: every documented one, the ones seen in the
//! field, and a generic form for anything else.

use thiserror::Error;

use super::names::{self, command as name, header, same_name};
use super::validate::{check_digits, check_key, check_text, ArgError, Line, MAX_SHORT_LEN, MAX_VALUE_LEN};
use crate::wire::Packet;

/// A command for DGPhone. Build it freely; it is validated when encoded
/// ([`Command::to_packet`]), so nothing invalid is ever sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Log an extension in. With `remote_mode`, DGPhone refuses local call
    /// commands (`RemoteMode: 1`).
    Login { user: String, remote_mode: bool },
    /// Log off; DGPhone closes the connection.
    Logoff,
    /// Ask for the state of the lines: one event per line.
    Status,
    /// Select one of the six lines.
    LineSelect(Line),
    /// Put the selected line on hold or take it off: `None` toggles,
    /// `Some(true)`/`Some(false)` sends the field-seen `Hold: 1|0`.
    Hold(Option<bool>),
    /// Dial on the selected line (or on `line`, a field-seen extra).
    Dial { number: String, line: Option<Line> },
    /// Answer on `line`, or on the selected line.
    Answer(Option<Line>),
    /// Send DTMF digits (`0-9 * # A-D`) on the selected line.
    SendDtmf(String),
    /// End the call on `line`, or on the selected line.
    Hangup(Option<Line>),
    /// Field-seen: ask for the calls waiting in a queue (answered by
    /// QueueEntry events and QueueStatusComplete).
    QueueStatus { queue: Option<String> },
    /// Field-seen: pause or resume an agent.
    AgentPause { agent: String, paused: bool, reason: Option<String> },
    /// Any other command: its name and headers, validated like the rest.
    Generic { name: String, headers: Vec<(String, String)> },
}

fn flag(value: bool) -> &'static str {
    if value {
        "1"
    } else {
        "0"
    }
}

/// Why a packet is not a command DGPhone runs. The text of each is the
/// `Message:` DGPhone answers with (colon-free, as field parsers need).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum CommandError {
    #[error("Missing Action")]
    MissingAction,
    /// An Action other than DGPhoneCommand.
    #[error("Unknown Action {0}")]
    UnknownAction(String),
    /// A header the command needs is absent or blank (`Command` included).
    #[error("Missing {0}")]
    Missing(&'static str),
    /// A `Line:` that is not 1 to 6.
    #[error("Invalid line {0}, DGPhone has lines 1 to 6")]
    BadLine(String),
    /// A `0|1` header (`Hold`, `Paused`) with another value.
    #[error("Invalid {header} {value}, 0 or 1")]
    BadFlag { header: &'static str, value: String },
    /// `Digits:` with something that is not DTMF.
    #[error("Invalid Digits, {0}")]
    BadDigits(String),
}

/// Action and Command: the library writes them, no generic header may.
fn is_set_by_library(key: &str) -> bool {
    key.eq_ignore_ascii_case(header::ACTION) || key.eq_ignore_ascii_case(header::COMMAND)
}

/// A header's trimmed value, which must be there and not blank.
fn required<'a>(packet: &'a Packet, key: &'static str) -> Result<&'a str, CommandError> {
    match packet.get(key).map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(CommandError::Missing(key)),
    }
}

fn parse_line(text: &str) -> Result<Line, CommandError> {
    Line::parse(text).map_err(|_| CommandError::BadLine(text.to_string()))
}

/// `Line:` when present (then it must be a line).
fn optional_line(packet: &Packet) -> Result<Option<Line>, CommandError> {
    packet.get(header::LINE).map(parse_line).transpose()
}

/// A `0|1` header when present.
fn optional_flag(packet: &Packet, key: &'static str) -> Result<Option<bool>, CommandError> {
    match packet.get(key).map(str::trim) {
        None => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(other) => Err(CommandError::BadFlag { header: key, value: other.to_string() }),
    }
}

impl Command {
    /// The command's name as written on the wire (as the documents spell it).
    pub fn name(&self) -> &str {
        match self {
            Command::Login { .. } => name::LOGIN,
            Command::Logoff => name::LOGOFF,
            Command::Status => name::STATUS,
            Command::LineSelect(_) => name::LINE_SELECT,
            Command::Hold(_) => name::HOLD,
            Command::Dial { .. } => name::DIAL,
            Command::Answer(_) => name::ANSWER,
            Command::SendDtmf(_) => name::SEND_DTMF,
            Command::Hangup(_) => name::HANGUP,
            Command::QueueStatus { .. } => name::QUEUE_STATUS,
            Command::AgentPause { .. } => name::AGENT_PAUSE,
            Command::Generic { name, .. } => name,
        }
    }

    /// Checks every argument; the error names the one at fault.
    pub fn validate(&self) -> Result<(), ArgError> {
        match self {
            Command::Login { user, .. } => check_text("user", user, MAX_SHORT_LEN, true),
            Command::Dial { number, .. } => check_text("number", number, MAX_SHORT_LEN, true),
            Command::SendDtmf(digits) => check_digits(digits),
            Command::QueueStatus { queue: Some(queue) } => check_text("queue", queue, MAX_SHORT_LEN, true),
            Command::AgentPause { agent, reason, .. } => {
                check_text("agent", agent, MAX_SHORT_LEN, true)?;
                reason.as_deref().map_or(Ok(()), |r| check_text("reason", r, MAX_VALUE_LEN, false))
            }
            Command::Generic { name, headers } => {
                check_key(name).map_err(|e| ArgError::new("command name", e.reason))?;
                for (key, value) in headers {
                    check_key(key)?;
                    if is_set_by_library(key) {
                        return Err(ArgError::new(key.clone(), "is set by the library"));
                    }
                    check_text(key, value, MAX_VALUE_LEN, false)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The packet to send. `user`, when given, adds the `User:` header that
    /// field code sends with every command (Login always carries its own).
    pub fn to_packet(&self, user: Option<&str>) -> Result<Packet, ArgError> {
        self.validate()?;
        let mut p = Packet::new().with(header::ACTION, names::DGPHONE_COMMAND).with(header::COMMAND, self.name());
        match self {
            Command::Login { user, remote_mode } => {
                p.push(header::USER, user);
                if *remote_mode {
                    p.push(header::REMOTE_MODE, "1");
                }
                return Ok(p);
            }
            Command::LineSelect(line) => p.push(header::LINE, &line.to_string()),
            Command::Hold(Some(on)) => p.push(header::HOLD, flag(*on)),
            Command::Dial { number, line } => {
                if let Some(line) = line {
                    p.push(header::LINE, &line.to_string());
                }
                p.push(header::NUMBER, number);
            }
            Command::Answer(Some(line)) | Command::Hangup(Some(line)) => p.push(header::LINE, &line.to_string()),
            Command::SendDtmf(digits) => p.push(header::DIGITS, &digits.to_ascii_uppercase()),
            Command::QueueStatus { queue: Some(queue) } => p.push(header::QUEUE, queue),
            Command::AgentPause { agent, paused, reason } => {
                p.push(header::AGENT, agent);
                p.push(header::PAUSED, flag(*paused));
                if let Some(reason) = reason {
                    p.push(header::REASON, reason);
                }
            }
            Command::Generic { headers, .. } => {
                for (key, value) in headers {
                    p.push(key, value);
                }
            }
            _ => {}
        }
        if let Some(user) = user {
            check_text("user", user, MAX_SHORT_LEN, true)?;
            p.push(header::USER, user);
        }
        Ok(p)
    }

    /// Reads a command out of a received packet: the inverse of
    /// [`Command::to_packet`] (`from_packet(&c.to_packet(None)?) == c` for
    /// every command `to_packet` accepts, DTMF digits in upper case, and a
    /// `Generic` whose name is none of the known commands'). Header names,
    /// the Action and the command name are matched without regard to case,
    /// as DGPhone reads them (`logoff` and `Logoff` both occur); values are
    /// trimmed.
    ///
    /// The `User:` field code adds to every command is the session's, not
    /// the command's: it is not part of a known command (read it with
    /// `packet.get`). A command the enum does not know (`DGTimeStamp`,
    /// anything new) is `Generic` with every header but Action and Command.
    /// A Login without a User is `Login` with an empty user, which DGPhone
    /// answers with a Login response rather than an error event.
    ///
    /// Arguments are checked in the order DGPhone checks them, and the
    /// error's text is the message DGPhone answers with.
    pub fn from_packet(packet: &Packet) -> Result<Command, CommandError> {
        let action = packet.get(header::ACTION).map_or("", str::trim);
        if action.is_empty() {
            return Err(CommandError::MissingAction);
        }
        if !same_name(action, names::DGPHONE_COMMAND) {
            return Err(CommandError::UnknownAction(action.to_string()));
        }
        let command = required(packet, header::COMMAND)?;
        let is = |expected: &str| same_name(command, expected);
        let line = || optional_line(packet);
        Ok(if is(name::LOGIN) {
            let user = packet.get(header::USER).map_or("", str::trim).to_string();
            let remote_mode = packet.get(header::REMOTE_MODE).map(str::trim) == Some("1");
            Command::Login { user, remote_mode }
        } else if is(name::LOGOFF) {
            Command::Logoff
        } else if is(name::STATUS) {
            Command::Status
        } else if is(name::LINE_SELECT) {
            Command::LineSelect(parse_line(required(packet, header::LINE)?)?)
        } else if is(name::HOLD) {
            // Hold names no line in the documents; one sent anyway must be
            // a line (read it with `Command::packet_line`).
            line()?;
            Command::Hold(optional_flag(packet, header::HOLD)?)
        } else if is(name::DIAL) {
            let number = required(packet, header::NUMBER)?.to_string();
            Command::Dial { number, line: line()? }
        } else if is(name::ANSWER) {
            Command::Answer(line()?)
        } else if is(name::SEND_DTMF) {
            let digits = required(packet, header::DIGITS)?;
            check_digits(digits).map_err(|e| CommandError::BadDigits(e.reason))?;
            Command::SendDtmf(digits.to_string())
        } else if is(name::HANGUP) {
            Command::Hangup(line()?)
        } else if is(name::QUEUE_STATUS) {
            let queue = packet.get(header::QUEUE).map(str::trim).filter(|q| !q.is_empty());
            Command::QueueStatus { queue: queue.map(str::to_string) }
        } else if is(name::AGENT_PAUSE) {
            let agent = required(packet, header::AGENT)?.to_string();
            let paused = optional_flag(packet, header::PAUSED)?.ok_or(CommandError::Missing(header::PAUSED))?;
            let reason = packet.get(header::REASON).map(|r| r.trim().to_string());
            Command::AgentPause { agent, paused, reason }
        } else {
            let headers = packet.iter().filter(|(key, _)| !is_set_by_library(key));
            Command::Generic {
                name: command.to_string(),
                headers: headers.map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            }
        })
    }

    /// The `Line:` a command packet names, checked as
    /// [`Command::from_packet`] checks it: for a receiver that honours a
    /// line on a command whose variant has none (Hold).
    pub fn packet_line(packet: &Packet) -> Result<Option<Line>, CommandError> {
        optional_line(packet)
    }

    /// The line a command names explicitly, if any.
    pub fn line(&self) -> Option<Line> {
        match self {
            Command::LineSelect(line) => Some(*line),
            Command::Dial { line, .. } | Command::Answer(line) | Command::Hangup(line) => *line,
            _ => None,
        }
    }

    /// True for a command that carries a secret in clear (DTMF may be an
    /// agent code or password): logs show it redacted.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Command::SendDtmf(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(cmd: &Command, user: Option<&str>) -> String {
        String::from_utf8(cmd.to_packet(user).unwrap().encode()).unwrap()
    }

    #[test]
    fn documented_commands_encode() {
        let line2 = Line::new(2).unwrap();
        assert_eq!(
            wire(&Command::Login { user: "201".into(), remote_mode: true }, None),
            "Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\nRemoteMode: 1\r\n\r\n"
        );
        assert_eq!(wire(&Command::Logoff, None), "Action: DGPhoneCommand\r\nCommand: logoff\r\n\r\n");
        assert_eq!(
            wire(&Command::LineSelect(line2), Some("201")),
            "Action: DGPhoneCommand\r\nCommand: LineSelect\r\nLine: 2\r\nUser: 201\r\n\r\n"
        );
        assert_eq!(
            wire(&Command::Dial { number: "0800 123:4".into(), line: None }, None),
            "Action: DGPhoneCommand\r\nCommand: Dial\r\nNumber: 0800 123:4\r\n\r\n"
        );
        assert_eq!(
            wire(&Command::SendDtmf("12ab#".into()), None),
            "Action: DGPhoneCommand\r\nCommand: SendDtmf\r\nDigits: 12AB#\r\n\r\n"
        );
        assert_eq!(wire(&Command::Hangup(None), None), "Action: DGPhoneCommand\r\nCommand: Hangup\r\n\r\n");
        assert_eq!(
            wire(&Command::Answer(Some(line2)), None),
            "Action: DGPhoneCommand\r\nCommand: Answer\r\nLine: 2\r\n\r\n"
        );
        assert_eq!(
            wire(&Command::Hold(Some(false)), None),
            "Action: DGPhoneCommand\r\nCommand: Hold\r\nHold: 0\r\n\r\n"
        );
    }

    #[test]
    fn field_extras_encode() {
        let pause = Command::AgentPause { agent: "7001".into(), paused: true, reason: Some("Lunch".into()) };
        assert_eq!(
            wire(&pause, None),
            "Action: DGPhoneCommand\r\nCommand: AgentPause\r\nAgent: 7001\r\nPaused: 1\r\nReason: Lunch\r\n\r\n"
        );
        let generic = Command::Generic { name: "QueueStatus".into(), headers: vec![("Queue".into(), "sales".into())] };
        assert_eq!(wire(&generic, None), wire(&Command::QueueStatus { queue: Some("sales".into()) }, None));
    }

    #[test]
    fn bad_arguments_name_the_argument() {
        let cases = [
            (Command::Dial { number: "1\r\nCommand: Hangup".into(), line: None }, "number"),
            (Command::SendDtmf("12x".into()), "digits"),
            (Command::Login { user: "".into(), remote_mode: true }, "user"),
            (Command::Generic { name: "X".into(), headers: vec![("Command".into(), "Hangup".into())] }, "Command"),
            (Command::Generic { name: "X".into(), headers: vec![("Q".into(), "a\0".into())] }, "Q"),
            (Command::Generic { name: "Bad Name".into(), headers: vec![] }, "command name"),
        ];
        for (cmd, arg) in cases {
            assert_eq!(cmd.to_packet(None).unwrap_err().arg, arg, "{cmd:?}");
        }
        assert_eq!(Command::Status.to_packet(Some("2\n01")).unwrap_err().arg, "user");
    }

    fn read(pairs: &[(&str, &str)]) -> Result<Command, CommandError> {
        Command::from_packet(&Packet::from_pairs(pairs))
    }

    fn command(name: &str, headers: &[(&str, &str)]) -> Result<Command, CommandError> {
        let mut pairs = vec![("Action", "DGPhoneCommand"), ("Command", name)];
        pairs.extend_from_slice(headers);
        read(&pairs)
    }

    #[test]
    fn names_and_headers_are_read_without_case() {
        for spelling in ["logoff", "Logoff", "LOGOFF"] {
            assert_eq!(command(spelling, &[]), Ok(Command::Logoff), "{spelling}");
        }
        let lower = read(&[("action", "dgphonecommand"), ("command", "dial"), ("number", "100"), ("line", "2")]);
        assert_eq!(lower, Ok(Command::Dial { number: "100".into(), line: Some(Line::new(2).unwrap()) }));
        let upper = read(&[("ACTION", "DGPhoneCommand"), ("COMMAND", "SENDDTMF"), ("DIGITS", "12#")]);
        assert_eq!(upper, Ok(Command::SendDtmf("12#".into())));
        assert_eq!(command("lineselect", &[("LINE", " 3 ")]), Ok(Command::LineSelect(Line::new(3).unwrap())));
    }

    #[test]
    fn bare_commands_and_optional_fields() {
        assert_eq!(
            command("Status", &[("User", "201")]),
            Ok(Command::Status),
            "the session's User is not the command's"
        );
        assert_eq!(command("Hold", &[]), Ok(Command::Hold(None)));
        assert_eq!(command("Hold", &[("Hold", "0"), ("Line", "2")]), Ok(Command::Hold(Some(false))));
        assert_eq!(command("Answer", &[]), Ok(Command::Answer(None)));
        assert_eq!(command("Hangup", &[("Line", "6")]), Ok(Command::Hangup(Some(Line::new(6).unwrap()))));
        assert_eq!(command("QueueStatus", &[("Queue", " ")]), Ok(Command::QueueStatus { queue: None }));
        assert_eq!(
            command("Login", &[("User", "201"), ("RemoteMode", "1")]),
            Ok(Command::Login { user: "201".into(), remote_mode: true })
        );
        // An empty user is DGPhone's to answer (with a Login response).
        assert_eq!(command("Login", &[]), Ok(Command::Login { user: String::new(), remote_mode: false }));
        assert_eq!(
            command("AgentPause", &[("Agent", "7001"), ("Paused", "0")]),
            Ok(Command::AgentPause { agent: "7001".into(), paused: false, reason: None })
        );
    }

    #[test]
    fn unknown_commands_are_generic() {
        let stamp = command("DGTimeStamp", &[("User", "201")]);
        let headers = vec![("User".to_string(), "201".to_string())];
        assert_eq!(stamp, Ok(Command::Generic { name: "DGTimeStamp".into(), headers }));
        let other = read(&[("Command", "Transfer"), ("Action", "DGPhoneCommand"), ("To", "300"), ("action", "x")]);
        let headers = vec![("To".to_string(), "300".to_string())];
        assert_eq!(
            other,
            Ok(Command::Generic { name: "Transfer".into(), headers }),
            "Action and Command are not headers"
        );
    }

    #[test]
    fn refusals_say_what_dgphone_says() {
        let message = |r: Result<Command, CommandError>| r.unwrap_err().to_string();
        assert_eq!(message(read(&[("Command", "Status")])), "Missing Action");
        assert_eq!(message(read(&[("Action", "Ping")])), "Unknown Action Ping");
        assert_eq!(message(read(&[("Action", "DGPhoneCommand"), ("Command", " ")])), "Missing Command");
        assert_eq!(message(command("LineSelect", &[])), "Missing Line");
        assert_eq!(message(command("LineSelect", &[("Line", "7")])), "Invalid line 7, DGPhone has lines 1 to 6");
        assert_eq!(message(command("Dial", &[("Line", "1")])), "Missing Number");
        assert_eq!(
            message(command("Dial", &[("Number", "1"), ("Line", "x")])),
            "Invalid line x, DGPhone has lines 1 to 6"
        );
        assert_eq!(message(command("Hold", &[("Hold", "maybe")])), "Invalid Hold maybe, 0 or 1");
        assert_eq!(
            message(command("Hold", &[("Line", "0"), ("Hold", "maybe")])),
            "Invalid line 0, DGPhone has lines 1 to 6"
        );
        assert!(message(command("SendDtmf", &[("Digits", "12x")])).starts_with("Invalid Digits, 'x'"));
        assert_eq!(message(command("AgentPause", &[("Paused", "0")])), "Missing Agent");
        assert_eq!(message(command("AgentPause", &[("Agent", "7"), ("Paused", "yes")])), "Invalid Paused yes, 0 or 1");
        assert_eq!(message(command("AgentPause", &[("Agent", "7")])), "Missing Paused");
    }
}
