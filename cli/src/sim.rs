//! `dgphone sim`: a simulated DGPhone on a TCP port, to try `monitor`,
//! `console` and the one-shot commands without a PBX.
//!
//! Standard output gets one line, `dgphone sim listening on HOST:PORT`, as
//! soon as it listens, so a script can read the port (`--port 0` picks a
//! free one). The traffic is logged on standard error. Lines typed on
//! standard input play the other party (`ring 5551234`, `hangup 1`...);
//! when standard input ends, the simulator keeps running until it is
//! killed, so it also runs in the background with no input at all.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use clap::Parser;

use dgphone::Line;
use dgphone_sim::{LoginPolicy, SimConfig, Simulator, Traffic};

use crate::args::{SimArgs, SimCommand, SimLine};
use crate::failure::{Exit, Failure};

/// How long the far end rings when no option or profile says: about as
/// long as a real call, so Dialing and Answer come apart.
const HAND_ANSWER_DELAY: Duration = Duration::from_secs(2);

/// The profile first, then every option given on top of it.
fn config(args: &SimArgs) -> SimConfig {
    let mut config = SimConfig { answer_delay: HAND_ANSWER_DELAY, ..SimConfig::default() };
    if let Some(profile) = args.profile {
        profile.apply(&mut config);
    }
    config.login = match (&args.reject, args.ignore_login) {
        (Some(message), _) => LoginPolicy::Reject(message.clone()),
        (None, true) => LoginPolicy::Ignore,
        (None, false) => LoginPolicy::Accept,
    };
    if args.no_greeting {
        config.greeting = None;
    }
    config.timestamp_interval = Some(Duration::from_secs(args.timestamp_secs)).filter(|d| !d.is_zero());
    config.auto_answer = !args.no_auto_answer;
    if let Some(ms) = args.answer_delay_ms {
        config.answer_delay = Duration::from_millis(ms);
    }
    config.login_refusal = args.refusal.unwrap_or(config.login_refusal);
    config.timestamp_fields = args.timestamp_field.unwrap_or(config.timestamp_fields);
    config.timestamps_from_connect |= args.timestamps_from_connect;
    config.idle_hangup = args.idle_hangup.unwrap_or(config.idle_hangup);
    config
}

fn log(traffic: &Traffic<'_>) {
    if let Some(line) = traffic.log_line() {
        eprintln!("{line}");
    }
}

/// Plays one typed line on every logged-in client's phone. Returns false
/// to stop.
fn play(sim: &Simulator, command: SimCommand) -> Result<bool, String> {
    let line = |n: u32| Line::new(n).map_err(|e| e.to_string());
    match command {
        SimCommand::Ring { number, line: n } => sim.incoming_call(line(n)?, &number),
        SimCommand::Answer { line: n } => sim.far_end_answer(line(n)?),
        SimCommand::Hangup { line: n } => sim.far_end_hangup(line(n)?),
        SimCommand::Dtmf { line: n, digits } => {
            let on = line(n)?;
            for digit in digits.chars() {
                sim.dtmf_received(on, digit);
            }
        }
        SimCommand::Drop => sim.disconnect_all(),
        SimCommand::Quit => return Ok(false),
    }
    Ok(true)
}

pub fn run(args: SimArgs) -> Result<(), Failure> {
    let config = config(&args);
    let started = if args.quiet {
        Simulator::start((args.host.as_str(), args.port), config)
    } else {
        Simulator::start_with_observer((args.host.as_str(), args.port), config, log)
    };
    let sim = started
        .map_err(|e| Failure::new(Exit::CannotConnect, format!("cannot listen on {}:{}: {e}", args.host, args.port)))?;
    let mut stdout = io::stdout();
    // Scripts wait for this line, so it must not sit in a buffer.
    writeln!(stdout, "dgphone sim listening on {}", sim.local_addr())
        .and_then(|_| stdout.flush())
        .map_err(|e| Failure::new(Exit::CommandFailed, format!("cannot write to stdout: {e}")))?;
    if !args.quiet {
        eprintln!("type `ring 5551234` to ring line 1, `help` for more; Ctrl-C stops");
    }
    for typed in io::stdin().lock().lines() {
        let Ok(typed) = typed else { break };
        let words: Vec<&str> = typed.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        match SimLine::try_parse_from(words).map_err(|e| e.to_string()).and_then(|l| play(&sim, l.command)) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(message) => eprintln!("{}", message.trim_end()),
        }
    }
    // No more input: serve until killed.
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use dgphone_sim::{IdleHangup, LoginRefusal, Profile, TimestampFields};

    fn config_of(args: &[&str]) -> SimConfig {
        let cli = Cli::try_parse_from(["dgphone", "sim"].iter().chain(args)).expect("parses");
        match cli.command {
            Command::Sim(args) => config(&args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn by_hand_it_rings_two_seconds_and_a_profile_comes_first() {
        assert_eq!(config_of(&[]).answer_delay, Duration::from_secs(2));
        assert_eq!(config_of(&["--answer-delay-ms", "0"]).answer_delay, Duration::ZERO);
        let field = config_of(&["--profile", "field-2013", "--refusal", "event"]);
        let profile = Profile::Field2013.config();
        assert_eq!(field.login_refusal, LoginRefusal::Event, "the option wins over the profile");
        assert_eq!((field.timestamp_fields, field.idle_hangup), (profile.timestamp_fields, profile.idle_hangup));
        assert!(field.timestamps_from_connect);
        assert_eq!(config_of(&["--profile", "classic"]).answer_delay, Duration::ZERO);
        let set = config_of(&["--timestamp-field", "both", "--timestamps-from-connect", "--idle-hangup", "ready"]);
        assert_eq!((set.timestamp_fields, set.idle_hangup), (TimestampFields::Both, IdleHangup::Ready));
        assert!(set.timestamps_from_connect);
        assert!(Cli::try_parse_from(["dgphone", "sim", "--profile", "x"]).is_err());
    }
}
