//! The simulator's one front end, shared by `dgphone sim` and the
//! `dgphone-sim` binary: one argument struct ([`SimArgs`]) and one grammar
//! for lines typed on standard input, the simulator's [`Action`] text
//! (the form of scenario steps and of `dgp_sim_perform`).
//!
//! Standard output gets one line, `PROGRAM listening on HOST:PORT`, as
//! soon as it listens, so a script can read the port (`--port 0` picks a
//! free one). The traffic is logged on standard error. When standard input
//! ends, the simulator keeps running until it is killed (or, with
//! `--once`, until the first scenario run ends), so it also runs in the
//! background with no input at all.
//!
//! It lives in the command's package, not in `dgphone-sim`'s: the library
//! crates must not depend on clap (CI checks `cargo tree -p dgphone-sim`)
//! and must build with rustc 1.63, which clap 4.5 does not.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use dgphone::wire::record::Recording;
use dgphone_sim::{
    Action, Fault, IdleHangup, LineEnding, LoginPolicy, LoginRefusal, Profile, Recorder, Replay, ReplayOptions,
    Scenario, SimConfig, Simulator, TimestampFields, Traffic,
};

/// How long the far end rings when no option or profile says: about as
/// long as a real call, so Dialing and Answer come apart. (The library's
/// default is zero, for quick tests.)
const HAND_ANSWER_DELAY: Duration = Duration::from_secs(2);

