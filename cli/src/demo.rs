//! `dgphone demo`: a complete, narrated session. A simulated DGPhone runs
//! in this process; the library drives it over a real loopback TCP
//! connection exactly as it would drive a real one. The simulator also
//! plays the other party: it rings, presses keys and hangs up.
//!
//! Each step says what it does, shows the command sent (`->`), then the
//! events that came back and the line states they produced; the step ends
//! when the event that completes it has been printed. A DGPhone refusal
//! (an Error event) or a missing event ends the demo with its exit code.

use std::time::{Duration, Instant};

use dgphone::protocol::names::{command, header};
use dgphone::wire::Packet;
use dgphone::{ClientEvent, Command, Event, EventKind, Line};
use dgphone_sim::{SimConfig, Simulator};

use crate::actions::Actions;
use crate::args::{ConnectArgs, DemoArgs};
use crate::connect;
use crate::echo::{Echo, Stdout};
use crate::failure::{Exit, Failure};
use crate::output;
use dgphone::flows::HoldMode;

const USER: &str = "201";
const CALLER: &str = "5511987654321";
const CALLED: &str = "1002";

struct Narrator {
    echo: Echo,
    wait: Duration,
    steps: usize,
}

impl Narrator {
    fn step(&mut self, text: &str) {
        self.steps += 1;
        self.echo.say(format!("\n>> {}. {text}", self.steps));
    }

    /// Shows a command as it goes on the wire, but for the
    /// `Action: DGPhoneCommand` every command starts with.
    fn sends(&self, command: &Command) {
        if let Ok(packet) = command.to_packet(None) {
            let shown: Vec<(&str, &str)> = packet.iter().filter(|(key, _)| *key != header::ACTION).collect();
            self.echo.say(format!("   -> {}", output::headers(&Packet::from_pairs(&shown))));
        }
    }

    /// Waits until the event that ends the step has been printed; an
    /// Error from DGPhone on the way fails the demo.
    fn until(&self, what: &str, done: impl Fn(&Event) -> bool) -> Result<(), Failure> {
        let seen = self
            .echo
            .until(self.wait, |e| e.phone().is_some_and(|p| done(p) || p.kind() == EventKind::Error))
            .map_err(|f| Failure { message: format!("{} (waiting for {what})", f.message), ..f })?;
        match seen.phone() {
            Some(event) if event.kind() == EventKind::Error && !done(event) => {
                Err(Failure::refused(what, event.clone()))
            }
            _ => Ok(()),
        }
    }
}

fn is(kind: EventKind, line: Line) -> impl Fn(&Event) -> bool {
    move |e| e.kind() == kind && e.line() == Some(line)
}

pub fn run(args: DemoArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default())
        .map_err(|e| Failure::new(Exit::CannotConnect, format!("cannot start the simulator: {e}")))?;
    let (handler, echo) = Echo::new(Box::new(Stdout), "   ", |_| true);
    let mut n = Narrator { echo, wait: Duration::from_millis(args.timeout_ms), steps: 0 };
    n.echo.say(format!(
        "dgphone demo: a simulated DGPhone listens on {}; the dgphone library drives it over TCP.",
        sim.local_addr()
    ));
    let (line1, line2) = (Line::new(1).map_err(Failure::invalid)?, Line::new(2).map_err(Failure::invalid)?);

    n.step(&format!("connect and log in as extension {USER}"));
    n.sends(&Command::Login { user: USER.into(), remote_mode: true });
    let connect =
        ConnectArgs { host: "127.0.0.1".into(), port: sim.port(), user: USER.into(), timeout_ms: args.timeout_ms };
    let client = connect::open(&connect, connect.options(), Some(handler))?;
    n.echo.until(n.wait, |e| matches!(e, ClientEvent::LoggedIn { .. }))?;
    let act = Actions::new(&client, n.wait);

    n.step("ask for the state of the six lines");
    n.sends(&Command::Status);
    act.status()?;
    n.until("the status of line 6", is(EventKind::Ready, Line::new(6).map_err(Failure::invalid)?))?;

    n.step(&format!("a call from {CALLER} rings on line 1 (the simulator plays the caller)"));
    sim.incoming_call(line1, CALLER);
    n.until("the call to ring", is(EventKind::ReceivingCall, line1))?;

    n.step("answer the ringing line");
    n.sends(&Command::Answer(Some(line1)));
    act.answer(None, None)?;
    n.until("the answer", is(EventKind::Answer, line1))?;

    n.step("the caller presses 4 and 2 (DTMF from the far end)");
    sim.dtmf_received(line1, '4');
    sim.dtmf_received(line1, '2');
    n.until("the second digit", |e| e.kind() == EventKind::DtmfReceived && e.digit() == Some('2'))?;

    n.step("the caller hangs up");
    sim.far_end_hangup(line1);
    n.until("line 1 to be free", is(EventKind::Ready, line1))?;

    n.step(&format!("select line 2 and call {CALLED} (the simulated far end answers at once)"));
    n.sends(&Command::LineSelect(line2));
    n.sends(&Command::Dial { number: CALLED.into(), line: None });
    act.call(CALLED, Some(line2))?;
    n.until("the far end to answer", is(EventKind::Answer, line2))?;

    n.step("put the call on hold");
    n.sends(&Command::Hold(Some(true)));
    act.hold(HoldMode::On, None)?;
    n.until("the hold", |e| is(EventKind::Hold, line2)(e) && e.hold() == Some(true))?;

    n.step("take it off hold");
    n.sends(&Command::Hold(Some(false)));
    act.hold(HoldMode::Off, None)?;
    n.until("the resume", |e| is(EventKind::Hold, line2)(e) && e.hold() == Some(false))?;

    n.step("send DTMF 123# (DGPhone confirms nothing; the digits never reach a log)");
    n.sends(&Command::SendDtmf("123#".into()));
    client.send_dtmf("123#").map_err(|e| Failure::from_error(e, command::SEND_DTMF))?;

    n.step("hang up line 2");
    n.sends(&Command::Hangup(Some(line2)));
    act.hangup(Some(line2))?;
    n.until("line 2 to be free", is(EventKind::Ready, line2))?;

    n.step("log off (DGPhone closes the connection)");
    n.sends(&Command::Logoff);
    client.logoff().map_err(|e| Failure::from_error(e, command::LOGOFF))?;
    n.echo.until(n.wait, |e| matches!(e, ClientEvent::Disconnected { .. }))?;

    n.echo.say(format!(
        "\ndemo complete: {} steps in {} ms. Next: `dgphone sim` in one terminal, \
         `dgphone console --user 201` in another.",
        n.steps,
        started.elapsed().as_millis()
    ));
    drop(client);
    sim.stop();
    Ok(())
}
