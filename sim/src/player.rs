//! Steps through a scenario for one connection. Pure: the serving thread
//! tells it the time and the commands received, performs the actions it
//! hands out, and sleeps (in its socket read) until the time it names.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::scenario::{Scenario, ScenarioFailure, Step, StepKind, DEFAULT_EXPECT_TIMEOUT};
use crate::protocol::names::header;
use crate::wire::Packet;

/// Commands kept for `expect` beyond this many are dropped, oldest first,
/// so a client flooding commands cannot grow memory.
const INBOX_LIMIT: usize = 256;

/// What the serving thread should do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Step `n` (an index into the scenario's steps) has begun: tell the
    /// observer, and perform it if it is an action.
    Began(usize),
    /// Nothing to do before this instant, unless a command comes.
    Idle(Instant),
    /// The scenario is over.
    Ended(Result<(), ScenarioFailure>),
}

/// The step in progress, if it takes time.
#[derive(Debug)]
enum Pending {
    Wait { until: Instant },
    Expect { step: usize, deadline: Instant },
}

pub(crate) struct Player {
    scenario: Arc<Scenario>,
    /// The next step to begin.
    next: usize,
    pending: Option<Pending>,
    expect_timeout: Duration,
    /// Commands received and not yet matched by an `expect`.
    inbox: VecDeque<Packet>,
}

impl Player {
    pub(crate) fn new(scenario: Arc<Scenario>) -> Player {
        Player { scenario, next: 0, pending: None, expect_timeout: DEFAULT_EXPECT_TIMEOUT, inbox: VecDeque::new() }
    }

    pub(crate) fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// A command came from the client (after the phone answered it).
    pub(crate) fn received(&mut self, packet: &Packet) {
        if self.inbox.len() == INBOX_LIMIT {
            self.inbox.pop_front();
        }
        self.inbox.push_back(packet.clone());
    }

    /// Advances as far as it can at `now`.
    pub(crate) fn next(&mut self, now: Instant) -> Progress {
        match self.pending.take() {
            Some(Pending::Wait { until }) if now < until => {
                self.pending = Some(Pending::Wait { until });
                return Progress::Idle(until);
            }
            Some(Pending::Expect { step, deadline }) => {
                let expect = match &self.scenario.steps()[step].kind {
                    StepKind::Expect(expect) => expect,
                    _ => unreachable!("an Expect is pending only for an expect step"),
                };
                match self.inbox.iter().position(|packet| expect.matches(packet)) {
                    // Commands before the match were answered as usual and are skipped.
                    Some(found) => drop(self.inbox.drain(..=found)),
                    None if now >= deadline => return Progress::Ended(Err(self.no_command(step))),
                    None => {
                        self.pending = Some(Pending::Expect { step, deadline });
                        return Progress::Idle(deadline);
                    }
                }
            }
            _ => {}
        }
        let index = self.next;
        let step = match self.scenario.steps().get(index) {
            Some(step) => step,
            None => return Progress::Ended(Ok(())),
        };
        self.next += 1;
        match &step.kind {
            StepKind::Wait(duration) => self.pending = Some(Pending::Wait { until: now + *duration }),
            StepKind::Timeout(duration) => self.expect_timeout = *duration,
            StepKind::Expect(expect) => {
                let deadline = now + expect.within.unwrap_or(self.expect_timeout);
                self.pending = Some(Pending::Expect { step: index, deadline });
            }
            StepKind::Act(_) => {}
        }
        Progress::Began(index)
    }

    fn failure(&self, step: &Step, message: String) -> ScenarioFailure {
        ScenarioFailure {
            scenario: self.scenario.name().to_string(),
            line: step.line,
            step: step.text.clone(),
            message,
        }
    }

    fn no_command(&self, step: usize) -> ScenarioFailure {
        let (step, waited) = match (&self.scenario.steps()[step], &self.scenario.steps()[step].kind) {
            (step, StepKind::Expect(expect)) => (step, expect.within.unwrap_or(self.expect_timeout)),
            _ => unreachable!("only expect steps wait for commands"),
        };
        let received: Vec<&str> = self.inbox.iter().map(|p| p.get(header::COMMAND).unwrap_or("(no Command)")).collect();
        let instead = if received.is_empty() {
            "no command came".to_string()
        } else {
            format!("received instead: {}", received.join(", "))
        };
        self.failure(step, format!("no such command within {waited:?}; {instead}"))
    }

    /// The action of step `index` could not be played.
    pub(crate) fn failed(&self, index: usize, why: String) -> ScenarioFailure {
        self.failure(&self.scenario.steps()[index], why)
    }

