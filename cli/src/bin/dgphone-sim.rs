//! `dgphone-sim`: a simulated DGPhone on a TCP port, for demos, manual
//! tests, other languages' test suites, and users testing their own CTI
//! applications: scenarios, behaviour switches, faults, recording and
//! replay. The same front end as `dgphone sim` (`dgphone_cli::sim`): the
//! same options, the same actions on standard input.
//!
//! Exit status: 0 when it is told to quit (or a `--once` scenario passed),
//! 1 when a `--once` scenario failed or it cannot listen, 2 for a mistake
//! in the arguments (a bad scenario or recording included).

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use dgphone_cli::sim::{self, Ended, SimArgs, ACTIONS};

/// A DGPhone simulator speaking DGPhone's remote-control protocol.
///
/// Prints `dgphone-sim listening on HOST:PORT` on stdout, then one line per
/// connection, command, event, scenario step and fault on stderr. Runs
/// until killed (or `quit` on stdin, or the end of a `--once` run).
#[derive(Parser)]
#[command(name = "dgphone-sim", version, after_help = ACTIONS)]
struct Cli {
    #[command(flatten)]
    sim: SimArgs,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    match sim::run(&cli.sim, "dgphone-sim") {
        Ok(Ended::Done) => ExitCode::SUCCESS,
        Ok(Ended::ScenarioFailed) => ExitCode::FAILURE,
        Err(failure) => {
            eprintln!("dgphone-sim: {}", failure.message);
            ExitCode::from(if failure.usage { 2 } else { 1 })
        }
    }
}
