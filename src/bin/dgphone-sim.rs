//! `dgphone-sim`: a simulated DGPhone on a TCP port, for demos, manual
//! tests and other languages' test suites.
//!
//! It prints one line, `dgphone-sim listening on HOST:PORT`, to stdout so a
//! script can read the port (`--port 0` picks a free one), then logs every
//! connection, command and event to stderr. It runs until it is killed.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use dgphone::sim::{LoginPolicy, SimConfig, Simulator, Traffic};
use dgphone::wire::Packet;

const USAGE: &str = "\
Usage: dgphone-sim [options]

A DGPhone simulator speaking DGPhone's remote-control protocol.

Options:
  --host H              address to listen on (default 127.0.0.1)
  --port N              port to listen on (default 5038; 0 picks a free port)
  --reject MESSAGE      refuse every login with this message (e.g. \"Invalid user\")
  --timestamp-secs N    send DGTimeStamp every N seconds after login (default 10; 0 = never)
  --no-greeting         send no greeting line on connect
  --no-auto-answer      leave dialled calls ringing until the far end answers
  --help                show this help

Prints `dgphone-sim listening on HOST:PORT` on stdout, then one line per
connection, command and event on stderr. Runs until killed.";

struct Options {
    host: String,
    port: u16,
    config: SimConfig,
}

/// What the command line asks for.
enum Request {
    Run(Options),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Request, String> {
    let mut options = Options {
        host: "127.0.0.1".to_string(),
        port: 5038,
        config: SimConfig { timestamp_interval: Some(Duration::from_secs(10)), ..SimConfig::default() },
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--port 5038` and `--port=5038`.
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_string(), Some(value.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline_value.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
        match name.as_str() {
            "--help" | "-h" => return Ok(Request::Help),
            "--host" => options.host = value()?,
            "--port" => {
                let text = value()?;
                options.port = text.parse().map_err(|_| format!("--port: {text:?} is not a port number"))?;
            }
            "--reject" => options.config.login = LoginPolicy::Reject(value()?),
            "--timestamp-secs" => {
                let text = value()?;
                let secs: u64 = text.parse().map_err(|_| format!("--timestamp-secs: {text:?} is not a number"))?;
                options.config.timestamp_interval = Some(Duration::from_secs(secs)).filter(|d| !d.is_zero());
            }
            "--no-greeting" => options.config.greeting = None,
            "--no-auto-answer" => options.config.auto_answer = false,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Request::Run(options))
}

/// A packet on one line: its first value (the Command of a command, the
/// Event of an event), then `Key=Value` for the rest. DTMF digits are
/// hidden: an agent's password travels as DTMF.
fn describe(packet: &Packet) -> String {
    let is_command = packet.get("Action").map_or(false, |a| a.eq_ignore_ascii_case("DGPhoneCommand"));
    let lead = if is_command { "Command" } else { "Event" };
    let mut line = packet.get(lead).unwrap_or("(no Event)").to_string();
    for (key, value) in packet.iter() {
        if key.eq_ignore_ascii_case(lead) || (is_command && key.eq_ignore_ascii_case("Action")) {
            continue;
        }
        let value = if key.eq_ignore_ascii_case("Digits") { "***" } else { value };
        let _ = write!(line, " {key}={value}");
    }
    line
}

fn log(traffic: &Traffic<'_>) {
    match traffic {
        Traffic::Connected { client, peer } => eprintln!("[{client}] connected from {peer}"),
        Traffic::Received { client, packet } => eprintln!("[{client}] <- {}", describe(packet)),
        Traffic::Sent { client, packet } => eprintln!("[{client}] -> {}", describe(packet)),
        Traffic::SentRaw { client, bytes } => {
            eprintln!("[{client}] -> raw \"{}\"", bytes.escape_ascii())
        }
        Traffic::Closed { client, reason, .. } => eprintln!("[{client}] closed: {reason}"),
        Traffic::BytesReceived { .. } | Traffic::BytesSent { .. } => {}
        other => eprintln!("{other:?}"),
    }
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Request::Run(options)) => options,
        Ok(Request::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("dgphone-sim: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sim = match Simulator::start_with_observer((options.host.as_str(), options.port), options.config, log) {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("dgphone-sim: cannot listen on {}:{}: {error}", options.host, options.port);
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = io::stdout();
    // Scripts wait for this line, so it must not sit in a buffer.
    let announced = writeln!(stdout, "dgphone-sim listening on {}", sim.local_addr()).and_then(|_| stdout.flush());
    if let Err(error) = announced {
        eprintln!("dgphone-sim: cannot write to stdout: {error}");
        return ExitCode::FAILURE;
    }
    // The simulator's threads do the work; this one waits to be killed.
    loop {
        std::thread::park();
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
            Ok(Request::Run(options)) => options,
            Ok(Request::Help) => panic!("help instead of options for {args:?}"),
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
        ];
        let options = run_options(&args);
        assert_eq!((options.host.as_str(), options.port), ("0.0.0.0", 0));
        assert_eq!(options.config.login, LoginPolicy::Reject("User is not active".into()));
        assert_eq!(options.config.timestamp_interval, None);
        assert!(options.config.greeting.is_none() && !options.config.auto_answer);
    }

    #[test]
    fn help_and_mistakes() {
        assert!(matches!(parse(&["--port", "1", "--help"]), Ok(Request::Help)));
        assert_eq!(parse(&["--port"]).err().unwrap(), "--port needs a value");
        assert!(parse(&["--port", "70000"]).err().unwrap().contains("not a port number"));
        assert!(parse(&["--timestamp-secs", "-1"]).is_err());
        assert_eq!(parse(&["--verbose"]).err().unwrap(), "unknown argument \"--verbose\"");
    }

    #[test]
    fn packets_are_described_on_one_line_without_digits() {
        let dtmf = Packet::new().with("Action", "DGPhoneCommand").with("Command", "SendDtmf").with("Digits", "1234#");
        assert_eq!(describe(&dtmf), "SendDtmf Digits=***");
        let event = Packet::new().with("Event", "DGPhoneEvent").with("Status", "Dialing").with("Line", "1");
        assert_eq!(describe(&event), "DGPhoneEvent Status=Dialing Line=1");
    }
}
