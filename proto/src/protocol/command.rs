//! Commands sent to DGPhone: every documented one, the ones seen in the
//! field, and a generic form for anything else.

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

impl Command {
    /// The command's name as written on the wire (as the documents spell it).
    pub fn name(&self) -> &str {
        match self {
            Command::Login { .. } => "Login",
            Command::Logoff => "logoff",
            Command::Status => "Status",
            Command::LineSelect(_) => "LineSelect",
            Command::Hold(_) => "Hold",
            Command::Dial { .. } => "Dial",
            Command::Answer(_) => "Answer",
            Command::SendDtmf(_) => "SendDtmf",
            Command::Hangup(_) => "Hangup",
            Command::QueueStatus { .. } => "QueueStatus",
            Command::AgentPause { .. } => "AgentPause",
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
                    if key.eq_ignore_ascii_case("Action") || key.eq_ignore_ascii_case("Command") {
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
        let mut p = Packet::new().with("Action", "DGPhoneCommand").with("Command", self.name());
        match self {
            Command::Login { user, remote_mode } => {
                p.push("User", user);
                if *remote_mode {
                    p.push("RemoteMode", "1");
                }
                return Ok(p);
            }
            Command::LineSelect(line) => p.push("Line", &line.to_string()),
            Command::Hold(Some(on)) => p.push("Hold", flag(*on)),
            Command::Dial { number, line } => {
                if let Some(line) = line {
                    p.push("Line", &line.to_string());
                }
                p.push("Number", number);
            }
            Command::Answer(Some(line)) | Command::Hangup(Some(line)) => p.push("Line", &line.to_string()),
            Command::SendDtmf(digits) => p.push("Digits", &digits.to_ascii_uppercase()),
            Command::QueueStatus { queue: Some(queue) } => p.push("Queue", queue),
            Command::AgentPause { agent, paused, reason } => {
                p.push("Agent", agent);
                p.push("Paused", flag(*paused));
                if let Some(reason) = reason {
                    p.push("Reason", reason);
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
            p.push("User", user);
        }
        Ok(p)
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
}
