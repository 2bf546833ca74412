//! The thread that serves one connection: reads its commands, has them
//! answered, plays its scenario, and sends its timestamps. It never polls:
//! each read waits until bytes come or the next timestamp, scenario step
//! or delayed far-end answer is due.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::act;
use super::clock;
use super::config::SimConfig;
use super::connection::Connection;
use super::player::{Player, Progress};
use super::scenario::{ScenarioOutcome, StepKind};
use super::server::Shared;
use super::Traffic;
use crate::wire::{Decoder, Frame, Packet};

/// The serving thread's body: serves the client until it leaves, breaks
/// the protocol or is shut down, then forgets it.
pub(crate) fn run(client: Arc<Connection>, mut reader: TcpStream, shared: Arc<Shared>) {
    shared.observe(&Traffic::Connected { client: client.id, peer: client.peer });
    let mut script = Script { player: shared.config.scenario.clone().map(Player::new) };
    let mut reader = Tee { stream: &mut reader, client: &client, shared: &shared };
    let reason = serve(&client, &mut reader, &shared, &mut script);
    let by_client = !client.closed_here() && reason == CLOSED_BY_CLIENT;
    client.shutdown();
    shared.forget(&client);
    script.interrupted(&client, &shared, &reason);
    shared.observe(&Traffic::Closed { client: client.id, reason: &reason, by_client });
}

const CLOSED_BY_CLIENT: &str = "closed by the client";

/// The socket as the serving thread reads it: every read is told to the observer.
struct Tee<'a> {
    stream: &'a mut TcpStream,
    client: &'a Connection,
    shared: &'a Shared,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.stream.read(buf)?;
        if n > 0 {
            self.shared.observe(&Traffic::BytesReceived { client: self.client.id, bytes: &buf[..n] });
        }
        Ok(n)
    }
}

/// The scenario played on this connection, while it lasts.
struct Script {
    player: Option<Player>,
}

impl Script {
    fn received(&mut self, packet: &Packet) {
        if let Some(player) = &mut self.player {
            player.received(packet);
        }
    }

    /// Plays every step that is due; returns when the next one will be
    /// (`None`: nothing is scheduled, or the scenario is over).
    fn drive(&mut self, client: &Connection, shared: &Shared) -> Option<Instant> {
        let player = self.player.as_mut()?;
        let scenario = Arc::clone(player.scenario());
        let result = loop {
            match player.next(Instant::now()) {
                Progress::Began(index) => {
                    let step = &scenario.steps()[index];
                    shared.observe(&Traffic::ScenarioStep { client: client.id, line: step.line, step: &step.text });
                    if let StepKind::Act(action) = &step.kind {
                        if let Err(why) = act::perform(client, shared, action) {
                            break Err(player.failed(index, why));
                        }
                    }
                }
                Progress::Idle(until) => return Some(until),
                Progress::Ended(result) => break result,
            }
        };
        self.player = None;
        shared.scenario_ended(ScenarioOutcome { client: client.id, scenario: scenario.name().to_string(), result });
        None
    }

    /// The connection ended: a scenario with steps left has failed.
    fn interrupted(&mut self, client: &Connection, shared: &Shared, why: &str) {
        if let Some(player) = self.player.take() {
            let result = player.interrupted(why).map_or(Ok(()), Err);
            shared.scenario_ended(ScenarioOutcome {
                client: client.id,
                scenario: player.scenario().name().to_string(),
                result,
            });
        }
    }
}

/// When the next DGTimeStamp is due: one interval after login (or after
/// connecting, when the config says so), then every interval, for as long
/// as the client stays logged in (or connected).
struct Timestamps {
    interval: Option<Duration>,
    from_connect: bool,
    next: Option<Instant>,
}

impl Timestamps {
    fn new(config: &SimConfig) -> Timestamps {
        // A zero interval would mean a timestamp storm; treat it as none.
        let interval = config.timestamp_interval.filter(|i| !i.is_zero());
        Timestamps { interval, from_connect: config.timestamps_from_connect, next: None }
    }

    /// Sends a timestamp if one is due; returns how long the next read may
    /// wait (`None`: as long as it takes).
    fn tick(&mut self, client: &Connection, shared: &Shared) -> Option<Duration> {
        let interval = match self.interval {
            Some(interval) if self.from_connect || client.is_logged_in() => interval,
            _ => {
                self.next = None;
                return None;
            }
        };
        let now = Instant::now();
        let mut due = *self.next.get_or_insert(now + interval);
        if now >= due {
            client.send(shared, &[clock::stamp(shared.config.timestamp_fields)]);
            due = now + interval;
            self.next = Some(due);
        }
        // A zero read timeout is an error, hence the floor of 1 ms.
        Some(due.saturating_duration_since(now).max(Duration::from_millis(1)))
    }
}

/// Reads and answers commands; returns why the connection ended.
fn serve(client: &Connection, reader: &mut Tee<'_>, shared: &Shared, script: &mut Script) -> String {
    if let Some(greeting) = &shared.config.greeting {
        client.send_raw(shared, &shared.encoding.line(greeting));
    }
    let mut timestamps = Timestamps::new(&shared.config);
    let mut decoder = Decoder::default();
    // The configured one-shot faults, played once after the login.
    let mut login_faults: Vec<_> = shared.config.faults.iter().filter(|f| !f.is_lasting()).collect();
    loop {
        while let Some(frame) = decoder.next_frame() {
            match frame {
                Ok(Frame::Packet(packet)) => {
                    shared.observe(&Traffic::Received { client: client.id, packet: &packet });
                    let entry = shared.record(&packet);
                    let close = client.handle(shared, &packet);
                    shared.answered(entry);
                    script.received(&packet);
                    if close {
                        // A scenario that ends with `expect logoff` ends here.
                        script.drive(client, shared);
                        return "logged off".to_string();
                    }
                    if client.is_logged_in() {
                        for fault in login_faults.drain(..) {
                            client.fire(shared, fault);
                        }
                    }
                }
                // A stray colon-less line from a client is harmless.
                Ok(Frame::Greeting(_)) => {}
                Err(error) => return error.to_string(),
            }
        }
        let step_due = script.drive(client, shared);
        let stamp_wait = timestamps.tick(client, shared);
        // Delayed answers are due here, not in a sleep: the read below waits
        // at most until the next one, and commands are answered meanwhile.
        let answer_due = client.answers_due(shared, Instant::now());
        // A zero read timeout is an error, hence the floor of 1 ms.
        let until = |due: Instant| due.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let wait = [stamp_wait, step_due.map(until), answer_due.map(until)].into_iter().flatten().min();
        if let Err(error) = reader.stream.set_read_timeout(wait) {
            return format!("socket error: {error}");
        }
        match decoder.read_from(reader) {
            Ok(0) if client.closed_here() => return "closed by the simulator".to_string(),
            Ok(0) => {
                return match decoder.finish() {
                    Some(error) => error.to_string(),
                    None => CLOSED_BY_CLIENT.to_string(),
                }
            }
            Ok(_) => {}
            // A timeout (WouldBlock on Unix, TimedOut on Windows): a
            // timestamp or a step is due, which the next turn plays.
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) if client.closed_here() => return "closed by the simulator".to_string(),
            Err(error) => return format!("read error: {error}"),
        }
    }
}
