//! The bounded pull queue, with an explicit overflow policy and counted
//! losses.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::notify::Notifier;
use super::{ClientEvent, OverflowPolicy};

/// Events lost to overflow: counted in all, and reported to the consumer
/// as one `Overflow` event before the next one it gets. Shared by the pull
/// queue and the callback's backlog, so both report losses alike.
#[derive(Default)]
pub(super) struct Losses {
    /// Events lost since the consumer was last told.
    unreported: u64,
    /// Events lost in all.
    dropped: u64,
}

impl Losses {
    /// Counts one lost event. True when it starts an episode (nothing was
    /// lost unreported before), so the caller can say so once.
    pub fn lose(&mut self) -> bool {
        self.unreported += 1;
        self.dropped += 1;
        self.unreported == 1
    }

    /// The report of the losses since the last one, if any.
    pub fn report(&mut self) -> Option<ClientEvent> {
        (self.unreported > 0).then(|| ClientEvent::Overflow { dropped: std::mem::take(&mut self.unreported) })
    }

    pub fn has_unreported(&self) -> bool {
        self.unreported > 0
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Puts back a report the consumer could not take.
    fn unreport(&mut self, dropped: u64) {
        self.unreported += dropped;
    }
}

/// Why `take_while` took nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// No event came in time.
    TimedOut,
    /// `interrupt` was called while waiting.
    Interrupted,
}

struct Inner {
    items: VecDeque<ClientEvent>,
    losses: Losses,
    /// Set when the client closes: a blocked producer stops waiting.
    closed: bool,
    /// Bumped by every `interrupt`: a consumer that saw another value
    /// when it began waiting was interrupted.
    interrupts: u64,
    /// Producers waiting for room (the Block policy).
    blocked: usize,
    /// Consumers waiting for an event: only then does a push wake one (a
    /// wake-up is a system call, and a consumer that pulls without
    /// waiting needs none).
    waiting: usize,
}

impl Inner {
    fn has_output(&self) -> bool {
        !self.items.is_empty() || self.losses.has_unreported()
    }
}

pub struct EventQueue {
    inner: Mutex<Inner>,
    readable: Condvar,
    writable: Condvar,
    capacity: usize,
    policy: OverflowPolicy,
    notifier: Option<Notifier>,
}