/// The lines standard input takes, for `help` and `--help`.
pub const ACTIONS: &str = "\
Lines typed on standard input are actions played on every connected client,
written as scenario steps (sim/scenarios/README.md):
  ring LINE NUMBER              a call from NUMBER rings on LINE
  answer-far [LINE]             the far end answers the call dialled on LINE
                                (default: every dialling line)
  hangup-far [LINE]             the far end hangs up (default: every call)
  dtmf LINE DIGITS              the far end presses DIGITS (0-9 * # A-D)
  agent STATUS [AGENT] [Key=Value...]
                                an agent event (AgentCalled 7001 Uniqueid=1...)
  send STATUS [Key=Value...]    a DGPhoneEvent with any Status (send Error Message=\"x\")
  packet Key=Value...           any packet
  raw \"BYTES\"                   bytes as they are (\\r\\n escapes)
  timestamp                     a DGTimeStamp now
  set auto-answer on|off        whether the far end answers dialled calls
  set answer-delay DURATION     how long it rings first (200ms, 2s)
  set refusal response|event|both   how a refused login is told
  set idle-hangup refuse|ready  what a Hangup on an idle line gets
  fault SPEC                    a fault now (fault flood=1000, fault restart=2s)
  logoff                        DGPhone closes: every call hung up, UserLogoff
  close                         close every connection (the simulator keeps listening)
  help                          this list
  quit (or exit)                stop the simulator";

/// Every option of `dgphone sim` and `dgphone-sim`.
#[derive(Args, Debug, Clone)]
pub struct SimArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 5038)]
    pub port: u16,
    /// Play a scenario against each client: a built-in name (see
    /// --list-scenarios) or a .scn file (see sim/scenarios/README.md)
    #[arg(long, value_name = "NAME|FILE")]
    pub scenario: Option<String>,
    /// Exit when the first scenario run ends: status 0 if it passed, 1 if
    /// it failed (with --replay: once the first connection has been replayed)
    #[arg(long)]
    pub once: bool,
    /// Print the built-in scenarios' names and exit
    #[arg(long)]
    pub list_scenarios: bool,
    /// Print a built-in scenario and exit
    #[arg(long, value_name = "NAME")]
    pub show_scenario: Option<String>,
    /// Behave like a family of field DGPhones: classic (the documents'
    /// behaviour, answered at once) or field-2013 (colon-free Timestamp from
    /// connect, refused login as response and event, 2 s ring, idle hangup
    /// answered Ready); the other options change it
    #[arg(long, value_name = "NAME", value_parser = |s: &str| s.parse::<Profile>())]
    pub profile: Option<Profile>,
    /// Refuse every login with this message (field-seen: "User is not
    /// active", "Invalid user", "User is not a DGPhone", "Invalid version
    /// of DGPhone")
    #[arg(long, value_name = "MESSAGE", conflicts_with = "ignore_login")]
    pub reject: Option<String>,
    /// Never answer a login (to try timeouts)
    #[arg(long)]
    pub ignore_login: bool,
    /// How a refused login is told: response, event (DGPhoneEvent Status
    /// Error) or both [default: response]
    #[arg(long, value_name = "FORM", value_parser = |s: &str| s.parse::<LoginRefusal>())]
    pub refusal: Option<LoginRefusal>,
    /// Send DGTimeStamp every N seconds after login (0: never) [default: 10]
    #[arg(long, value_name = "N", conflicts_with = "timestamp_ms")]
    pub timestamp_secs: Option<u64>,
    /// The same in milliseconds
    #[arg(long, value_name = "MS")]
    pub timestamp_ms: Option<u64>,
    /// DGTimeStamp's fields: time (local time), timestamp (Unix seconds,
    /// colon-free) or both [default: time]
    #[arg(long, value_name = "FIELD", value_parser = |s: &str| s.parse::<TimestampFields>())]
    pub timestamp_field: Option<TimestampFields>,
    /// Send DGTimeStamps from connect, before login
    #[arg(long)]
    pub timestamps_from_connect: bool,
    /// Send no greeting line on connect
    #[arg(long, conflicts_with = "greeting")]
    pub no_greeting: bool,
    /// The greeting line [default: "DGPhone Remote Control/1.0"]
    #[arg(long, value_name = "TEXT")]
    pub greeting: Option<String>,
    /// Leave dialled calls ringing until `answer-far LINE` is typed
    #[arg(long)]
    pub no_auto_answer: bool,
    /// How long the far end rings before it answers a dialled call, in
    /// milliseconds (0: at once) [default: 2000, or the profile's]
    #[arg(long, value_name = "MS")]
    pub answer_delay_ms: Option<u64>,
    /// What Hangup on an idle line gets: refuse (Status Error) or ready
    /// [default: refuse]
    #[arg(long, value_name = "ANSWER", value_parser = |s: &str| s.parse::<IdleHangup>())]
    pub idle_hangup: Option<IdleHangup>,
    /// End lines with a bare LF instead of CRLF
    #[arg(long)]
    pub lf: bool,
    /// Write text in Windows-1252 instead of UTF-8
    #[arg(long = "windows-1252")]
    pub windows_1252: bool,
    /// A fault every connection starts with (repeatable): delay=DURATION,
    /// byte-at-a-time[=DURATION], silent (lasting); close-mid-packet,
    /// oversize[=BYTES], invalid-utf8, nul, garbage, flood=N,
    /// restart=DURATION (played once after each login)
    #[arg(long, value_name = "SPEC", value_parser = |s: &str| s.parse::<Fault>())]
    pub fault: Vec<Fault>,
    /// Record every connection's raw traffic to FILE
    #[arg(long, value_name = "FILE")]
    pub record: Option<String>,
    /// Serve a recording instead of simulating: the n-th client gets the
    /// recording's n-th connection
    #[arg(long, value_name = "FILE")]
    pub replay: Option<String>,
    /// With --replay: wait for each recorded client packet before sending
    /// what followed it
    #[arg(long, requires = "replay")]
    pub replay_wait: bool,
    /// Do not log the traffic on stderr
    #[arg(long, short)]
    pub quiet: bool,
}

/// How a run ended, for the exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// `quit`, a listing, a replay or a scenario that passed.
    Done,
    /// With `--once`: the scenario failed.
    ScenarioFailed,
}

