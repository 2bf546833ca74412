//! The scenario parser on arbitrary text. Invariants: no panic; an error
//! names the file and a line that exists in the text; a parsed scenario
//! has no more steps than the text has lines, and parsing is repeatable.
#![no_main]

use dgphone_sim::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(_) => return,
    };
    let lines = text.lines().count();
    match Scenario::parse("fuzz.scn", text) {
        Ok(scenario) => {
            assert!(scenario.len() <= lines);
            assert_eq!(Scenario::parse("fuzz.scn", text).map(|s| s.len()).ok(), Some(scenario.len()));
        }
        Err(error) => {
            assert_eq!(error.file, "fuzz.scn");
            assert!(error.line <= lines.max(1), "{error} (text has {lines} lines)");
            assert!(!error.to_string().is_empty());
        }
    }
});
