//! The one-shot subcommands: check the arguments, connect, log in, do one
//! thing, wait for DGPhone to confirm it, say what happened, disconnect.
//! Arguments are checked before connecting, so a bad one costs no
//! connection and nothing is sent.
//!
//! They never log off: a logoff may end the user's DGPhone session, which
//! a script acting on one call must not do. Closing the connection is
//! enough.

use std::time::Duration;

use dgphone::{Command, Event};

use crate::actions::{check, hold_mode, optional_line, Actions};
use crate::args::{AnswerArgs, CallArgs, ConnectArgs, DtmfArgs, HoldArgs, LineArg};
use crate::connect;
use crate::failure::Failure;
use crate::{json, output};

/// "line 2", from the line a confirming event names.
fn on_line(event: &Event) -> String {
    event.line().map_or_else(|| "the selected line".to_string(), |l| format!("line {l}"))
}

fn session(connect: &ConnectArgs) -> Result<dgphone::Client, Failure> {
    connect::open(connect, connect.options(), None)
}

pub fn call(action: CallArgs, connect: ConnectArgs) -> Result<(), Failure> {
    let on = optional_line(action.line)?;
    check(&Command::Dial { number: action.number.clone(), line: None })?;
    let client = session(&connect)?;
    let dialing = Actions::new(&client, connect.timeout()).call(&action.number, on)?;
    println!("dialing {} on {}", action.number, on_line(&dialing));
    Ok(())
}

pub fn answer(action: AnswerArgs, connect: ConnectArgs) -> Result<(), Failure> {
    let target = optional_line(action.line)?;
    let client = session(&connect)?;
    let actions = Actions::new(&client, connect.timeout());
    // A fresh connection knows no line: learn which one rings.
    learn_lines(&actions, target)?;
    let answered = actions.answer(target, action.wait_ms.map(Duration::from_millis))?;
    match answered.number().filter(|n| !n.is_empty()) {
        Some(number) => println!("answered {} ({number})", on_line(&answered)),
        None => println!("answered {}", on_line(&answered)),
    }
    Ok(())
}

/// Without a line, the one-shot commands that act on a call ask for the
/// lines first, so that they find the line in a call.
fn learn_lines(actions: &Actions<'_>, line: Option<dgphone::Line>) -> Result<(), Failure> {
    if line.is_none() {
        actions.status()?;
    }
    Ok(())
}

pub fn hangup(action: LineArg, connect: ConnectArgs) -> Result<(), Failure> {
    let target = optional_line(action.line)?;
    let client = session(&connect)?;
    let actions = Actions::new(&client, connect.timeout());
    learn_lines(&actions, target)?;
    let hung_up = actions.hangup(target)?;
    println!("hung up {}", on_line(&hung_up));
    Ok(())
}

pub fn hold(action: HoldArgs, connect: ConnectArgs) -> Result<(), Failure> {
    let on = optional_line(action.line)?;
    let client = session(&connect)?;
    let mode = hold_mode(action.on, action.off);
    let actions = Actions::new(&client, connect.timeout());
    learn_lines(&actions, on)?;
    let held = actions.hold(mode, on)?;
    let now = if held.hold() == Some(true) { "on hold" } else { "off hold" };
    println!("{} {now}", on_line(&held));
    Ok(())
}

pub fn dtmf(action: DtmfArgs, connect: ConnectArgs) -> Result<(), Failure> {
    let on = optional_line(action.line)?;
    check(&Command::SendDtmf(action.digits.clone()))?;
    let client = session(&connect)?;
    let actions = Actions::new(&client, connect.timeout());
    learn_lines(&actions, on)?;
    let target = on.or_else(|| actions.line_in_call());
    actions.dtmf(&action.digits, on)?;
    let where_ = target.map_or_else(|| "the selected line".to_string(), |l| format!("line {l}"));
    // The digits are not repeated: they may be an agent's password.
    println!("sent {} DTMF digit(s) on {where_}", action.digits.chars().count());
    Ok(())
}

pub fn status(as_json: bool, connect: ConnectArgs) -> Result<(), Failure> {
    let client = session(&connect)?;
    Actions::new(&client, connect.timeout()).status()?;
    let state = client.state();
    if as_json {
        println!("{}", json::state(&state));
    } else {
        println!("{}", output::lines_table(&state));
    }
    Ok(())
}
