//! The reconnection policy, apart from sockets and sleeping: how long to
//! wait before the next attempt, and when to give up.
//!
//! A DGPhone that accepts, answers the login and then drops must not be
//! hammered: a connection only resets the back-off once it has stayed up
//! for [`Backoff::stable_after`] (the maximum delay). One that ends sooner
//! is a *flap* and counts as a failed attempt, so the delay keeps growing
//! across flaps and `max_attempts` (consecutive failures) still applies.
//!
//! Time comes in as arguments, so the policy is tested with made-up
//! instants and no sleeping; the reader thread adds jitter and waits.

use std::time::{Duration, Instant};

use super::Reconnect;

pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    max_attempts: Option<u32>,
    /// The delay the next attempt waits (before jitter).
    delay: Duration,
    /// Failed attempts in a row: connections refused or failed, and
    /// connections from an attempt that ended before they were stable.
    failures: u32,
    /// When the current connection opened, if one is open.
    up_since: Option<Instant>,
    /// The current connection came from a reconnection attempt, so ending
    /// early makes that attempt a failure. The application's own first
    /// connection ending early only starts the attempts.
    from_attempt: bool,
}

impl Backoff {
    pub(crate) fn new(policy: &Reconnect) -> Backoff {
        Backoff {
            initial: policy.initial_delay,
            max: policy.max_delay.max(policy.initial_delay),
            max_attempts: policy.max_attempts,
            delay: policy.initial_delay,
            failures: 0,
            up_since: None,
            from_attempt: false,
        }
    }

    /// How long a connection must stay up to count as a success and reset
    /// the back-off: the maximum delay, so that a server dropping every
    /// connection is tried at most once per maximum delay.
    pub(crate) fn stable_after(&self) -> Duration {
        self.max
    }

    /// Failed attempts in a row so far.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// The number the next attempt will carry (1 for the first of a run).
    pub(crate) fn attempt(&self) -> u32 {
        self.failures.saturating_add(1)
    }

    /// The delay before the next attempt, or `None` when `max_attempts`
    /// failures in a row have used up the attempts. Each call doubles the
    /// following delay, up to the maximum.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        if self.max_attempts.map_or(false, |max| self.failures >= max) {
            return None;
        }
        let delay = self.delay;
        self.delay = delay.saturating_mul(2).min(self.max);
        self.from_attempt = true;
        Some(delay)
    }

    /// An attempt could not connect.
    pub(crate) fn attempt_failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// A connection opened at `at` (the first one, or an attempt's).
    pub(crate) fn connection_up(&mut self, at: Instant) {
        self.up_since = Some(at);
    }

    /// The connection ended at `at`. Stable for long enough: the back-off
    /// starts over. Shorter, after an attempt: a flap, one more failure.
    pub(crate) fn connection_down(&mut self, at: Instant) {
        let up = match self.up_since.take() {
            Some(up) => up,
            None => return,
        };
        if at.saturating_duration_since(up) >= self.stable_after() {
            self.delay = self.initial;
            self.failures = 0;
            self.from_attempt = false;
        } else if self.from_attempt {
            self.attempt_failed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn policy(max_attempts: Option<u32>) -> Backoff {
        Backoff::new(&Reconnect { initial_delay: ms(50), max_delay: ms(400), max_attempts })
    }

    /// One attempt that connects at `t` and drops `lasted` later.
    fn flap(b: &mut Backoff, t: &mut Instant, lasted: Duration) -> Option<Duration> {
        let delay = b.next_delay()?;
        *t += delay;
        b.connection_up(*t);
        *t += lasted;
        b.connection_down(*t);
        Some(delay)
    }

    #[test]
    fn delays_double_up_to_the_maximum_while_attempts_fail() {
        let mut b = policy(None);
        let mut delays = Vec::new();
        for _ in 0..6 {
            delays.push(b.next_delay().unwrap());
            b.attempt_failed();
        }
        assert_eq!(delays, [ms(50), ms(100), ms(200), ms(400), ms(400), ms(400)]);
        assert_eq!(b.failures(), 6);
    }

    #[test]
    fn flaps_grow_the_delay_and_count_as_failures() {
        let mut b = policy(Some(4));
        let mut t = Instant::now();
        b.connection_up(t);
        t += ms(5);
        b.connection_down(t); // the application's own connection: no failure
        assert_eq!(b.attempt(), 1);
        let mut delays = Vec::new();
        while let Some(delay) = flap(&mut b, &mut t, ms(5)) {
            delays.push(delay);
        }
        assert_eq!(delays, [ms(50), ms(100), ms(200), ms(400)]);
        assert_eq!(b.failures(), 4);
        assert_eq!(b.next_delay(), None, "still given up");
    }

    #[test]
    fn a_connection_just_short_of_stable_is_a_flap() {
        let mut b = policy(None);
        let mut t = Instant::now();
        flap(&mut b, &mut t, ms(399));
        assert_eq!((b.failures(), b.next_delay()), (1, Some(ms(100))));
    }

    #[test]
    fn a_stable_connection_resets_delay_and_failures() {
        let mut b = policy(Some(3));
        let mut t = Instant::now();
        flap(&mut b, &mut t, ms(1));
        b.next_delay().unwrap();
        b.attempt_failed();
        assert_eq!(b.failures(), 2);
        let stable = b.stable_after();
        flap(&mut b, &mut t, stable); // up for exactly the maximum delay
        assert_eq!((b.failures(), b.attempt()), (0, 1));
        assert_eq!(b.next_delay(), Some(ms(50)));
    }

    #[test]
    fn the_first_connection_ending_early_only_starts_the_attempts() {
        let mut b = policy(Some(1));
        let t = Instant::now();
        b.connection_up(t);
        b.connection_down(t + ms(1));
        assert_eq!(b.next_delay(), Some(ms(50)), "one attempt is still made");
        b.attempt_failed();
        assert_eq!(b.next_delay(), None);
    }

    #[test]
    fn a_down_without_an_up_changes_nothing() {
        let mut b = policy(None);
        b.next_delay();
        b.connection_down(Instant::now());
        assert_eq!((b.failures(), b.next_delay()), (0, Some(ms(100))));
    }

    #[test]
    fn a_maximum_below_the_initial_delay_is_the_initial_delay() {
        let mut b = Backoff::new(&Reconnect { initial_delay: ms(50), max_delay: ms(10), max_attempts: None });
        assert_eq!((b.next_delay(), b.next_delay()), (Some(ms(50)), Some(ms(50))));
        assert_eq!(b.stable_after(), ms(50));
    }
}
