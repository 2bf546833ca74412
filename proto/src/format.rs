//! The one error of the line-oriented text formats (wire recordings, the
//! simulator's scenarios): which file, which line, what was expected there
//! and what was found, so every such mistake reads the same way.

use std::fmt;

/// A text file that cannot be read as its format says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub file: String,
    /// 1-based; 0 for the file as a whole (it cannot be read, say).
    pub line: usize,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: expected {}, found {}", self.file, self.expected, self.found)
        } else {
            write!(f, "{}:{}: expected {}, found {}", self.file, self.line, self.expected, self.found)
        }
    }
}

impl std::error::Error for FormatError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_unless_the_whole_file_is_at_fault() {
        let at = |line| FormatError { file: "x.scn".into(), line, expected: "a step".into(), found: "\"?\"".into() };
        assert_eq!(at(3).to_string(), "x.scn:3: expected a step, found \"?\"");
        assert_eq!(at(0).to_string(), "x.scn: expected a step, found \"?\"");
    }
}
