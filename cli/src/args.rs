//! The command line, declared with clap: the subcommands, their options,
//! and the connection options shared by every subcommand that talks to a
//! DGPhone. The console reuses the action arguments (`CallArgs`...) for
//! the lines typed at its prompt, so both accept the same words.

use clap::{Args, Parser, Subcommand};
use dgphone_cli::sim::{SimArgs, ACTIONS};

/// Shown after the main help: scripts branch on these (see failure.rs).
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  usage error (unknown command or option, missing or unparsable value)
  2  cannot connect (host unreachable, connection refused, unknown host)
  3  login rejected by DGPhone (its message is printed)
  4  timeout (no login response or no confirmation in time)
  5  DGPhone refused the command, or an invalid argument (nothing sent)
  6  connection lost

Connection options also come from DGPHONE_HOST, DGPHONE_PORT,
DGPHONE_USER and DGPHONE_TIMEOUT_MS.";

#[derive(Parser, Debug)]
#[command(
    name = "dgphone",
    version = crate::VERSION,
    about = "Monitor, drive and simulate DGPhone (the Intelix PBX softphone) over its remote-control protocol",
    after_help = EXIT_CODES,
    arg_required_else_help = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Connect, log in, print every event and the line states as they change
    Monitor(MonitorArgs),
    /// Dial NUMBER (on the selected line, or on --line)
    Call {
        #[command(flatten)]
        action: CallArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Answer LINE, or the ringing call
    Answer {
        #[command(flatten)]
        action: AnswerArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// End the call on LINE, or the call in progress
    Hangup {
        #[command(flatten)]
        action: LineArg,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Put the call in progress on hold or take it off (toggles unless --on/--off)
    Hold {
        #[command(flatten)]
        action: HoldArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Send DTMF DIGITS (0-9 * # A-D) on the call in progress, or on --line
    Dtmf {
        #[command(flatten)]
        action: DtmfArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Print the state of the six lines
    Status {
        /// One JSON object instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Interactive: type commands, see events as they arrive
    Console(ConsoleArgs),
    /// Run a simulated DGPhone (for trying the other commands without a PBX);
    /// the same as the dgphone-sim command
    #[command(after_help = ACTIONS)]
    Sim(SimArgs),
    /// A complete scripted session against the built-in simulator, narrated
    Demo(DemoArgs),
    /// Serve click-to-dial, live events and a web softphone panel to browser
    /// CRMs on localhost (HTTP/WebSocket; token, Host and Origin checked)
    Bridge(BridgeArgs),
}

/// Where DGPhone is and who logs in.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnectArgs {
    /// DGPhone's host name or address
    #[arg(long, env = "DGPHONE_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// DGPhone's remote-control port
    #[arg(long, env = "DGPHONE_PORT", default_value_t = 5038)]
    pub port: u16,
    /// The extension (Intelix user) to log in as
    #[arg(long, short, env = "DGPHONE_USER", value_name = "EXTENSION")]
    pub user: String,
    /// How long to wait for the connection, the login response and each
    /// confirmation, in milliseconds
    #[arg(long, env = "DGPHONE_TIMEOUT_MS", value_name = "MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
}

/// How a long-running session survives a lost connection.
#[derive(Args, Debug, Clone)]
pub struct KeepAliveArgs {
    /// Reconnect (and log in again) after a lost connection, forever
    #[arg(long)]
    pub reconnect: bool,
    /// Declare DGPhone dead after this many seconds without a byte
    /// (DGPhone sends DGTimeStamp packets to show it is alive)
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub dead_after: Option<u64>,
}

#[derive(Args, Debug)]
pub struct MonitorArgs {
    /// One JSON object per line (each event with the line states), for scripts
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub keep_alive: KeepAliveArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// Do not read or write the history file
    #[arg(long)]
    pub no_history: bool,
    #[command(flatten)]
    pub keep_alive: KeepAliveArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CallArgs {
    /// The number to dial
    pub number: String,
    /// Select this line (1-6) first
    #[arg(long, value_name = "LINE")]
    pub line: Option<u32>,
}

#[derive(Args, Debug, Clone)]
pub struct AnswerArgs {
    /// The line to answer (1-6); by default the ringing one
    pub line: Option<u32>,
    /// When nothing rings yet, wait this long for a call
    #[arg(long, value_name = "MS")]
    pub wait_ms: Option<u64>,
}

#[derive(Args, Debug, Clone)]
pub struct LineArg {
    /// The line (1-6); by default the only line in a call (when the
    /// selected line has none), else DGPhone's selected line
    pub line: Option<u32>,
}

#[derive(Args, Debug, Clone)]
pub struct HoldArgs {
    /// Put the call on hold
    #[arg(long, conflicts_with = "off")]
    pub on: bool,
    /// Take the call off hold
    #[arg(long)]
    pub off: bool,
    /// Select this line (1-6) first
    #[arg(long, value_name = "LINE")]
    pub line: Option<u32>,
}

#[derive(Args, Debug, Clone)]
pub struct DtmfArgs {
    /// The digits: 0-9 * # A-D (quote # and * in a shell)
    pub digits: String,
    /// Select this line (1-6) first
    #[arg(long, value_name = "LINE")]
    pub line: Option<u32>,
}

#[derive(Args, Debug)]
pub struct BridgeArgs {
    /// DGPhone's address
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:5038")]
    pub dgphone: String,
    /// The extension (Intelix user) to log in as
    #[arg(long, short, env = "DGPHONE_USER", value_name = "EXTENSION")]
    pub user: String,
    /// Where browsers connect: loopback unless told otherwise (port 0 picks a free one)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8750")]
    pub listen: std::net::SocketAddr,
    /// The token file, created (mode 0600) on first start
    /// [default: $XDG_CONFIG_HOME/dgphone/bridge-token or ~/.config/dgphone/bridge-token]
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<std::path::PathBuf>,
    /// An origin whose pages may call the bridge (https://crm.example.com); repeat for more
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// A host name the bridge answers to besides localhost, 127.0.0.1 and ::1; repeat for more
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// How long to wait for each confirmation, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
    /// The largest request body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024)]
    pub body_limit: usize,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How long to wait for each step, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
}

// One line typed at the console prompt: its first word is the command.
#[derive(Parser, Debug)]
#[command(multicall = true, about = "Commands (Ctrl-D or `quit` leaves; `COMMAND --help` tells more):")]
pub struct ConsoleLine {
    #[command(subcommand)]
    pub command: ConsoleCommand,
}

#[derive(Subcommand, Debug)]
pub enum ConsoleCommand {
    /// Dial NUMBER (on the selected line, or on --line)
    Call(CallArgs),
    /// Answer LINE, or the ringing call
    Answer(AnswerArgs),
    /// End the call on LINE, or the call in progress
    Hangup(LineArg),
    /// Put the call in progress on hold or take it off (toggles unless --on/--off)
    Hold(HoldArgs),
    /// Send DTMF DIGITS on the call in progress, or on --line
    Dtmf(DtmfArgs),
    /// Select LINE (1-6)
    Select {
        /// The line (1-6)
        line: u32,
    },
    /// Ask DGPhone for the state of every line, then show them
    Status,
    /// Show the line states as known now (asks DGPhone nothing)
    Lines,
    /// Log off (DGPhone closes the connection)
    Logoff,
    /// Leave the console
    #[command(alias = "exit")]
    Quit,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_declarations_are_consistent() {
        Cli::command().debug_assert();
        ConsoleLine::command().debug_assert();
    }

    #[test]
    fn console_lines_parse_like_the_subcommands() {
        let line = ConsoleLine::try_parse_from(["call", "1002", "--line", "2"]).unwrap();
        match line.command {
            ConsoleCommand::Call(CallArgs { number, line }) => assert_eq!((number.as_str(), line), ("1002", Some(2))),
            other => panic!("{other:?}"),
        }
        assert!(matches!(ConsoleLine::try_parse_from(["exit"]).unwrap().command, ConsoleCommand::Quit));
        assert!(ConsoleLine::try_parse_from(["hold", "--on", "--off"]).is_err());
    }
}
