//! `dgphone-sim`: a simulated DGPhone on a TCP port, for demos, manual
//! tests, other languages' test suites, and users testing their own CTI
//! applications: scenarios, behaviour switches, faults, recording and
//! replay.
//!
//! It prints one line, `dgphone-sim listening on HOST:PORT`, to stdout so a
//! script can read the port (`--port 0` picks a free one), then logs every
//! connection, command, event, scenario step and fault to stderr. Lines
//! typed on stdin are actions played on every client. It runs until it is
//! killed (or, with `--once`, until the first scenario run ends).

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use dgphone_proto::wire::record::Recording;
use dgphone_sim::{
    Action, Fault, LineEnding, LoginPolicy, Profile, Recorder, Replay, ReplayOptions, Scenario, SimConfig, Simulator,
    Traffic,
};

const USAGE: &str = "\
Usage: dgphone-sim [options]

A DGPhone simulator speaking DGPhone's remote-control protocol.

Options:
  --host H              address to listen on (default 127.0.0.1)
  --port N              port to listen on (default 5038; 0 picks a free port)
  --scenario NAME|FILE  play a scenario against each client: a built-in name
                        (outgoing-call, incoming-call, agent-login, queue-call,
                        user-logoff) or a .scn file (see scenarios/README.md)
  --once                exit when the first scenario run ends: status 0 if it
                        passed, 1 if it failed (with --replay: once the first
                        connection has been replayed)
  --list-scenarios      print the built-in scenarios' names and exit
  --show-scenario NAME  print a built-in scenario and exit
  --profile NAME        behave like a family of field DGPhones (applied first,
                        so other options change it):
                          classic: the documents' behaviour, the far end
                            answers at once
                          field-2013: colon-free Timestamp every 10 s from
                            connect, refused login as response and event,
                            2 s ring, idle hangup answered Ready
  --reject MESSAGE      refuse every login with this message (field-seen ones:
                        \"User is not active\", \"Invalid user\",
                        \"User is not a DGPhone\", \"Invalid version of DGPhone\")
  --ignore-login        never answer a login
  --refusal FORM        how a refused login is told: response (default),
                        event (DGPhoneEvent Status Error) or both
  --timestamp-secs N    send DGTimeStamp every N seconds after login (default 10; 0 = never)
  --timestamp-ms N      the same in milliseconds
  --timestamp-field F   DGTimeStamp's fields: time (default, local time),
                        timestamp (Unix seconds, colon-free) or both
  --timestamps-from-connect
                        send DGTimeStamps from connect, before login
  --no-greeting         send no greeting line on connect
  --greeting TEXT       the greeting line (default \"DGPhone Remote Control/1.0\")
  --no-auto-answer      leave dialled calls ringing until the far end answers
  --answer-delay-ms N   how long the far end rings before it answers a dialled
                        call (default 2000, as a real call; 0 = at once)
  --idle-hangup ANSWER  what Hangup on an idle line gets: refuse (default,
                        Status Error) or ready (Status Ready)
  --lf                  end lines with a bare LF instead of CRLF
  --windows-1252        write text in Windows-1252 instead of UTF-8
  --fault SPEC          a fault every connection starts with (repeatable):
                        delay=DURATION, byte-at-a-time[=DURATION], silent
                        (lasting); close-mid-packet, oversize[=BYTES],
                        invalid-utf8, nul, garbage, flood=N, restart=DURATION
                        (played once after each login)
  --record FILE         record every connection's raw traffic to FILE
  --replay FILE         serve a recording instead of simulating: the n-th
                        client gets the recording's n-th connection
  --replay-wait         with --replay: wait for each recorded client packet
                        before sending what followed it
  --help                show this help

Prints `dgphone-sim listening on HOST:PORT` on stdout, then one line per
connection, command, event, scenario step and fault on stderr. Each line
typed on stdin is an action played on every connected client, written as
a scenario step: ring 1 5511999990000, answer-far, hangup-far 1, dtmf 1 5,
agent AgentCalled 7001 Uniqueid=1, send Error Message=\"x\", logoff, close,
fault flood=1000, fault restart=2s...
Runs until killed.";

/// How long the far end rings when started by hand: about as long as a
/// real call, so Dialing and Answer never arrive in one read. (The
/// library's default is zero, for quick tests.)
const HAND_ANSWER_DELAY: Duration = Duration::from_secs(2);

struct Options {
    host: String,
    port: u16,
    config: SimConfig,
    once: bool,
    record: Option<String>,
    replay: Option<String>,
    replay_wait: bool,
}

/// What the command line asks for.
enum Request {
    Run(Box<Options>),
    Help,
    List,
    Show(&'static str),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Request, String> {
    let mut options = Options {
        host: "127.0.0.1".to_string(),
        port: 5038,
        config: SimConfig {
            timestamp_interval: Some(Duration::from_secs(10)),
            answer_delay: HAND_ANSWER_DELAY,
            ..SimConfig::default()
        },
        once: false,
        record: None,
        replay: None,
        replay_wait: false,
    };
    let args: Vec<String> = args.into_iter().collect();
    // The profile first, wherever it is, so the other options change it.
    let profile = args.iter().enumerate().find_map(|(at, arg)| match arg.strip_prefix("--profile") {
        Some("") => Some(args.get(at + 1).cloned().ok_or_else(|| "--profile needs a value".to_string())),
        Some(value) => value.strip_prefix('=').map(|v| Ok(v.to_string())),
        None => None,
    });
    if let Some(name) = profile {
        name?.parse::<Profile>().map_err(|e| format!("--profile: {e}"))?.apply(&mut options.config);
    }
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--port 5038` and `--port=5038`.
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_string(), Some(value.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline_value.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
        let number = |text: String| -> Result<u64, String> {
            text.parse().map_err(|_| format!("{name}: {text:?} is not a number"))
        };
        match name.as_str() {
            "--help" | "-h" => return Ok(Request::Help),
            "--list-scenarios" => return Ok(Request::List),
            "--show-scenario" => {
                let name = value()?;
                let text = Scenario::builtin_text(&name).ok_or_else(|| format!("no built-in scenario {name:?}"))?;
                return Ok(Request::Show(text));
            }
            "--host" => options.host = value()?,
            "--port" => {
                let text = value()?;
                options.port = text.parse().map_err(|_| format!("--port: {text:?} is not a port number"))?;
            }
            "--scenario" => {
                let scenario = Scenario::load(&value()?).map_err(|e| e.to_string())?;
                options.config.scenario = Some(scenario.shared());
            }
            "--once" => options.once = true,
            "--reject" => options.config.login = LoginPolicy::Reject(value()?),
            "--ignore-login" => options.config.login = LoginPolicy::Ignore,
            // Applied before the loop; its value is skipped here.
            "--profile" => {
                value()?;
            }
            "--refusal" => options.config.login_refusal = value()?.parse().map_err(|e| format!("--refusal: {e}"))?,
            "--timestamp-field" => {
                options.config.timestamp_fields = value()?.parse().map_err(|e| format!("--timestamp-field: {e}"))?;
            }
            "--timestamps-from-connect" => options.config.timestamps_from_connect = true,
            "--idle-hangup" => {
                options.config.idle_hangup = value()?.parse().map_err(|e| format!("--idle-hangup: {e}"))?;
            }
            "--timestamp-secs" => {
                let secs = number(value()?)?;
                options.config.timestamp_interval = Some(Duration::from_secs(secs)).filter(|d| !d.is_zero());
            }
            "--timestamp-ms" => {
                let ms = number(value()?)?;
                options.config.timestamp_interval = Some(Duration::from_millis(ms)).filter(|d| !d.is_zero());
            }
            "--no-greeting" => options.config.greeting = None,
            "--greeting" => options.config.greeting = Some(value()?),
            "--no-auto-answer" => options.config.auto_answer = false,
            "--answer-delay-ms" => options.config.answer_delay = Duration::from_millis(number(value()?)?),
            "--lf" => options.config.line_ending = LineEnding::Lf,
            "--windows-1252" => options.config.windows_1252 = true,
            "--fault" => {
                let spec = value()?;
                options.config.faults.push(spec.parse::<Fault>().map_err(|e| format!("--fault: {e}"))?);
            }
            "--record" => options.record = Some(value()?),
            "--replay" => options.replay = Some(value()?),
            "--replay-wait" => options.replay_wait = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Request::Run(Box::new(options)))
}

fn log(traffic: &Traffic<'_>) {
    if let Some(line) = traffic.log_line() {
        eprintln!("{line}");
    }
}

/// Writes the line scripts wait for, at once.
fn announce(addr: std::net::SocketAddr) -> Result<(), ExitCode> {
    let mut stdout = io::stdout();
    writeln!(stdout, "dgphone-sim listening on {addr}").and_then(|_| stdout.flush()).map_err(|error| {
        eprintln!("dgphone-sim: cannot write to stdout: {error}");
        ExitCode::FAILURE
    })
}

/// Plays each line typed on stdin as an action on every client, until
/// stdin ends (a script that gives no stdin just never types).
fn read_actions(sim: Arc<Simulator>) {
    for line in io::stdin().lock().lines().map_while(Result::ok) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let action: Action = match line.parse() {
            Ok(action) => action,
            Err(why) => {
                eprintln!("[*] {line:?}: {why}");
                continue;
            }
        };
        let results = sim.perform(&action);
        if results.is_empty() {
            eprintln!("[*] {line:?}: no client is connected");
        }
        for (client, result) in results {
            if let Err(why) = result {
                eprintln!("[{client}] {line:?}: {why}");
            }
        }
    }
}

fn simulate(options: Options) -> ExitCode {
    let recorder = match options.record.as_deref().map(Recorder::create).transpose() {
        Ok(recorder) => recorder,
        Err(error) => {
            eprintln!("dgphone-sim: cannot create {}: {error}", options.record.unwrap_or_default());
            return ExitCode::FAILURE;
        }
    };
    let observe = move |traffic: &Traffic<'_>| {
        log(traffic);
        if let Some(recorder) = &recorder {
            recorder.observe(traffic);
        }
    };
    let addr = (options.host.as_str(), options.port);
    let sim = match Simulator::start_with_observer(addr, options.config, observe) {
        Ok(sim) => Arc::new(sim),
        Err(error) => {
            eprintln!("dgphone-sim: cannot listen on {}:{}: {error}", options.host, options.port);
            return ExitCode::FAILURE;
        }
    };
    if let Err(code) = announce(sim.local_addr()) {
        return code;
    }
    let actions = Arc::clone(&sim);
    // Never joined: it ends with stdin, or with the process.
    let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || read_actions(actions));
    loop {
        // The simulator's threads do the work; this one waits for an
        // outcome to exit on (with --once), or for ever.
        if let Some(outcome) = sim.wait_for_scenario(Duration::from_secs(3600)) {
            if options.once {
                return if outcome.result.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
            }
        }
    }
}

fn replay(options: Options, path: &str) -> ExitCode {
    let recording = match Recording::load(path) {
        Ok(recording) => recording,
        Err(error) => {
            eprintln!("dgphone-sim: {error}");
            return ExitCode::from(2);
        }
    };
    eprintln!("[*] replaying {path}: {} connection(s)", recording.connections.len());
    let replay_options = ReplayOptions { wait_for_client: options.replay_wait };
    let addr = (options.host.as_str(), options.port);
    let replay = match Replay::start_with_observer(addr, recording, replay_options, log) {
        Ok(replay) => replay,
        Err(error) => {
            eprintln!("dgphone-sim: cannot listen on {}:{}: {error}", options.host, options.port);
            return ExitCode::FAILURE;
        }
    };
    if let Err(code) = announce(replay.local_addr()) {
        return code;
    }
    loop {
        if replay.wait_until_played(1, Duration::from_secs(3600)) && options.once {
            return ExitCode::SUCCESS;
        }
    }
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Request::Run(options)) => *options,
        Ok(Request::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Request::List) => {
            Scenario::builtin_names().for_each(|name| println!("{name}"));
            return ExitCode::SUCCESS;
        }
        Ok(Request::Show(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("dgphone-sim: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match options.replay.clone() {
        Some(path) => replay(options, &path),
        None => simulate(options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Request, String> {
        parse_args(args.iter().map(|a| a.to_string()))
    }

    fn run_options(args: &[&str]) -> Options {
        match parse(args) {
            Ok(Request::Run(options)) => *options,
            Ok(_) => panic!("not a run for {args:?}"),
            Err(e) => panic!("{args:?}: {e}"),
        }
    }

    #[test]
    fn defaults() {
        let options = run_options(&[]);
        assert_eq!((options.host.as_str(), options.port), ("127.0.0.1", 5038));
        assert_eq!(options.config.timestamp_interval, Some(Duration::from_secs(10)));
        assert_eq!(options.config.login, LoginPolicy::Accept);
        assert!(options.config.greeting.is_some() && options.config.auto_answer);
        assert_eq!(options.config.answer_delay, Duration::from_secs(2));
        assert!(options.config.scenario.is_none() && options.config.faults.is_empty() && !options.once);
    }

    #[test]
    fn every_option() {
        let args = [
            "--host",
            "0.0.0.0",
            "--port=0",
            "--reject",
            "User is not active",
            "--timestamp-secs",
            "0",
            "--no-greeting",
            "--no-auto-answer",
            "--scenario",
            "incoming-call",
            "--once",
            "--lf",
            "--windows-1252",
            "--fault",
            "byte-at-a-time",
            "--fault=flood=100",
            "--record",
            "out.dgrec",
            "--answer-delay-ms",
            "0",
        ];
        let options = run_options(&args);
        assert_eq!((options.host.as_str(), options.port), ("0.0.0.0", 0));
        assert_eq!(options.config.login, LoginPolicy::Reject("User is not active".into()));
        assert_eq!(options.config.timestamp_interval, None);
        assert!(options.config.greeting.is_none() && !options.config.auto_answer);
        assert_eq!(options.config.scenario.as_ref().map(|s| s.name()), Some("incoming-call"));
        assert!(options.once && options.config.windows_1252);
        assert_eq!(options.config.line_ending, LineEnding::Lf);
        assert_eq!(options.config.faults, [Fault::ByteAtATime(Duration::ZERO), Fault::Flood(100)]);
        assert_eq!(options.record.as_deref(), Some("out.dgrec"));
        assert_eq!(options.config.answer_delay, Duration::ZERO);

        let options = run_options(&["--ignore-login", "--timestamp-ms", "250", "--greeting", "Hi", "--replay", "x"]);
        assert_eq!(options.config.login, LoginPolicy::Ignore);
        assert_eq!(options.config.timestamp_interval, Some(Duration::from_millis(250)));
        assert_eq!((options.config.greeting.as_deref(), options.replay.as_deref()), (Some("Hi"), Some("x")));
    }

    #[test]
    fn a_profile_comes_first_and_options_change_it() {
        let options = run_options(&["--answer-delay-ms", "500", "--profile", "field-2013"]);
        let expected = Profile::Field2013.config();
        assert_eq!(options.config.answer_delay, Duration::from_millis(500), "the option wins wherever it is");
        assert_eq!(options.config.timestamp_fields, expected.timestamp_fields);
        assert_eq!(options.config.login_refusal, expected.login_refusal);
        assert_eq!(options.config.idle_hangup, expected.idle_hangup);
        assert!(options.config.timestamps_from_connect);
        let classic = run_options(&["--profile=classic"]);
        assert_eq!(classic.config.answer_delay, Duration::ZERO);
        let set = run_options(&["--refusal", "event", "--timestamp-field=both", "--timestamps-from-connect"]);
        assert_eq!(set.config.login_refusal, dgphone_sim::LoginRefusal::Event);
        assert_eq!(set.config.timestamp_fields, dgphone_sim::TimestampFields::Both);
        assert!(set.config.timestamps_from_connect);
        let ready = run_options(&["--idle-hangup", "ready"]);
        assert_eq!(ready.config.idle_hangup, dgphone_sim::IdleHangup::Ready);
        assert!(parse(&["--profile", "x"]).err().unwrap().starts_with("--profile: \"x\" is not a profile"));
        assert_eq!(parse(&["--profile"]).err().unwrap(), "--profile needs a value");
        assert!(parse(&["--refusal", "loud"]).err().unwrap().starts_with("--refusal: "));
    }

    #[test]
    fn help_lists_and_mistakes() {
        assert!(matches!(parse(&["--port", "1", "--help"]), Ok(Request::Help)));
        assert!(matches!(parse(&["--list-scenarios"]), Ok(Request::List)));
        assert!(matches!(parse(&["--show-scenario", "user-logoff"]), Ok(Request::Show(t)) if t.contains("logoff")));
        assert_eq!(parse(&["--show-scenario", "x"]).err().unwrap(), "no built-in scenario \"x\"");
        assert_eq!(parse(&["--port"]).err().unwrap(), "--port needs a value");
        assert!(parse(&["--port", "70000"]).err().unwrap().contains("not a port number"));
        assert!(parse(&["--timestamp-secs", "-1"]).is_err());
        assert_eq!(parse(&["--verbose"]).err().unwrap(), "unknown argument \"--verbose\"");
        assert!(parse(&["--fault", "explode"]).err().unwrap().starts_with("--fault: \"explode\" is not a fault"));
        let missing = parse(&["--scenario", "nope"]).err().unwrap();
        assert!(missing.starts_with("nope: expected a built-in scenario (outgoing-call, "), "{missing}");
    }
}
