//! Property test of the command layer both ways: every command
//! `to_packet` accepts reads back, through `from_packet`, as itself (the
//! simulator parses commands with `from_packet`, the client writes them
//! with `to_packet`). The fuzz target `command_roundtrip` checks the same
//! with the fuzzer's inputs.

use dgphone_proto::protocol::names::command;
use dgphone_proto::protocol::{Command, Line};
use proptest::prelude::*;

/// Text without control characters, any blanks inside (the validation
/// refuses blanks at either end, so some inputs are skipped, as they
/// should be).
fn text() -> impl Strategy<Value = String> {
    "[^\\p{Cc}]{0,24}"
}

fn key() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_-]{0,15}"
}

fn line() -> impl Strategy<Value = Line> {
    (1u32..=6).prop_map(|n| Line::new(n).unwrap())
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (text(), any::<bool>()).prop_map(|(user, remote_mode)| Command::Login { user, remote_mode }),
        Just(Command::Logoff),
        Just(Command::Status),
        line().prop_map(Command::LineSelect),
        proptest::option::of(any::<bool>()).prop_map(Command::Hold),
        (text(), proptest::option::of(line())).prop_map(|(number, line)| Command::Dial { number, line }),
        proptest::option::of(line()).prop_map(Command::Answer),
        "[0-9*#A-Da-d]{1,20}".prop_map(Command::SendDtmf),
        proptest::option::of(line()).prop_map(Command::Hangup),
        proptest::option::of(text()).prop_map(|queue| Command::QueueStatus { queue }),
        (text(), any::<bool>(), proptest::option::of(text())).prop_map(|(agent, paused, reason)| Command::AgentPause {
            agent,
            paused,
            reason
        }),
        (key(), proptest::collection::vec((key(), text()), 0..5))
            .prop_map(|(name, headers)| Command::Generic { name, headers }),
    ]
}

/// The command as it reads back: DTMF digits in upper case (as written).
fn canonical(command: &Command) -> Command {
    match command {
        Command::SendDtmf(digits) => Command::SendDtmf(digits.to_ascii_uppercase()),
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn every_valid_command_reads_back_as_itself(command in command()) {
        let known = |name: &str| command::ALL.iter().any(|known| known.eq_ignore_ascii_case(name));
        // A Generic spelling a known command is that command, by design.
        prop_assume!(!matches!(&command, Command::Generic { name, .. } if known(name)));
        if let Ok(packet) = command.to_packet(None) {
            prop_assert_eq!(Command::from_packet(&packet), Ok(canonical(&command)));
        }
    }

    #[test]
    fn the_session_user_is_not_part_of_a_known_command(command in command(), user in "[0-9]{1,6}") {
        prop_assume!(!matches!(command, Command::Generic { .. }));
        if let Ok(packet) = command.to_packet(Some(&user)) {
            prop_assert_eq!(Command::from_packet(&packet), Ok(canonical(&command)));
        }
    }
}
