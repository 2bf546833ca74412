//! `dgphone monitor`: log in and print every event, with the line states
//! whenever they change, until the connection ends.
//!
//! Printing happens in the event callback, on the reader thread, right
//! after the library applied the event to the line state: each event is
//! shown with the state it produced. The main thread only waits for the
//! end: a lost connection (exit 6; with --reconnect only a logoff ends
//! it), or standard output closing (`dgphone monitor --json | head -3`),
//! which ends it quietly.

use std::io::{self, Write};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use dgphone::{ClientEvent, ClientHandle, DisconnectReason, PhoneState};

use crate::actions::Actions;
use crate::args::MonitorArgs;
use crate::connect;
use crate::failure::Failure;
use crate::{json, output};

/// Why monitoring stops.
enum End {
    Lost(DisconnectReason),
    StdoutClosed,
}

/// Writes one event, as text or JSON; in text, the lines follow the first
/// event and every event that changed them.
fn write_event(json: bool, event: &ClientEvent, now: &PhoneState, last: &mut Option<PhoneState>) -> io::Result<()> {
    let at = SystemTime::now();
    let mut out = io::stdout().lock();
    if json {
        writeln!(out, "{}", json::event(event, now, at))?;
    } else {
        writeln!(out, "{}  {}", output::utc_clock(at), output::event_line(event))?;
        if last.as_ref() != Some(now) {
            writeln!(out, "{:14}{}", "", output::lines_row(now))?;
        }
    }
    *last = Some(now.clone());
    out.flush()
}

pub fn run(args: MonitorArgs) -> Result<(), Failure> {
    let (end_tx, end) = channel::<End>();
    let end_tx: Mutex<Sender<End>> = Mutex::new(end_tx);
    let last = Mutex::new(None);
    let (json, reconnect) = (args.json, args.keep_alive.reconnect);
    let handler = move |client: &ClientHandle, event: &ClientEvent| {
        let now = client.state();
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let ended = match event {
            ClientEvent::Disconnected { reason } => {
                // With --reconnect the library comes back by itself, except
                // after a logoff or a close we asked for.
                let comes_back =
                    reconnect && !matches!(reason, DisconnectReason::LoggedOff | DisconnectReason::Requested);
                (!comes_back).then(|| End::Lost(reason.clone()))
            }
            _ => None,
        };
        let ended = match write_event(json, event, &now, &mut last) {
            Ok(()) => ended,
            Err(_) => Some(End::StdoutClosed),
        };
        if let Some(ended) = ended {
            let _ = end_tx.lock().unwrap_or_else(|e| e.into_inner()).send(ended);
        }
    };
    let options = args.keep_alive.apply(args.connect.options());
    let client = connect::open(&args.connect, options, Some(Arc::new(handler)))?;
    // Fill the line states from DGPhone; a DGPhone that does not answer
    // Status is still worth watching.
    if let Err(failure) = Actions::new(&client, args.connect.timeout()).status() {
        eprintln!("dgphone: the line states are unknown until events tell them: {failure}");
    }
    match end.recv() {
        Ok(End::Lost(reason)) => Err(Failure::lost(&reason)),
        Ok(End::StdoutClosed) | Err(_) => Ok(()),
    }
}
