//! Waiting for an event: a login response, a command's confirmation, or
//! anything an application describes. A wait is registered before the
//! command is sent, so a fast answer cannot slip past it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::protocol::{Event, Verdict};
use crate::sync::{lock, wait_timeout};

pub type Judge = Box<dyn Fn(&Event, Option<&str>) -> Verdict + Send + Sync>;
type OnFailure = fn(Event) -> Error;

/// One pending wait: how to judge events, and where the outcome goes.
pub struct WaitSlot {
    judge: Judge,
    on_failure: OnFailure,
    outcome: Mutex<Option<Result<Event>>>,
    ready: Condvar,
}

impl WaitSlot {
    pub fn new(judge: Judge, on_failure: OnFailure) -> Arc<WaitSlot> {
        Arc::new(WaitSlot { judge, on_failure, outcome: Mutex::new(None), ready: Condvar::new() })
    }

    fn settle(&self, outcome: Result<Event>) {
        let mut slot = lock(&self.outcome);
        if slot.is_none() {
            *slot = Some(outcome);
            self.ready.notify_all();
        }
    }

    /// Waits for the outcome; `what` names it in a timeout error.
    pub fn wait(&self, timeout: Duration, what: &'static str) -> Result<Event> {
        let deadline = Instant::now() + timeout;
        let mut slot = lock(&self.outcome);
        loop {
            if let Some(outcome) = slot.take() {
                return outcome;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout { what, waited: timeout });
            }
            slot = wait_timeout(&self.ready, slot, left);
        }
    }
}

/// The pending waits of one client.
#[derive(Default)]
pub struct Waiters {
    slots: Mutex<Vec<Arc<WaitSlot>>>,
    /// How many slots there are, so the reader skips the lock for each
    /// event while nobody waits (the usual case).
    count: AtomicUsize,
}

impl Waiters {
    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Arc<WaitSlot>>> {
        lock(&self.slots)
    }

    pub fn add(&self, slot: Arc<WaitSlot>) {
        let mut slots = self.slots();
        slots.push(slot);
        self.count.store(slots.len(), Ordering::SeqCst);
    }

    pub fn remove(&self, slot: &Arc<WaitSlot>) {
        let mut slots = self.slots();
        slots.retain(|s| !Arc::ptr_eq(s, slot));
        self.count.store(slots.len(), Ordering::SeqCst);
    }

    /// No wait is registered: no event read now can settle one (a wait is
    /// registered before its command is written).
    pub fn is_empty(&self) -> bool {
        self.count.load(Ordering::SeqCst) == 0
    }

    /// Settles every wait this event decides.
    pub fn resolve(&self, event: &Event, own_user: Option<&str>) {
        // A wait is registered before its command is written, so one that
        // this event could settle is already counted.
        if self.is_empty() {
            return;
        }
        let mut slots = self.slots();
        slots.retain(|slot| match (slot.judge)(event, own_user) {
            Verdict::Unrelated => true,
            Verdict::Confirmed => {
                slot.settle(Ok(event.clone()));
                false
            }
            Verdict::Failed => {
                slot.settle(Err((slot.on_failure)(event.clone())));
                false
            }
        });
        self.count.store(slots.len(), Ordering::SeqCst);
    }

    /// Fails every wait in progress with [`Error::Cancelled`]; waits
    /// registered later are not affected.
    pub fn cancel_all(&self) {
        let mut slots = self.slots();
        for slot in slots.drain(..) {
            slot.settle(Err(Error::Cancelled("the wait")));
        }
        self.count.store(0, Ordering::SeqCst);
    }

    /// Fails every wait: the connection is gone.
    pub fn fail_all(&self, reason: &str) {
        let mut slots = self.slots();
        for slot in slots.drain(..) {
            slot.settle(Err(Error::lost(reason)));
        }
        self.count.store(0, Ordering::SeqCst);
    }
}