    /// The connection ended (`why`) with steps left; `None` if the
    /// scenario had nothing left to do.
    pub(crate) fn interrupted(&self, why: &str) -> Option<ScenarioFailure> {
        let (index, waiting) = match &self.pending {
            Some(Pending::Expect { step, .. }) => (*step, true),
            Some(Pending::Wait { .. }) => (self.next - 1, false),
            None if self.next < self.scenario.len() => (self.next, false),
            None => return None,
        };
        let message = if waiting {
            format!("the connection ended ({why}) while waiting for this command")
        } else {
            format!("the connection ended ({why}) before this step")
        };
        Some(self.failure(&self.scenario.steps()[index], message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(text: &str) -> Player {
        Player::new(Arc::new(Scenario::parse("t.scn", text).unwrap()))
    }

    fn command(name: &str, headers: &[(&str, &str)]) -> Packet {
        let mut packet = Packet::new().with("Action", "DGPhoneCommand").with("Command", name);
        for (key, value) in headers {
            packet.push(key, value);
        }
        packet
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn waits_then_acts_then_ends() {
        let t0 = Instant::now();
        let mut p = player("wait 100ms\nclose");
        assert_eq!(p.next(t0), Progress::Began(0));
        assert_eq!(p.next(t0), Progress::Idle(t0 + ms(100)));
        assert_eq!(p.next(t0 + ms(99)), Progress::Idle(t0 + ms(100)));
        assert_eq!(p.next(t0 + ms(100)), Progress::Began(1));
        assert_eq!(p.next(t0 + ms(100)), Progress::Ended(Ok(())));
        assert_eq!(p.interrupted("closed"), None);
    }

    #[test]
    fn expect_takes_earlier_and_later_commands_and_skips_others() {
        let t0 = Instant::now();
        let mut p = player("expect Login\nexpect Dial Number=100\ntimestamp");
        p.received(&command("Login", &[("User", "201")]));
        assert_eq!(p.next(t0), Progress::Began(0));
        assert_eq!(p.next(t0), Progress::Began(1), "the Login came before the expect");
        assert_eq!(p.next(t0), Progress::Idle(t0 + DEFAULT_EXPECT_TIMEOUT));
        p.received(&command("Status", &[]));
        p.received(&command("Dial", &[("Number", "999")]));
        assert_eq!(p.next(t0 + ms(5)), Progress::Idle(t0 + DEFAULT_EXPECT_TIMEOUT));
        p.received(&command("dial", &[("Number", "100")]));
        assert_eq!(p.next(t0 + ms(6)), Progress::Began(2));
        assert!(p.inbox.is_empty(), "the skipped commands are gone");
        assert_eq!(p.next(t0 + ms(6)), Progress::Ended(Ok(())));
    }

    #[test]
    fn an_expect_times_out_with_what_came_instead() {
        let t0 = Instant::now();
        let mut p = player("timeout 50ms\n\nexpect Answer\nexpect Hangup within 10ms");
        assert_eq!(p.next(t0), Progress::Began(0));
        assert_eq!(p.next(t0), Progress::Began(1));
        p.received(&command("Status", &[]));
        p.received(&command("Hold", &[]));
        let failure = match p.next(t0 + ms(50)) {
            Progress::Ended(Err(failure)) => failure,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            failure.to_string(),
            "t.scn:3: `expect Answer`: no such command within 50ms; received instead: Status, Hold"
        );

        let mut p = player("expect Hangup within 10ms");
        assert_eq!(p.next(t0), Progress::Began(0));
        let failure = match p.next(t0 + ms(10)) {
            Progress::Ended(Err(failure)) => failure,
            other => panic!("{other:?}"),
        };
        assert_eq!(failure.message, "no such command within 10ms; no command came");
    }

    #[test]
    fn interruptions_name_the_step() {
        let t0 = Instant::now();
        let mut p = player("expect Login\nwait 1s\nclose");
        assert_eq!(p.interrupted("x").unwrap().line, 1, "not begun yet");
        p.next(t0);
        let waiting = p.interrupted("closed by the client").unwrap();
        assert_eq!(waiting.message, "the connection ended (closed by the client) while waiting for this command");
        p.received(&command("Login", &[]));
        p.next(t0);
        p.next(t0);
        let failure = p.interrupted("closed by the client").unwrap();
        assert_eq!((failure.line, failure.step.as_str()), (2, "wait 1s"));
        assert_eq!(failure.message, "the connection ended (closed by the client) before this step");
    }

    #[test]
    fn the_inbox_is_bounded() {
        let mut p = player("expect Never");
        for _ in 0..INBOX_LIMIT * 2 {
            p.received(&command("Status", &[]));
        }
        assert_eq!(p.inbox.len(), INBOX_LIMIT);
    }
}