impl EventQueue {
    /// A queue; the notifier is optional so that a failure to create a pipe
    /// only costs the waitable signal, not the queue.
    pub fn new(capacity: usize, policy: OverflowPolicy, notifier: Option<Notifier>) -> EventQueue {
        EventQueue {
            inner: Mutex::new(Inner {
                items: VecDeque::new(),
                losses: Losses::default(),
                closed: false,
                interrupts: 0,
                blocked: 0,
                waiting: 0,
            }),
            readable: Condvar::new(),
            writable: Condvar::new(),
            capacity,
            policy,
            notifier,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the deque half-changed.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Adds events in order (a read's, or a single one), applying the
    /// overflow policy event by event when full, under one lock and with at
    /// most one wake-up: a consumer woken for every event would take them
    /// one at a time. Returns true when this push started losing events
    /// (nothing was lost unreported before), so the caller can say so once
    /// per episode.
    pub fn push_all(&self, events: impl IntoIterator<Item = ClientEvent>) -> bool {
        let mut events = events.into_iter().peekable();
        if !self.is_enabled() || events.peek().is_none() {
            return false;
        }
        let mut inner = self.lock();
        let mut started_losing = false;
        'events: for event in events {
            while inner.items.len() >= self.capacity {
                match self.policy {
                    OverflowPolicy::Block if !inner.closed => {
                        // The events pushed so far must reach a consumer
                        // that waits for them: only it makes room.
                        if inner.waiting > 0 {
                            self.readable.notify_all();
                        }
                        inner.blocked += 1;
                        inner = self.writable.wait(inner).unwrap_or_else(|e| e.into_inner());
                        inner.blocked -= 1;
                    }
                    OverflowPolicy::DropOldest => {
                        inner.items.pop_front();
                        started_losing |= inner.losses.lose();
                    }
                    OverflowPolicy::DropNewest | OverflowPolicy::Block => {
                        started_losing |= inner.losses.lose();
                        continue 'events;
                    }
                }
            }
            // Judged now, not on entry: a producer that waited for room may
            // find the queue emptied, and the signal cleared, meanwhile.
            if !inner.has_output() {
                if let Some(n) = &self.notifier {
                    n.set();
                }
            }
            inner.items.push_back(event);
        }
        // Woken after the lock is let go, so a consumer does not wake only
        // to wait for it; all of them when several wait, as there may be
        // events for each.
        let waiting = inner.waiting;
        drop(inner);
        match waiting {
            0 => {}
            1 => self.readable.notify_one(),
            _ => self.readable.notify_all(),
        }
        started_losing
    }

    /// Takes the next event, waiting up to `timeout` (`None`: no wait). An
    /// `Overflow` report comes first after a loss.
    pub fn pop(&self, timeout: Option<Duration>) -> Option<ClientEvent> {
        let mut taken = None;
        let _ = self.take_while(timeout, 1, |event| {
            taken = Some(event);
            Ok(())
        });
        taken
    }

    /// The one way events leave the queue. Waits up to `timeout` for the
    /// first (`None`: no wait), then hands `take` up to `max` events
    /// under one lock, oldest first (an `Overflow` report before the
    /// rest), so a host language pays one crossing for a burst. `take`
    /// hands back an event it has no room for: it stays at the head of
    /// the queue, and taking stops. `Ok(n)`: `n` taken (0 if the first was
    /// declined).
    pub fn take_while<F>(&self, timeout: Option<Duration>, max: usize, mut take: F) -> Result<usize, Empty>
    where
        F: FnMut(ClientEvent) -> Result<(), ClientEvent>,
    {
        let mut inner = self.lock();
        if let Some(timeout) = timeout {
            let interrupts = inner.interrupts;
            let deadline = Instant::now() + timeout;
            while !inner.has_output() {
                if inner.interrupts != interrupts {
                    return Err(Empty::Interrupted);
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Empty::TimedOut);
                }
                inner.waiting += 1;
                inner = self.readable.wait_timeout(inner, left).unwrap_or_else(|e| e.into_inner()).0;
                inner.waiting -= 1;
            }
        } else if !inner.has_output() {
            return Err(Empty::TimedOut);
        }
        let mut taken = 0;
        while taken < max {
            let report = inner.losses.has_unreported();
            let event = match inner.losses.report().or_else(|| inner.items.pop_front()) {
                Some(event) => event,
                None => break,
            };
            if let Err(declined) = take(event) {
                match declined {
                    ClientEvent::Overflow { dropped } if report => inner.losses.unreport(dropped),
                    declined => inner.items.push_front(declined),
                }
                break;
            }
            taken += 1;
        }
        if !inner.has_output() {
            if let Some(n) = &self.notifier {
                n.clear();
            }
        }
        let wake = taken > 0 && inner.blocked > 0;
        drop(inner);
        if wake {
            self.writable.notify_all();
        }
        Ok(taken)
    }

    /// Wakes every consumer waiting in `take_while` now, with
    /// `Empty::Interrupted`; later waits are not affected.
    pub fn interrupt(&self) {
        self.lock().interrupts += 1;
        self.readable.notify_all();
    }

    /// Events lost to overflow since the client was created.
    pub fn dropped(&self) -> u64 {
        self.lock().losses.dropped()
    }

    /// Producers waiting for room (for tests that must act while one is).
    #[cfg(test)]
    pub fn blocked_producers(&self) -> usize {
        self.lock().blocked
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// While closed, a full queue drops instead of blocking, so a stopping
    /// reader thread is never stuck behind an application that stopped
    /// pulling.
    pub fn set_closed(&self, closed: bool) {
        self.lock().closed = closed;
        self.writable.notify_all();
    }

    pub fn notifier(&self) -> Option<&Notifier> {
        self.notifier.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::DisconnectReason;

    fn ev(n: u32) -> ClientEvent {
        ClientEvent::Reconnecting { attempt: n, delay: Duration::ZERO }
    }

    impl EventQueue {
        /// One event, as the client hands over those outside a read.
        fn push(&self, event: ClientEvent) -> bool {
            self.push_all(Some(event))
        }
    }

    #[test]
    fn drop_oldest_counts_and_reports() {
        let q = EventQueue::new(2, OverflowPolicy::DropOldest, None);
        let episode_started: Vec<bool> = (1..=5).map(|n| q.push(ev(n))).collect();
        assert_eq!(episode_started, [false, false, true, false, false]);
        assert_eq!(q.dropped(), 3);
        assert_eq!(q.pop(None), Some(ClientEvent::Overflow { dropped: 3 }));
        assert_eq!(q.pop(None), Some(ev(4)));
        assert_eq!(q.pop(None), Some(ev(5)));
        assert_eq!(q.pop(Some(Duration::from_millis(1))), None);
        // Once reported, a new loss starts a new episode.
        (6..=7).for_each(|n| assert!(!q.push(ev(n))));
        assert!(q.push(ev(8)));
    }

    #[test]
    fn drop_newest_keeps_the_first() {
        let q = EventQueue::new(1, OverflowPolicy::DropNewest, None);
        (1..=3).for_each(|n| {
            q.push(ev(n));
        });
        assert_eq!(q.pop(None), Some(ClientEvent::Overflow { dropped: 2 }));
        assert_eq!(q.pop(None), Some(ev(1)));
    }

    #[test]
    fn block_waits_for_room_and_loses_nothing() {
        let q = std::sync::Arc::new(EventQueue::new(4, OverflowPolicy::Block, None));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || (0..1000).for_each(|n| assert!(!q.push(ev(n)))))
        };
        let got: Vec<_> = (0..1000).map(|_| q.pop(Some(Duration::from_secs(10)))).collect();
        producer.join().unwrap();
        assert_eq!(got, (0..1000).map(|n| Some(ev(n))).collect::<Vec<_>>());
        assert_eq!(q.dropped(), 0);
    }

    #[test]
    fn a_batch_larger_than_the_queue_reaches_a_consumer_waiting_before_it() {
        let q = std::sync::Arc::new(EventQueue::new(3, OverflowPolicy::Block, None));
        // The consumer's waits are far longer than the test waits for it: a
        // wake-up missed would leave it asleep, not merely late.
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        {
            let q = q.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                while got.len() < 50 {
                    let _ = q.take_while(Some(Duration::from_secs(3600)), 8, |event| {
                        got.push(event);
                        Ok(())
                    });
                }
                let _ = done_tx.send(got);
            });
        }
        // It waits on the empty queue before the batch comes: the batch
        // wakes it, and wakes it again each time it fills the queue.
        while q.lock().waiting == 0 {
            std::thread::yield_now();
        }
        std::thread::spawn(move || assert!(!q.push_all((0..50).map(ev))));
        let got = done_rx.recv_timeout(Duration::from_secs(30)).expect("the consumer was left waiting");
        assert_eq!(got, (0..50).map(ev).collect::<Vec<_>>(), "all of them, in order: nothing dropped");
    }

    #[test]
    fn a_batch_applies_the_policy_event_by_event() {
        let q = EventQueue::new(2, OverflowPolicy::DropOldest, None);
        assert!(q.push_all((0..5).map(ev)), "it started losing");
        assert_eq!(q.dropped(), 3);
        assert_eq!(q.pop(None), Some(ClientEvent::Overflow { dropped: 3 }));
        assert_eq!([q.pop(None), q.pop(None)], [Some(ev(3)), Some(ev(4))]);
        let q = EventQueue::new(2, OverflowPolicy::DropNewest, None);
        assert!(q.push_all((0..5).map(ev)));
        assert_eq!(q.dropped(), 3);
        assert_eq!(q.pop(None), Some(ClientEvent::Overflow { dropped: 3 }));
        assert_eq!([q.pop(None), q.pop(None)], [Some(ev(0)), Some(ev(1))]);
    }

    #[test]
    fn close_releases_a_blocked_producer() {
        let q = std::sync::Arc::new(EventQueue::new(1, OverflowPolicy::Block, None));
        q.push(ev(1));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || q.push(ClientEvent::Disconnected { reason: DisconnectReason::Requested }))
        };
        q.set_closed(true);
        producer.join().unwrap();
        assert_eq!(q.dropped(), 1);
    }

    fn take_all(q: &EventQueue, max: usize, timeout: Option<Duration>) -> Result<Vec<ClientEvent>, Empty> {
        let mut got = Vec::new();
        q.take_while(timeout, max, |event| {
            got.push(event);
            Ok(())
        })?;
        Ok(got)
    }

    #[test]
    fn take_while_takes_the_report_first_and_at_most_max() {
        let q = EventQueue::new(3, OverflowPolicy::DropOldest, None);
        (1..=5).for_each(|n| {
            q.push(ev(n));
        });
        assert_eq!(take_all(&q, 2, None), Ok(vec![ClientEvent::Overflow { dropped: 2 }, ev(3)]));
        assert_eq!(take_all(&q, 10, Some(Duration::from_millis(1))), Ok(vec![ev(4), ev(5)]));
        assert_eq!(take_all(&q, 10, Some(Duration::from_millis(1))), Err(Empty::TimedOut));
        assert_eq!(take_all(&q, 10, None), Err(Empty::TimedOut));
    }

    #[test]
    fn a_declined_event_stays_at_the_head_report_included() {
        let q = EventQueue::new(2, OverflowPolicy::DropOldest, None);
        (1..=3).for_each(|n| {
            q.push(ev(n));
        });
        // Declining the report keeps the loss unreported, not lost.
        assert_eq!(q.take_while(None, 5, Err), Ok(0));
        let mut seen = Vec::new();
        let taken = q.take_while(None, 5, |event| {
            if seen.len() == 2 {
                return Err(event);
            }
            seen.push(event);
            Ok(())
        });
        assert_eq!(taken, Ok(2));
        assert_eq!(seen, [ClientEvent::Overflow { dropped: 1 }, ev(2)]);
        assert_eq!(take_all(&q, 5, None), Ok(vec![ev(3)]));
        assert_eq!(q.dropped(), 1);
    }

    #[test]
    fn interrupt_wakes_a_waiting_consumer_at_once() {
        let q = std::sync::Arc::new(EventQueue::new(4, OverflowPolicy::DropOldest, None));
        let consumer = {
            let q = q.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                (take_all(&q, 1, Some(Duration::from_secs(30))), started.elapsed())
            })
        };
        // Interrupt until the consumer has gone: an interrupt before its
        // wait began does not reach it.
        while !consumer.is_finished() {
            q.interrupt();
            std::thread::yield_now();
        }
        let (result, waited) = consumer.join().unwrap();
        assert_eq!(result, Err(Empty::Interrupted));
        assert!(waited < Duration::from_secs(30));
        // A later wait is not interrupted by the earlier calls.
        q.push(ev(1));
        assert_eq!(take_all(&q, 1, Some(Duration::from_secs(1))), Ok(vec![ev(1)]));
    }

    #[cfg(unix)]
    #[test]
    fn a_producer_that_waited_for_room_still_signals() {
        let q = std::sync::Arc::new(EventQueue::new(1, OverflowPolicy::Block, Some(Notifier::new().unwrap())));
        q.push(ev(1));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || q.push(ev(2)))
        };
        // Take the first, emptying the queue (the signal clears), while
        // the producer waits for room; then its event must signal again.
        while q.blocked_producers() == 0 {
            std::thread::yield_now();
        }
        assert_eq!(q.pop(Some(Duration::from_secs(10))), Some(ev(1)));
        producer.join().unwrap();
        assert!(readable(&q), "an event is queued: the signal is set");
        assert_eq!(q.pop(None), Some(ev(2)));
        assert!(!readable(&q));
    }

    #[cfg(unix)]
    fn readable(q: &EventQueue) -> bool {
        let mut fds = libc::pollfd { fd: q.notifier().unwrap().fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd, no wait.
        unsafe { libc::poll(&mut fds, 1, 0) == 1 }
    }

    #[cfg(unix)]
    #[test]
    fn notifier_is_readable_exactly_while_not_empty() {
        let q = EventQueue::new(8, OverflowPolicy::DropOldest, Some(Notifier::new().unwrap()));
        assert!(!readable(&q));
        q.push(ev(1));
        q.push(ev(2));
        assert!(readable(&q));
        q.pop(None);
        assert!(readable(&q));
        q.pop(None);
        assert!(!readable(&q));
    }
}
