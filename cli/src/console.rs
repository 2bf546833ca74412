//! `dgphone console`: an interactive session. Commands typed at a prompt
//! (with line editing and history, by rustyline), events printed as they
//! arrive, the six lines shown whenever they change.
//!
//! Events are printed from the connection's reader thread while the main
//! thread may be waiting at the prompt; rustyline's external printer puts
//! them above the prompt without breaking the line being typed. When
//! standard input or output is not a terminal (a script piping commands
//! in), there is no prompt and events go straight to standard output.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};

use dgphone::protocol::names::command;
use dgphone::{ClientEvent, ClientHandle, Command, EventKind};

use crate::actions::{check, hold_mode, line, optional_line, Actions};
use crate::args::{ConsoleArgs, ConsoleCommand, ConsoleLine};
use crate::connect;
use crate::echo::{Echo, Sink, Stdout};
use crate::failure::{Exit, Failure};
use crate::output;

const PROMPT: &str = "dgphone> ";

/// rustyline's printer as a [`Sink`].
struct Above<P>(P);

impl<P: ExternalPrinter + Send> Sink for Above<P> {
    fn print(&mut self, text: String) -> io::Result<()> {
        self.0.print(text + "\n").map_err(io::Error::other)
    }
}

/// `$XDG_STATE_HOME/dgphone/history`, else `~/.local/state/dgphone/history`.
fn history_file() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    Some(state.join("dgphone").join("history"))
}

/// What the loop does after a command.
enum Next {
    Prompt,
    Leave,
}

/// The session: what commands act on and print through.
struct Console<'a> {
    client: &'a ClientHandle,
    actions: Actions<'a>,
    echo: Echo,
    wait: Duration,
}

impl Console<'_> {
    /// Runs one typed command. Success prints nothing of its own: the
    /// events it caused were printed before this returns.
    fn run(&self, command: ConsoleCommand) -> Result<Next, Failure> {
        self.echo.drain();
        let confirmed = match command {
            ConsoleCommand::Call(a) => {
                let on = optional_line(a.line)?;
                check(&Command::Dial { number: a.number.clone(), line: None })?;
                self.actions.call(&a.number, on)?
            }
            ConsoleCommand::Answer(a) => {
                self.actions.answer(optional_line(a.line)?, a.wait_ms.map(Duration::from_millis))?
            }
            ConsoleCommand::Hangup(a) => self.actions.hangup(optional_line(a.line)?)?,
            ConsoleCommand::Hold(a) => self.actions.hold(hold_mode(a.on, a.off), optional_line(a.line)?)?,
            ConsoleCommand::Select { line: number } => self.actions.select(line(number)?)?,
            ConsoleCommand::Dtmf(a) => {
                // The connection stays open, so no Status needs to follow
                // the digits: a refusal shows up as an Error event.
                let on = optional_line(a.line)?;
                check(&Command::SendDtmf(a.digits.clone()))?;
                if let Some(on) = on.or_else(|| self.actions.line_in_call()) {
                    let selected = self.actions.select(on)?;
                    self.echo.until_printed(self.wait, &selected)?;
                }
                // Said first: a refusal (an Error event) then reads as the answer.
                self.echo.say(format!("sending {} DTMF digit(s)", a.digits.chars().count()));
                self.client.send_dtmf(&a.digits).map_err(|e| Failure::from_error(e, command::SEND_DTMF))?;
                return Ok(Next::Prompt);
            }
            ConsoleCommand::Status => {
                let answers = self.actions.status()?;
                if let Some(last) = answers.last() {
                    self.echo.until_printed(self.wait, last)?;
                }
                self.echo.say(output::lines_table(&self.client.state()));
                return Ok(Next::Prompt);
            }
            ConsoleCommand::Lines => {
                self.echo.say(output::lines_table(&self.client.state()));
                return Ok(Next::Prompt);
            }
            ConsoleCommand::Logoff => {
                self.client.logoff().map_err(|e| Failure::from_error(e, command::LOGOFF))?;
                self.echo.until(self.wait, |e| matches!(e, ClientEvent::Disconnected { .. }))?;
                return Ok(Next::Leave);
            }
            ConsoleCommand::Quit => return Ok(Next::Leave),
        };
        self.echo.until_printed(self.wait, &confirmed)?;
        Ok(Next::Prompt)
    }

    /// Reports a failed command; only a lost connection ends the console
    /// (unless the library is reconnecting).
    fn report(&self, failure: Failure, reconnecting: bool) -> Result<(), Failure> {
        if let Some(cause) = &failure.cause {
            let _ = self.echo.until_printed(self.wait, cause);
        }
        if failure.exit == Exit::ConnectionLost && !reconnecting {
            return Err(failure);
        }
        self.echo.say(format!("error: {failure}"));
        Ok(())
    }
}

pub fn run(args: ConsoleArgs) -> Result<(), Failure> {
    let mut editor =
        DefaultEditor::new().map_err(|e| Failure::new(Exit::CommandFailed, format!("cannot read commands: {e}")))?;
    let sink: Box<dyn Sink> = match editor.create_external_printer() {
        Ok(printer) => Box::new(Above(printer)),
        Err(_) => Box::new(Stdout),
    };
    let interactive = io::stdin().is_terminal();
    let history = history_file().filter(|_| interactive && !args.no_history);
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    // DGPhone's keep-alive would scroll the screen every few seconds.
    let not_keep_alive = |e: &ClientEvent| e.phone().map_or(true, |p| p.kind() != EventKind::TimeStamp);
    let (handler, echo) = Echo::new(sink, "  ", not_keep_alive);
    let options = args.keep_alive.apply(args.connect.options());
    let client = connect::open(&args.connect, options, Some(handler))?;
    let wait = args.connect.timeout();
    let console = Console { client: &client, actions: Actions::new(&client, wait), echo, wait };
    if interactive {
        console.echo.say("`help` lists the commands, `quit` leaves; events appear as they come.");
    }
    // Learn the lines, so `answer` finds the ringing one.
    if let Err(failure) = console.run(ConsoleCommand::Status) {
        console.echo.say(format!("the line states are unknown until events tell them: {failure}"));
    }
    let mut outcome = Ok(());
    loop {
        let typed = match editor.readline(PROMPT) {
            Ok(typed) => typed,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                outcome = Err(Failure::new(Exit::CommandFailed, format!("cannot read commands: {e}")));
                break;
            }
        };
        let words: Vec<&str> = typed.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(typed.as_str());
        let command = match ConsoleLine::try_parse_from(words) {
            Ok(line) => line.command,
            // Help, or a mistake with its usage.
            Err(e) => {
                console.echo.say(e.to_string().trim_end());
                continue;
            }
        };
        match console.run(command) {
            Ok(Next::Prompt) => {}
            Ok(Next::Leave) => break,
            Err(failure) => {
                if let Err(fatal) = console.report(failure, args.keep_alive.reconnect) {
                    outcome = Err(fatal);
                    break;
                }
            }
        }
    }
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    outcome
}