/// Why the simulator could not run: a mistake in the arguments (`usage`),
/// or the system refused (a port, a file).
#[derive(Debug)]
pub struct SimFailure {
    pub usage: bool,
    pub message: String,
}

fn usage(message: impl Into<String>) -> SimFailure {
    SimFailure { usage: true, message: message.into() }
}

fn failure(message: impl Into<String>) -> SimFailure {
    SimFailure { usage: false, message: message.into() }
}

/// The profile first, then every option given on top of it.
pub fn config(args: &SimArgs) -> Result<SimConfig, SimFailure> {
    let mut config = SimConfig {
        timestamp_interval: Some(Duration::from_secs(10)),
        answer_delay: HAND_ANSWER_DELAY,
        ..SimConfig::default()
    };
    if let Some(profile) = args.profile {
        profile.apply(&mut config);
    }
    if let Some(message) = &args.reject {
        config.login = LoginPolicy::Reject(message.clone());
    } else if args.ignore_login {
        config.login = LoginPolicy::Ignore;
    }
    let interval = match (args.timestamp_secs, args.timestamp_ms) {
        (Some(secs), _) => Some(Duration::from_secs(secs)),
        (None, Some(ms)) => Some(Duration::from_millis(ms)),
        (None, None) => None,
    };
    if let Some(interval) = interval {
        config.timestamp_interval = Some(interval).filter(|d| !d.is_zero());
    }
    if args.no_greeting {
        config.greeting = None;
    }
    if let Some(greeting) = &args.greeting {
        config.greeting = Some(greeting.clone());
    }
    if args.no_auto_answer {
        config.auto_answer = false;
    }
    if let Some(ms) = args.answer_delay_ms {
        config.answer_delay = Duration::from_millis(ms);
    }
    config.login_refusal = args.refusal.unwrap_or(config.login_refusal);
    config.timestamp_fields = args.timestamp_field.unwrap_or(config.timestamp_fields);
    config.timestamps_from_connect |= args.timestamps_from_connect;
    config.idle_hangup = args.idle_hangup.unwrap_or(config.idle_hangup);
    if args.lf {
        config.line_ending = LineEnding::Lf;
    }
    config.windows_1252 |= args.windows_1252;
    config.faults.extend(args.fault.iter().cloned());
    if let Some(spec) = &args.scenario {
        config.scenario = Some(Scenario::load(spec).map_err(|e| usage(e.to_string()))?.shared());
    }
    Ok(config)
}

fn log(traffic: &Traffic<'_>) {
    if let Some(line) = traffic.log_line() {
        eprintln!("{line}");
    }
}

/// Writes the line scripts wait for, at once (not left in a buffer).
fn announce(program: &str, addr: std::net::SocketAddr) -> Result<(), SimFailure> {
    let mut stdout = io::stdout();
    writeln!(stdout, "{program} listening on {addr}")
        .and_then(|_| stdout.flush())
        .map_err(|e| failure(format!("cannot write to stdout: {e}")))
}

/// Runs the simulator (or a replay, or a listing) as `args` say; `program`
/// names it in the line that gives the port.
pub fn run(args: &SimArgs, program: &str) -> Result<Ended, SimFailure> {
    if args.list_scenarios {
        Scenario::builtin_names().for_each(|name| println!("{name}"));
        return Ok(Ended::Done);
    }
    if let Some(name) = &args.show_scenario {
        let text = Scenario::builtin_text(name).ok_or_else(|| usage(format!("no built-in scenario {name:?}")))?;
        print!("{text}");
        return Ok(Ended::Done);
    }
    let config = config(args)?;
    match &args.replay {
        Some(path) => replay(args, program, path),
        None => simulate(args, program, config),
    }
}

