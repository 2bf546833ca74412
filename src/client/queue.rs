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
}

struct Inner {
    items: VecDeque<ClientEvent>,
    losses: Losses,
    /// Set when the client closes: a blocked producer stops waiting.
    closed: bool,
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
            inner: Mutex::new(Inner { items: VecDeque::new(), losses: Losses::default(), closed: false }),
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

    /// Adds an event, applying the overflow policy when full. Returns true
    /// when this push started losing events (nothing was lost unreported
    /// before), so the caller can say so once per episode.
    pub fn push(&self, event: ClientEvent) -> bool {
        if !self.is_enabled() {
            return false;
        }
        let mut inner = self.lock();
        let had_output = inner.has_output();
        let mut started_losing = false;
        while inner.items.len() >= self.capacity {
            match self.policy {
                OverflowPolicy::Block if !inner.closed => {
                    inner = self.writable.wait(inner).unwrap_or_else(|e| e.into_inner());
                }
                OverflowPolicy::DropOldest => {
                    inner.items.pop_front();
                    started_losing |= inner.losses.lose();
                }
                OverflowPolicy::DropNewest | OverflowPolicy::Block => return inner.losses.lose(),
            }
        }
        inner.items.push_back(event);
        if !had_output {
            if let Some(n) = &self.notifier {
                n.set();
            }
        }
        self.readable.notify_one();
        started_losing
    }

    /// Takes the next event, waiting up to `timeout` (`None`: no wait). An
    /// `Overflow` report comes first after a loss.
    pub fn pop(&self, timeout: Option<Duration>) -> Option<ClientEvent> {
        let mut inner = self.lock();
        if let Some(timeout) = timeout {
            let deadline = Instant::now() + timeout;
            while !inner.has_output() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                inner = self.readable.wait_timeout(inner, left).unwrap_or_else(|e| e.into_inner()).0;
            }
        }
        let event = inner.losses.report().or_else(|| inner.items.pop_front());
        if !inner.has_output() {
            if let Some(n) = &self.notifier {
                n.clear();
            }
        }
        self.writable.notify_one();
        event
    }

    /// Takes up to `max` events under one lock: waits up to `timeout` for
    /// the first (`None`: no wait), then takes whatever else is already
    /// there, so a host language pays one crossing for a burst.
    pub fn pop_many(&self, max: usize, timeout: Option<Duration>, out: &mut Vec<ClientEvent>) {
        if max == 0 {
            return;
        }
        let mut inner = self.lock();
        if let Some(timeout) = timeout {
            let deadline = Instant::now() + timeout;
            while !inner.has_output() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return;
                }
                inner = self.readable.wait_timeout(inner, left).unwrap_or_else(|e| e.into_inner()).0;
            }
        }
        let start = out.len();
        if let Some(report) = inner.losses.report() {
            out.push(report);
        }
        let take = (max - (out.len() - start)).min(inner.items.len());
        out.extend(inner.items.drain(..take));
        if !inner.has_output() {
            if let Some(n) = &self.notifier {
                n.clear();
            }
        }
        self.writable.notify_all();
    }

    /// Events lost to overflow since the client was created.
    pub fn dropped(&self) -> u64 {
        self.lock().losses.dropped()
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

    #[test]
    fn pop_many_takes_the_report_first_and_at_most_max() {
        let q = EventQueue::new(3, OverflowPolicy::DropOldest, None);
        (1..=5).for_each(|n| {
            q.push(ev(n));
        });
        let mut got = Vec::new();
        q.pop_many(2, None, &mut got);
        assert_eq!(got, [ClientEvent::Overflow { dropped: 2 }, ev(3)]);
        got.clear();
        q.pop_many(10, Some(Duration::from_millis(1)), &mut got);
        assert_eq!(got, [ev(4), ev(5)]);
        got.clear();
        q.pop_many(10, Some(Duration::from_millis(1)), &mut got);
        assert!(got.is_empty(), "nothing came in time");
    }

    #[cfg(unix)]
    #[test]
    fn notifier_is_readable_exactly_while_not_empty() {
        let readable = |q: &EventQueue| {
            let mut fds = libc::pollfd { fd: q.notifier().unwrap().fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd, no wait.
            unsafe { libc::poll(&mut fds, 1, 0) == 1 }
        };
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
