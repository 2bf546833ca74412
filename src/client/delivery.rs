//! The callback thread: the reader hands each event to a bounded backlog
//! and goes back to the socket; this thread calls the application's
//! callback, in order. A slow callback therefore delays only its own later
//! events, never reading, state, waits or login.
//!
//! The backlog is a crossbeam channel. It is the unbounded (linked-block)
//! kind with the bound kept here, because crossbeam's bounded kind
//! allocates and touches every slot up front: 4096 slots would cost each
//! client hundreds of KiB of resident memory before its first event. The
//! full backlog applies the client's [`OverflowPolicy`]; losses are counted
//! and reported with the queue's own [`Losses`].
//!
//! Since the reader runs ahead, the live line state may already include
//! events the callback has not seen. So this thread keeps the state as of
//! the event it delivers, applying each in turn, and `state()` called from
//! the callback shows that one: an event's callback sees the state that
//! event produced, as when the callback ran on the reader.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use super::queue::Losses;
use super::{lock, ClientEvent, ClientHandle, OverflowPolicy, Shared, READER_OF};
use crate::state::PhoneState;

thread_local! {
    /// The client whose callback thread this is (its `Shared` address).
    static CALLBACK_OF: Cell<usize> = const { Cell::new(0) };
}

/// True on `shared`'s callback thread.
pub(crate) fn on_callback_thread(shared: &Shared) -> bool {
    CALLBACK_OF.with(|c| c.get() == shared as *const Shared as usize)
}

/// Stack of the callback thread. The host's callback runs on it (a Python
/// interpreter, .NET marshalling, a Delphi `Synchronize`), so it gets more
/// than the reader; documented with `EventHandler` and `dgp_event_callback`.
pub(crate) const STACK_SIZE: usize = 256 * 1024;

enum Item {
    Event(ClientEvent),
    /// Answered once everything sent before it has been handled.
    Flush(Sender<()>),
    /// The client is closing: the thread ends.
    Stop,
}

pub(crate) struct Delivery {
    tx: Sender<Item>,
    /// The reader's own end, so that DropOldest can take the oldest item.
    rx: Receiver<Item>,
    capacity: usize,
    policy: OverflowPolicy,
    losses: Mutex<Losses>,
    /// Set with each loss, so the callback thread takes the losses' lock
    /// only when there is something to report.
    lossy: AtomicBool,
    /// A callback is registered: the reader sends events here.
    wanted: AtomicBool,
    /// Set when the client closes: no callback starts any more and nothing
    /// more is sent.
    closing: AtomicBool,
    /// Set by a disconnect of a live connection, until the next connect:
    /// events waiting are dropped (but Disconnected), as the reader drops
    /// the rest of its batch.
    discarding: AtomicBool,
    /// With `OverflowPolicy::Block`, a reader waiting for room sleeps here.
    room: Condvar,
    room_lock: Mutex<()>,
    waiting_for_room: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The line state as of the event being delivered (see the module docs).
    seen: Mutex<PhoneState>,
}

impl Delivery {
    pub fn new(capacity: usize, policy: OverflowPolicy) -> Delivery {
        let (tx, rx) = crossbeam_channel::unbounded();
        Delivery {
            tx,
            rx,
            // A backlog of 0 could never hold the event being delivered.
            capacity: capacity.max(1),
            policy,
            losses: Mutex::new(Losses::default()),
            lossy: AtomicBool::new(false),
            wanted: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            discarding: AtomicBool::new(false),
            room: Condvar::new(),
            room_lock: Mutex::new(()),
            waiting_for_room: AtomicBool::new(false),
            thread: Mutex::new(None),
            seen: Mutex::new(PhoneState::new()),
        }
    }

    /// Whether events should be sent here (a callback is registered and the
    /// client is not closing).
    pub fn is_wanted(&self) -> bool {
        self.wanted.load(Ordering::SeqCst) && !self.is_closing()
    }

    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    pub fn dropped(&self) -> u64 {
        lock(&self.losses).dropped()
    }

