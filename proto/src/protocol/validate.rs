//! Checks on every value an application hands us, before anything is sent.
//!
//! A CR or LF in a value would let it inject headers or whole actions, a NUL
//! would cut it short on the C side: all control characters are refused.

use std::fmt;

use thiserror::Error;

/// The longest value accepted in any header.
pub const MAX_VALUE_LEN: usize = 256;
/// The longest number, extension, agent code or DTMF string accepted.
pub const MAX_SHORT_LEN: usize = 64;

/// A bad argument: which one, and why. Nothing was sent.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("invalid {arg}: {reason}")]
pub struct ArgError {
    /// The argument (or header) at fault, e.g. `line`, `digits`, `Queue`.
    pub arg: String,
    /// Why it was refused, in plain words.
    pub reason: String,
}

impl ArgError {
    pub(crate) fn new(arg: impl Into<String>, reason: impl Into<String>) -> ArgError {
        ArgError { arg: arg.into(), reason: reason.into() }
    }
}

/// One of DGPhone's six lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line(u8);

impl Line {
    /// The number of lines a DGPhone has.
    pub const COUNT: usize = 6;

    /// Line `number`, which must be 1 to 6.
    pub fn new(number: u32) -> Result<Line, ArgError> {
        match number {
            1..=6 => Ok(Line(number as u8)),
            _ => Err(ArgError::new("line", format!("{number} is not a line (DGPhone has lines 1 to 6)"))),
        }
    }

    /// A line written as text, as in a `Line:` header or a typed action:
    /// its number, blanks around it allowed.
    pub fn parse(text: &str) -> Result<Line, ArgError> {
        match text.trim().parse::<u32>() {
            Ok(number) => Line::new(number),
            Err(_) => Err(ArgError::new("line", format!("{text:?} is not a line number (DGPhone has lines 1 to 6)"))),
        }
    }

    /// A line given by a C caller, who passes a signed int (`int32_t`).
    pub fn from_c(number: i32) -> Result<Line, ArgError> {
        match u32::try_from(number) {
            Ok(number) => Line::new(number),
            Err(_) => Err(ArgError::new("line", format!("{number} is not a line (DGPhone has lines 1 to 6)"))),
        }
    }

    /// The line a received `Line:` value names, if it names one. Every
    /// event names its line as one digit: that case skips the general
    /// parse, and builds no error nobody would read.
    pub(crate) fn from_value(text: &str) -> Option<Line> {
        match text.as_bytes() {
            [digit @ b'1'..=b'6'] => Some(Line(digit - b'0')),
            _ => Line::parse(text).ok(),
        }
    }

    /// Every line, 1 to 6.
    pub fn all() -> impl Iterator<Item = Line> {
        (1..=6).map(Line)
    }

    /// The line's number, 1 to 6.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The line's place in a 0-based table of six.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Refuses control characters and over-long values; `required` also
/// refuses an empty one.
pub fn check_text(arg: &str, value: &str, max: usize, required: bool) -> Result<(), ArgError> {
    if required && value.trim().is_empty() {
        return Err(ArgError::new(arg, "must not be empty"));
    }
    if value.len() > max {
        return Err(ArgError::new(arg, format!("is {} bytes long, the limit is {max}", value.len())));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let what = match c {
            '\r' => "a carriage return (CR)".to_string(),
            '\n' => "a line feed (LF)".to_string(),
            '\0' => "a NUL byte".to_string(),
            c => format!("the control character U+{:04X}", u32::from(c)),
        };
        return Err(ArgError::new(arg, format!("contains {what}, which could inject protocol lines")));
    }
    if value != value.trim() {
        return Err(ArgError::new(arg, "has leading or trailing blanks, which the protocol strips"));
    }
    Ok(())
}

/// DTMF digits: `0-9 * # A-D` (lower-case a-d is taken as upper-case).
pub fn check_digits(digits: &str) -> Result<(), ArgError> {
    check_text("digits", digits, MAX_SHORT_LEN, true)?;
    match digits.chars().find(|c| !is_dtmf(*c)) {
        Some(c) => Err(ArgError::new("digits", format!("{c:?} is not a DTMF digit (0-9, *, #, A-D)"))),
        None => Ok(()),
    }
}

/// True for a DTMF digit.
pub fn is_dtmf(c: char) -> bool {
    matches!(c.to_ascii_uppercase(), '0'..='9' | '*' | '#' | 'A'..='D')
}

/// A header name for a generic command: letters, digits, `-` and `_`.
pub fn check_key(key: &str) -> Result<(), ArgError> {
    let valid = !key.is_empty()
        && key.len() <= MAX_SHORT_LEN
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ArgError::new(format!("header name {key:?}"), "must be 1 to 64 letters, digits, '-' or '_'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(Line::new(1).unwrap().index(), 0);
        assert_eq!(Line::new(6).unwrap().number(), 6);
        assert_eq!(Line::new(0).unwrap_err().arg, "line");
        assert!(Line::new(7).is_err());
        assert_eq!(Line::parse(" 3 ").map(Line::number), Ok(3));
        assert_eq!(Line::parse("6").map(Line::number), Ok(6));
        assert!(Line::parse("0").is_err() && Line::parse("9").is_err());
        assert!(Line::parse("x").is_err() && Line::parse("7").is_err() && Line::parse("-1").is_err());
        assert_eq!(Line::from_c(6).map(Line::number), Ok(6));
        assert!(Line::from_c(-1).is_err() && Line::from_c(0).is_err());
        assert_eq!(Line::all().count(), Line::COUNT);
    }

    #[test]
    fn text_refuses_injection() {
        for bad in ["1\r\nAction: Hangup", "1\n", "a\0b", "a\u{7}b", "a\u{85}b"] {
            let err = check_text("number", bad, MAX_SHORT_LEN, true).unwrap_err();
            assert_eq!(err.arg, "number");
            assert!(err.reason.contains("contains"), "{err}");
        }
        assert!(check_text("number", "", MAX_SHORT_LEN, true).is_err());
        assert!(check_text("reason", "", MAX_SHORT_LEN, false).is_ok());
        assert!(check_text("number", " 12", MAX_SHORT_LEN, true).is_err());
        assert!(check_text("number", &"9".repeat(65), MAX_SHORT_LEN, true).is_err());
        assert!(check_text("message", "Não, obrigado: 12:00", MAX_VALUE_LEN, true).is_ok());
    }

    #[test]
    fn digits() {
        assert!(check_digits("0123456789*#ABCDabcd").is_ok());
        let err = check_digits("12E").unwrap_err();
        assert!(err.reason.contains("'E'"), "{err}");
        assert!(check_digits("").is_err());
    }

    #[test]
    fn keys() {
        assert!(check_key("Queue").is_ok());
        assert!(check_key("X-Custom_1").is_ok());
        assert!(check_key("Bad: key").is_err());
        assert!(check_key("").is_err());
    }
}
