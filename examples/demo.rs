//! A complete session against the built-in simulator: log in, select a
//! line, dial, hold and resume, send DTMF, hang up, then take an incoming
//! call — printing every event and the line states as they change.
//!
//! Events are printed by the event callback, which runs on the
//! connection's reader thread right after the line state was updated, so
//! each event is shown with the line states it produced. The callback also
//! passes each event to the main thread, which waits for the one that ends
//! a step before narrating the next.
//!
//! Run: `cargo run --example demo`

use std::sync::mpsc::{channel, Receiver};
use std::sync::Mutex;
use std::time::Duration;

use dgphone::sim::{SimConfig, Simulator};
use dgphone::{Client, ClientEvent, ClientHandle, EventKind, Line, LineState, Options};

const WAIT: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default())?;
    println!("simulator listening on 127.0.0.1:{}", sim.port());
    let client = Client::new(Options::default());
    let (seen, events) = channel();
    let seen = Mutex::new(seen);
    client.on_event(move |client, event| {
        print_event(client, event);
        let _ = seen.lock().unwrap().send(event.clone());
    })?;
    client.connect("127.0.0.1", sim.port())?;

    say("log in as extension 201");
    client.login("201")?;
    show_until(&events, |e| matches!(e, ClientEvent::LoggedIn { .. }))?;

    let (line2, line3) = (Line::new(2)?, Line::new(3)?);
    say("select line 2");
    client.select_line(line2)?;
    show_until(&events, |e| is(e, EventKind::LineSelected))?;
    say("dial 1002 (the simulated far end answers)");
    client.dial("1002")?;
    show_until(&events, |e| is(e, EventKind::Answer))?;
    say("hold");
    client.hold()?;
    show_until(&events, |e| is(e, EventKind::Hold))?;
    say("resume");
    client.hold()?;
    show_until(&events, |e| is(e, EventKind::Hold))?;
    say("send DTMF 123# (nothing comes back; logs would show it redacted)");
    client.send_dtmf("123#")?;
    say("hang up");
    client.hangup(None)?;
    show_until(&events, |e| is(e, EventKind::Ready))?;

    say("an incoming call rings on line 3");
    sim.incoming_call(line3, "5511987654321");
    show_until(&events, |e| is(e, EventKind::ReceivingCall))?;
    say("answer line 3");
    client.answer(Some(line3))?;
    show_until(&events, |e| is(e, EventKind::Answer))?;
    say("the far end hangs up");
    sim.far_end_hangup(line3);
    show_until(&events, |e| is(e, EventKind::Ready))?;

    say("log off");
    client.logoff()?;
    show_until(&events, |e| matches!(e, ClientEvent::Disconnected { .. }))?;
    println!("\ndemo complete");
    Ok(())
}

fn say(step: &str) {
    println!("\n>> {step}");
}

fn is(event: &ClientEvent, kind: EventKind) -> bool {
    event.phone().map_or(false, |e| e.kind() == kind)
}

/// Waits until the callback has shown an event that ends the step.
fn show_until(events: &Receiver<ClientEvent>, done: impl Fn(&ClientEvent) -> bool) -> Result<(), String> {
    loop {
        let event = events.recv_timeout(WAIT).map_err(|_| "no event within 5 s")?;
        if done(&event) {
            return Ok(());
        }
    }
}

/// Prints an event, and the lines after each DGPhone event about a line.
fn print_event(client: &ClientHandle, event: &ClientEvent) {
    match event {
        ClientEvent::Phone(e) => {
            let fields: Vec<String> = e.packet().iter().skip(1).map(|(k, v)| format!("{k}={v}")).collect();
            println!("   {:<14} {}", format!("{:?}", e.kind()), fields.join(" "));
            if e.line().is_some() {
                print_lines(client);
            }
        }
        other => println!("   {other:?}"),
    }
}

fn print_lines(client: &ClientHandle) {
    let state = client.state();
    let cells: Vec<String> = Line::all()
        .map(|line| {
            let info = state.line(line);
            let mark = if state.selected() == Some(line) { "*" } else { " " };
            match (&info.state, &info.number) {
                (LineState::Idle, _) => format!("{mark}{line}:idle"),
                (s, Some(n)) => format!("{mark}{line}:{s:?}({n})"),
                (s, None) => format!("{mark}{line}:{s:?}"),
            }
        })
        .collect();
    println!("   {:<14} {}", "lines", cells.join(" "));
}
