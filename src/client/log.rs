//! The log hook, with the level filter and DTMF redaction in one place.

use super::{LogLevel, Options};
use crate::protocol::Command;

pub struct Log {
    level: LogLevel,
    redact_dtmf: bool,
    sink: Option<super::Logger>,
}

impl Log {
    pub fn new(options: &Options) -> Log {
        Log { level: options.log_level, redact_dtmf: options.redact_dtmf, sink: options.logger.clone() }
    }

    pub fn enabled(&self, level: LogLevel) -> bool {
        self.sink.is_some() && level <= self.level
    }

    /// Logs a line built only when someone will read it.
    pub fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        if let Some(sink) = &self.sink {
            if level <= self.level {
                sink(level, &line());
            }
        }
    }

    /// A command as it may appear in a log: DTMF digits hidden when
    /// redaction is on (they may be an agent code or password).
    pub fn describe(&self, command: &Command) -> String {
        match command {
            Command::SendDtmf(_) if self.redact_dtmf => "SendDtmf Digits=<redacted>".to_string(),
            Command::Login { user, .. } => format!("Login User={user}"),
            Command::Dial { number, line } => match line {
                Some(line) => format!("Dial Line={line} Number={number}"),
                None => format!("Dial Number={number}"),
            },
            other => format!("{other:?}"),
        }
    }
}