fn simulate(args: &SimArgs, program: &str, config: SimConfig) -> Result<Ended, SimFailure> {
    let recorder = match &args.record {
        Some(path) => Some(Recorder::create(path).map_err(|e| failure(format!("cannot create {path}: {e}")))?),
        None => None,
    };
    let quiet = args.quiet;
    let observe = move |traffic: &Traffic<'_>| {
        if !quiet {
            log(traffic);
        }
        if let Some(recorder) = &recorder {
            recorder.observe(traffic);
        }
    };
    let sim = Simulator::start_with_observer((args.host.as_str(), args.port), config, observe)
        .map_err(|e| failure(format!("cannot listen on {}:{}: {e}", args.host, args.port)))?;
    let sim = Arc::new(sim);
    announce(program, sim.local_addr())?;
    if !args.quiet && io::stdin().is_terminal() {
        eprintln!("type `ring 1 5551234` to ring line 1, `help` for more; Ctrl-C stops");
    }
    // Whichever ends the run first: `quit` typed, or (with --once) the
    // first scenario outcome. Threads never joined: they end with the process.
    let (ended, wait) = mpsc::channel();
    let typed = ended.clone();
    let actions = Arc::clone(&sim);
    let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || {
        if read_actions(&actions) {
            let _ = typed.send(Ended::Done);
        }
    });
    if args.once {
        let watched = Arc::clone(&sim);
        let once = ended.clone();
        let _ = std::thread::Builder::new().name("once".into()).spawn(move || loop {
            if let Some(outcome) = watched.wait_for_scenario(Duration::from_secs(3600)) {
                let _ = once.send(if outcome.result.is_ok() { Ended::Done } else { Ended::ScenarioFailed });
                return;
            }
        });
    }
    // `ended` stays alive here, so with no `quit` and no --once this waits
    // for ever: the simulator serves until it is killed.
    Ok(wait.recv().unwrap_or(Ended::Done))
}