    /// Starts the callback thread (once per client) and marks delivery
    /// wanted or not.
    pub fn set_wanted(&self, shared: &Arc<Shared>, wanted: bool) -> std::io::Result<()> {
        if wanted && !self.wanted.load(Ordering::SeqCst) {
            // The events before were not delivered here: start from now.
            *lock(&self.seen) = lock(&shared.session).phone().clone();
        }
        if wanted {
            let mut thread = lock(&self.thread);
            if thread.is_none() {
                let shared = shared.clone();
                let rx = self.rx.clone();
                let spawned = std::thread::Builder::new()
                    .name("dgphone-callback".into())
                    .stack_size(STACK_SIZE)
                    .spawn(move || run(shared, rx))?;
                *thread = Some(spawned);
            }
        }
        self.wanted.store(wanted, Ordering::SeqCst);
        Ok(())
    }

    /// Hands an event to the callback thread, applying the overflow policy
    /// when the backlog is full. Returns true when this started losing
    /// events (once per episode, as the queue does).
    pub fn send(&self, event: ClientEvent) -> bool {
        if self.is_closing() {
            return false;
        }
        let mut started_losing = false;
        while self.tx.len() >= self.capacity {
            match self.policy {
                OverflowPolicy::Block => {
                    if !self.wait_for_room() {
                        return false;
                    }
                }
                OverflowPolicy::DropOldest => match self.rx.try_recv() {
                    Ok(Item::Event(_)) => started_losing |= self.lose(),
                    // Everything sent before it was dropped: done.
                    Ok(Item::Flush(done)) => {
                        let _ = done.send(());
                    }
                    // Closing: the thread must still see it.
                    Ok(Item::Stop) => {
                        let _ = self.tx.send(Item::Stop);
                        return false;
                    }
                    Err(_) => break,
                },
                OverflowPolicy::DropNewest => return self.lose(),
            }
        }
        let _ = self.tx.send(Item::Event(event));
        started_losing
    }

    fn lose(&self) -> bool {
        let started = lock(&self.losses).lose();
        self.lossy.store(true, Ordering::SeqCst);
        started
    }

    /// The Overflow report of the losses since the last one, if any.
    fn report(&self) -> Option<ClientEvent> {
        if !self.lossy.load(Ordering::SeqCst) {
            return None;
        }
        let mut losses = lock(&self.losses);
        self.lossy.store(false, Ordering::SeqCst);
        losses.report()
    }

