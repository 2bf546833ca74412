//! A complete session against the built-in simulator: log in, select a
//! line, dial, hold and resume, send DTMF, hang up, then take an incoming
//! call — printing every event and the line states as they change.
//!
//! Run: `cargo run --example demo`

use std::time::Duration;

use dgphone::sim::{SimConfig, Simulator};
use dgphone::{Client, ClientEvent, ClientHandle, Command, Line, LineState, Options};

const WAIT: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default())?;
    println!("simulator listening on 127.0.0.1:{}", sim.port());

    let client = Client::new(Options::default());
    client.on_event(print_event)?;
    client.connect("127.0.0.1", sim.port())?;
    client.login("201")?;

    let line2 = Line::new(2)?;
    step("select line 2", &client, &Command::LineSelect(line2))?;
    step("dial 1002", &client, &Command::Dial { number: "1002".into(), line: None })?;
    let answered = client.expect(move |e| e.kind() == dgphone::EventKind::Answer && e.line() == Some(line2));
    answered.wait(WAIT)?;
    step("hold", &client, &Command::Hold(None))?;
    step("resume", &client, &Command::Hold(None))?;
    println!("\n>> send DTMF 123# (logs show it redacted)");
    client.send_dtmf("123#")?;
    step("hang up", &client, &Command::Hangup(None))?;

    println!("\n>> the simulator rings line 3");
    let ringing = client.expect(|e| e.kind() == dgphone::EventKind::ReceivingCall);
    sim.incoming_call(Line::new(3)?, "5511987654321");
    let call = ringing.wait(WAIT)?;
    step("answer line 3", &client, &Command::Answer(call.line()))?;
    println!("\n>> the far end hangs up");
    let ready = client.expect(|e| e.kind() == dgphone::EventKind::Ready);
    sim.far_end_hangup(Line::new(3)?);
    ready.wait(WAIT)?;

    client.logoff()?;
    print_lines(&client);
    println!("\ndemo complete");
    Ok(())
}

fn step(title: &str, client: &ClientHandle, command: &Command) -> dgphone::Result<()> {
    println!("\n>> {title}");
    client.send_and_confirm(command, WAIT).map(|_| ())
}

fn print_event(client: &ClientHandle, event: &ClientEvent) {
    match event {
        ClientEvent::Phone(e) => {
            let fields: Vec<String> = e.packet().iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("   event {:?}: {}", e.kind(), fields.join(" "));
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
    println!("   lines [{}]", cells.join(" "));
}