/// Plays each line typed on stdin as an action on every client. Returns
/// true on `quit`, false when stdin ends (a script that gives no stdin
/// just never types).
fn read_actions(sim: &Simulator) -> bool {
    for line in io::stdin().lock().lines().map_while(Result::ok) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.to_ascii_lowercase().as_str() {
            "quit" | "exit" => return true,
            "help" => {
                eprintln!("{ACTIONS}");
                continue;
            }
            _ => {}
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
    false
}

fn replay(args: &SimArgs, program: &str, path: &str) -> Result<Ended, SimFailure> {
    let recording = Recording::load(path).map_err(|e| usage(e.to_string()))?;
    if !args.quiet {
        eprintln!("[*] replaying {path}: {} connection(s)", recording.connections.len());
    }
    let options = ReplayOptions { wait_for_client: args.replay_wait };
    let quiet = args.quiet;
    let observe = move |traffic: &Traffic<'_>| {
        if !quiet {
            log(traffic);
        }
    };
    let replay = Replay::start_with_observer((args.host.as_str(), args.port), recording, options, observe)
        .map_err(|e| failure(format!("cannot listen on {}:{}: {e}", args.host, args.port)))?;
    announce(program, replay.local_addr())?;
    loop {
        if replay.wait_until_played(1, Duration::from_secs(3600)) && args.once {
            return Ok(Ended::Done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    fn parse(args: &[&str]) -> Result<SimArgs, clap::Error> {
        Cli::try_parse_from(["sim"].iter().chain(args)).map(|cli| cli.sim)
    }

    fn config_of(args: &[&str]) -> SimConfig {
        config(&parse(args).expect("parses")).expect("a config")
    }

    #[test]
    fn defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!((args.host.as_str(), args.port), ("127.0.0.1", 5038));
        let config = config_of(&[]);
        assert_eq!(config.timestamp_interval, Some(Duration::from_secs(10)));
        assert_eq!(config.login, LoginPolicy::Accept);
        assert!(config.greeting.is_some() && config.auto_answer);
        assert_eq!(config.answer_delay, Duration::from_secs(2), "by hand it rings about two seconds");
        assert!(config.scenario.is_none() && config.faults.is_empty() && !args.once);
    }

    #[test]
    fn every_option() {
        let argv = [
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
        let args = parse(&argv).unwrap();
        let config = config(&args).unwrap();
        assert_eq!((args.host.as_str(), args.port), ("0.0.0.0", 0));
        assert_eq!(config.login, LoginPolicy::Reject("User is not active".into()));
        assert_eq!(config.timestamp_interval, None);
        assert!(config.greeting.is_none() && !config.auto_answer);
        assert_eq!(config.scenario.as_ref().map(|s| s.name()), Some("incoming-call"));
        assert!(args.once && config.windows_1252);
        assert_eq!(config.line_ending, LineEnding::Lf);
        assert_eq!(config.faults, [Fault::ByteAtATime(Duration::ZERO), Fault::Flood(100)]);
        assert_eq!(args.record.as_deref(), Some("out.dgrec"));
        assert_eq!(config.answer_delay, Duration::ZERO);

        let argv = ["--ignore-login", "--timestamp-ms", "250", "--greeting", "Hi", "--replay", "x", "--replay-wait"];
        let args = parse(&argv).unwrap();
        let config = super::config(&args).unwrap();
        assert_eq!(config.login, LoginPolicy::Ignore);
        assert_eq!(config.timestamp_interval, Some(Duration::from_millis(250)));
        assert_eq!((config.greeting.as_deref(), args.replay.as_deref()), (Some("Hi"), Some("x")));
        assert!(args.replay_wait);
    }

    #[test]
    fn a_profile_comes_first_and_options_change_it() {
        let field = config_of(&["--answer-delay-ms", "500", "--profile", "field-2013", "--refusal", "event"]);
        let profile = Profile::Field2013.config();
        assert_eq!(field.answer_delay, Duration::from_millis(500), "the option wins wherever it is");
        assert_eq!(field.login_refusal, LoginRefusal::Event, "the option wins over the profile");
        assert_eq!((field.timestamp_fields, field.idle_hangup), (profile.timestamp_fields, profile.idle_hangup));
        assert!(field.timestamps_from_connect);
        assert_eq!(config_of(&["--profile=classic"]).answer_delay, Duration::ZERO);
        let set = config_of(&["--timestamp-field", "both", "--timestamps-from-connect", "--idle-hangup", "ready"]);
        assert_eq!((set.timestamp_fields, set.idle_hangup), (TimestampFields::Both, IdleHangup::Ready));
        assert!(set.timestamps_from_connect);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        assert!(parse(&["--profile", "x"]).is_err());
        assert!(parse(&["--refusal", "loud"]).is_err());
        assert!(parse(&["--fault", "explode"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--timestamp-secs", "-1"]).is_err());
        assert!(parse(&["--timestamp-secs", "1", "--timestamp-ms", "5"]).is_err());
        assert!(parse(&["--replay-wait"]).is_err(), "only with --replay");
        let missing = config(&parse(&["--scenario", "nope"]).unwrap()).unwrap_err();
        assert!(missing.usage && missing.message.starts_with("nope: expected a built-in scenario (outgoing-call, "));
        let unknown = run(&parse(&["--show-scenario", "x"]).unwrap(), "sim").unwrap_err();
        assert_eq!((unknown.usage, unknown.message.as_str()), (true, "no built-in scenario \"x\""));
    }

    #[test]
    fn every_documented_action_is_one() {
        // The list `help` prints is the grammar: each example line parses.
        for line in [
            "ring 1 5551234",
            "answer-far",
            "answer-far 2",
            "hangup-far 1",
            "dtmf 1 12#",
            "agent AgentCalled 7001 Uniqueid=1",
            "send Error Message=\"x\"",
            "packet Event=Custom",
            "timestamp",
            "set auto-answer off",
            "set answer-delay 200ms",
            "set refusal both",
            "set idle-hangup ready",
            "fault flood=1000",
            "logoff",
            "close",
        ] {
            assert!(line.parse::<Action>().is_ok(), "{line}");
        }
    }
}
