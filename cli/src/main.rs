//! `dgphone`: monitor, drive and simulate DGPhone (the Intelix PBX
//! softphone) from a terminal or a script, through the dgphone library.
//!
//! This file only parses the command line, runs one subcommand and turns
//! its outcome into an exit code (see `failure.rs`); each subcommand lives
//! in its own module.

mod actions;
mod args;
mod bridge;
mod commands;
mod connect;
mod console;
mod demo;
mod echo;
mod failure;
mod monitor;
mod output;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use dgphone_bridge::json;

use args::{Cli, Command};
use failure::{Exit, Failure};

/// The command's version: always the library's, whose C header carries it
/// as `DGP_VERSION_*` (a test below keeps them equal).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `dgphone sim`: the front end `dgphone-sim` shares (`dgphone_cli::sim`).
fn sim(args: &dgphone_cli::sim::SimArgs) -> Result<(), Failure> {
    use dgphone_cli::sim::{run, Ended};
    match run(args, "dgphone sim") {
        Ok(Ended::Done) => Ok(()),
        Ok(Ended::ScenarioFailed) => Err(Failure::new(Exit::CommandFailed, "the scenario failed")),
        Err(failure) if failure.usage => Err(Failure::new(Exit::Usage, failure.message)),
        Err(failure) => Err(Failure::new(Exit::CannotConnect, failure.message)),
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Monitor(args) => monitor::run(args),
        Command::Call { action, connect } => commands::call(action, connect),
        Command::Answer { action, connect } => commands::answer(action, connect),
        Command::Hangup { action, connect } => commands::hangup(action, connect),
        Command::Hold { action, connect } => commands::hold(action, connect),
        Command::Dtmf { action, connect } => commands::dtmf(action, connect),
        Command::Status { json, connect } => commands::status(json, connect),
        Command::Console(args) => console::run(args),
        Command::Sim(args) => sim(&args),
        Command::Demo(args) => demo::run(args),
        Command::Bridge(args) => bridge::run(args),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap would exit 2 on a usage error; 2 means "cannot connect"
            // here, so usage errors get 1.
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(Exit::Usage as u8),
            };
        }
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("dgphone: {failure}");
            failure.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use dgphone::ffi::{DGP_VERSION_MAJOR, DGP_VERSION_MINOR, DGP_VERSION_PATCH};

    #[test]
    fn the_command_has_the_librarys_version() {
        let library = format!("{DGP_VERSION_MAJOR}.{DGP_VERSION_MINOR}.{DGP_VERSION_PATCH}");
        assert_eq!(super::VERSION, library);
    }
}