    /// Waits until the backlog has room; false when the client closes.
    fn wait_for_room(&self) -> bool {
        let mut guard = lock(&self.room_lock);
        // Announced before the length is checked again, so the callback
        // thread's notify (taken under the same lock) cannot slip between
        // the check and the wait.
        self.waiting_for_room.store(true, Ordering::SeqCst);
        while self.tx.len() >= self.capacity && !self.is_closing() {
            guard = self.room.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        self.waiting_for_room.store(false, Ordering::SeqCst);
        !self.is_closing()
    }

    /// Wakes a reader waiting for room once the backlog is down to half:
    /// it then hands on a run of events without waiting, rather than
    /// waking for every one.
    fn made_room(&self) {
        if self.waiting_for_room.load(Ordering::SeqCst) && self.tx.len() <= self.capacity / 2 {
            let _guard = lock(&self.room_lock);
            self.room.notify_all();
        }
    }

    /// The state as of the event being delivered, for the callback thread.
    pub fn seen_state(&self) -> PhoneState {
        lock(&self.seen).clone()
    }

    pub fn seen_line(&self, line: crate::protocol::Line) -> crate::state::LineInfo {
        lock(&self.seen).line(line).clone()
    }

    /// Drops the events waiting (and any the stopping reader still sends)
    /// but Disconnected; `false` delivers them again (a new connection).
    pub fn set_discarding(&self, discarding: bool) {
        self.discarding.store(discarding, Ordering::SeqCst);
    }

    /// Returns once every event sent before this call has been delivered or
    /// skipped. Never call it on the callback thread.
    pub fn flush(&self) {
        if lock(&self.thread).is_none() || self.is_closing() {
            return;
        }
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        if self.tx.send(Item::Flush(done_tx)).is_ok() {
            // The sender is dropped unanswered if the thread ends first.
            let _ = done_rx.recv();
        }
    }

    /// Stops delivery for good: no callback starts after this, a reader
    /// waiting for room is released, and the thread is told to end.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        {
            let _guard = lock(&self.room_lock);
            self.room.notify_all();
        }
        let _ = self.tx.send(Item::Stop);
    }

    /// Waits for the callback thread to end: at most the one callback
    /// running. On the callback thread itself it returns at once (the
    /// thread ends when that callback returns).
    pub fn join(&self, on_callback_thread: bool) {
        if on_callback_thread {
            return;
        }
        let thread = lock(&self.thread).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// The callback thread's loop.
fn run(shared: Arc<Shared>, rx: Receiver<Item>) {
    READER_OF.with(|r| r.set(Arc::as_ptr(&shared) as usize));
    CALLBACK_OF.with(|c| c.set(Arc::as_ptr(&shared) as usize));
    let handle = ClientHandle { shared: shared.clone() };
    let delivery = &shared.delivery;
    while let Ok(item) = rx.recv() {
        delivery.made_room();
        let event = match item {
            Item::Event(event) => event,
            Item::Flush(done) => {
                let _ = done.send(());
                continue;
            }
            Item::Stop => break,
        };
        if delivery.is_closing() {
            break;
        }
        // After a disconnect, events read before it are dropped (closing
        // waits for one callback, not a backlog); its Disconnected is not.
        if delivery.discarding.load(Ordering::SeqCst) && !matches!(event, ClientEvent::Disconnected { .. }) {
            continue;
        }
        if let Some(report) = delivery.report() {
            // Lost events never reach the state kept here: catch up with
            // the live one.
            *lock(&delivery.seen) = lock(&shared.session).phone().clone();
            shared.call_back(&handle, &report);
        }
        if let ClientEvent::Phone(phone) = &event {
            // The own user as the reader applied it (the same lock order:
            // session, then this state).
            let session = lock(&shared.session);
            lock(&delivery.seen).apply(phone, session.user());
        }
        if delivery.is_closing() {
            break;
        }
        shared.call_back(&handle, &event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ev(n: u32) -> ClientEvent {
        ClientEvent::Reconnecting { attempt: n, delay: Duration::ZERO }
    }

    fn waiting(d: &Delivery) -> Vec<ClientEvent> {
        std::iter::from_fn(|| match d.rx.try_recv() {
            Ok(Item::Event(e)) => Some(e),
            _ => None,
        })
        .collect()
    }

    #[test]
    fn drop_oldest_keeps_the_newest_and_counts_once_per_episode() {
        let d = Delivery::new(2, OverflowPolicy::DropOldest);
        let started: Vec<bool> = (1..=5).map(|n| d.send(ev(n))).collect();
        assert_eq!(started, [false, false, true, false, false]);
        assert_eq!(d.dropped(), 3);
        assert_eq!(waiting(&d), [ev(4), ev(5)]);
        assert_eq!(d.report(), Some(ClientEvent::Overflow { dropped: 3 }));
        assert_eq!(d.report(), None);
    }

    #[test]
    fn drop_oldest_answers_a_flush_it_reaches_instead_of_spinning_on_it() {
        let d = Delivery::new(1, OverflowPolicy::DropOldest);
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        let _ = d.tx.send(Item::Flush(done_tx));
        assert!(!d.send(ev(1)), "a flush marker is not a lost event");
        assert!(done_rx.try_recv().is_ok(), "everything before the flush was dropped: it is answered");
        assert_eq!(waiting(&d), [ev(1)]);
    }

    #[test]
    fn drop_newest_keeps_the_first() {
        let d = Delivery::new(1, OverflowPolicy::DropNewest);
        (1..=3).for_each(|n| {
            d.send(ev(n));
        });
        assert_eq!(d.dropped(), 2);
        assert_eq!(waiting(&d), [ev(1)]);
    }

    #[test]
    fn closing_releases_a_reader_blocked_on_a_full_backlog_and_sends_nothing_more() {
        let d = Arc::new(Delivery::new(1, OverflowPolicy::Block));
        d.send(ev(1));
        let reader = {
            let d = d.clone();
            std::thread::spawn(move || d.send(ev(2)))
        };
        d.close();
        assert!(!reader.join().unwrap());
        assert!(!d.send(ev(3)));
        assert_eq!(d.dropped(), 0, "what closing discards is not an overflow");
        assert_eq!(waiting(&d), [ev(1)]);
    }
}
