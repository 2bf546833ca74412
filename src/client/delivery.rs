//! The callback thread: the reader hands each event to a bounded backlog
//! and goes back to the socket; this thread calls the application's
//! callback, in order. A slow callback therefore delays only its own later
//! events, never reading, state, waits or login.
//!
//! The backlog is a deque under one lock, fed a batch at a time: the
//! reader hands over the events of one read under a single lock (into an
//! empty backlog, the batch's deque itself, by a swap) and wakes this
//! thread at most once for it, and this thread takes everything waiting in
//! one swap, then delivers it event by event with no lock held (events are
//! moved, never copied, from the decoder to the callback). A flood's
//! events the reader judged where they lie in its read buffer (see
//! [`PlacedEvents`]) come as a run and an index each, and are built here,
//! off the thread every event waits for. A
//! channel item per event cost a hand-off (and often a wake-up) per event;
//! a deque also lets DropOldest drop exactly the oldest event still
//! waiting. The bound counts the events waiting and those taken but not yet
//! started; the full backlog applies the client's [`OverflowPolicy`];
//! losses are counted and reported with the queue's own [`Losses`].
//!
//! Since the reader runs ahead, the live line state may already include
//! events the callback has not seen. So this thread keeps the state as of
//! the event it delivers, and `state()` called from the callback shows
//! that one: an event's callback sees the state that event produced, as
//! when the callback ran on the reader. Each event comes with the change
//! the reader judged it made to the live state ([`Change`]); this copy,
//! which has followed the same events, commits it without judging the
//! event again.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::Sender;
use crossbeam_utils::CachePadded;

use super::options::MIN_CALLBACK_STACK;
use super::queue::Losses;
use super::{lock, ClientEvent, ClientHandle, OverflowPolicy, Shared, READER_OF};
use crate::protocol::PlacedEvents;
use crate::state::{Change, PhoneState};

thread_local! {
    /// The client whose callback thread this is (its `Shared` address).
    static CALLBACK_OF: Cell<usize> = const { Cell::new(0) };
}

/// True on `shared`'s callback thread.
pub(crate) fn on_callback_thread(shared: &Shared) -> bool {
    CALLBACK_OF.with(|c| c.get() == shared as *const Shared as usize)
}

enum Item {
    /// An event, with what it changed in the live state (the reader's
    /// judgement), for the state kept here to follow. Boxed, so that an
    /// item is small: the backlog's every item is as large as the largest,
    /// and a flood's items are `Placed`, written by the reader for every
    /// event.
    Event(Box<ClientEvent>, Change),
    /// Events the reader read in place (see [`PlacedEvents`]): the
    /// `Placed` items after this one are its, until the next run. Not an
    /// event itself, and never dropped.
    Run(Arc<PlacedEvents>),
    /// Event `index` of the last run before it, built on this thread, with
    /// its change as for `Event`.
    Placed(u32, Change),
    /// Answered once everything sent before it has been handled.
    Flush(Sender<()>),
    /// The client is closing: the thread ends.
    Stop,
}

impl Item {
    /// Counted against the backlog's bound (markers are not).
    fn is_event(&self) -> bool {
        matches!(self, Item::Event(..) | Item::Placed(..))
    }
}

/// The callback thread's events of one read, gathered by the reader and
/// handed over whole: into an empty backlog the batch itself goes, a swap
/// of two deques, and the reader gets the emptied one back. An event is
/// then written once on the reader's side, not once into the batch and
/// again into the backlog.
#[derive(Default)]
pub(crate) struct Batch {
    items: VecDeque<Item>,
    /// Events among `items`.
    events: usize,
}

impl Batch {
    pub fn push(&mut self, event: ClientEvent, change: Change) {
        self.items.push_back(Item::Event(Box::new(event), change));
        self.events += 1;
    }

    /// Starts a run of events read in place; [`Batch::push_placed`] adds
    /// them, in their turn among the other events.
    pub fn push_run(&mut self, run: Arc<PlacedEvents>) {
        self.items.push_back(Item::Run(run));
    }

    /// Event `index` of the run last pushed.
    pub fn push_placed(&mut self, index: usize, change: Change) {
        self.items.push_back(Item::Placed(index as u32, change));
        self.events += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn clear(&mut self) {
        self.items.clear();
        self.events = 0;
    }

    /// Takes the events back out, built (a batch the callback thread
    /// refused).
    pub fn drain(&mut self) -> impl Iterator<Item = ClientEvent> + '_ {
        self.events = 0;
        let mut run = None;
        self.items.drain(..).filter_map(move |item| match item {
            Item::Event(event, _) => Some(*event),
            Item::Run(placed) => {
                run = Some(placed);
                None
            }
            Item::Placed(index, _) => run.as_ref().map(|run| ClientEvent::Phone(run.event(index as usize))),
            Item::Flush(_) | Item::Stop => None,
        })
    }
}

/// What waits for the callback thread, under one lock.
#[derive(Default)]
struct Backlog {
    items: VecDeque<Item>,
    /// Events among `items` (markers are not counted against the bound).
    events: usize,
    /// The callback thread sleeps for items: the next batch wakes it.
    asleep: bool,
}

pub(crate) struct Delivery {
    backlog: Mutex<Backlog>,
    /// Wakes the callback thread.
    ready: Condvar,
    /// Events the callback thread has taken but not started yet: still
    /// part of the backlog's bound. Written for every event, like `seen`:
    /// both padded away from the flags the reader reads for every event.
    in_hand: CachePadded<AtomicUsize>,
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
    /// With `OverflowPolicy::Block`, a reader waiting for room sleeps here
    /// (on the backlog's lock).
    room: Condvar,
    waiting_for_room: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The line state as of the event being delivered (see the module docs).
    seen: CachePadded<Mutex<PhoneState>>,
}

impl Delivery {
    pub fn new(capacity: usize, policy: OverflowPolicy) -> Delivery {
        Delivery {
            backlog: Mutex::new(Backlog::default()),
            ready: Condvar::new(),
            in_hand: CachePadded::new(AtomicUsize::new(0)),
            // A backlog of 0 could never hold the event being delivered.
            capacity: capacity.max(1),
            policy,
            losses: Mutex::new(Losses::default()),
            lossy: AtomicBool::new(false),
            wanted: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            discarding: AtomicBool::new(false),
            room: Condvar::new(),
            waiting_for_room: AtomicBool::new(false),
            thread: Mutex::new(None),
            seen: CachePadded::new(Mutex::new(PhoneState::new())),
        }
    }

    fn lock_backlog(&self) -> MutexGuard<'_, Backlog> {
        lock(&self.backlog)
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
            self.follow(lock(&shared.session).phone().clone());
        }
        if wanted {
            let mut thread = lock(&self.thread);
            if thread.is_none() {
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("dgphone-callback".into())
                    .stack_size(shared.options.callback_stack_size.max(MIN_CALLBACK_STACK))
                    .spawn(move || run(shared))?;
                *thread = Some(spawned);
            }
        }
        // Under the backlog's lock, as `send_batch` reads it: a batch is
        // either in the backlog before a flush marker pushed after this, or
        // refused back to the reader.
        let _backlog = self.lock_backlog();
        self.wanted.store(wanted, Ordering::SeqCst);
        Ok(())
    }

    /// Hands one event to the callback thread (see [`Delivery::send_batch`]).
    pub fn send(&self, event: ClientEvent) -> bool {
        let mut batch = Batch::default();
        batch.push(event, Change::None);
        self.send_batch(&mut batch)
    }

    /// Hands a batch of events (one read's) to the callback thread under
    /// one lock, applying the overflow policy when the backlog is full;
    /// `batch` is left empty. Returns true when this started losing events
    /// (once per episode, as the queue does). When the callback was removed
    /// since the batch was gathered, `batch` is left as it is, for the
    /// caller to queue: events are never lost in the switch.
    pub fn send_batch(&self, batch: &mut Batch) -> bool {
        if batch.is_empty() {
            return false;
        }
        if self.is_closing() {
            batch.clear();
            return false;
        }
        let mut started_losing = false;
        let mut backlog = self.lock_backlog();
        if !self.wanted.load(Ordering::SeqCst) {
            return false;
        }
        // Room for the whole batch at once: the usual case.
        let room = self.capacity.saturating_sub(backlog.events + self.in_hand.load(Ordering::SeqCst));
        if room >= batch.events {
            backlog.events += std::mem::take(&mut batch.events);
            if backlog.items.is_empty() {
                std::mem::swap(&mut backlog.items, &mut batch.items);
            } else {
                backlog.items.append(&mut batch.items);
            }
        }
        batch.events = 0;
        // The run the batch's `Placed` items are of: marked again after a
        // wait for room, as the callback thread lets go of a run once it has
        // delivered all it took.
        let mut run = None;
        for item in batch.items.drain(..) {
            if let Item::Run(placed) = &item {
                run = Some(placed.clone());
            }
            if !item.is_event() {
                backlog.items.push_back(item);
                continue;
            }
            let mut waited = false;
            while backlog.events + self.in_hand.load(Ordering::SeqCst) >= self.capacity {
                match self.policy {
                    OverflowPolicy::Block => {
                        let (guard, open) = self.wait_for_room(backlog);
                        backlog = guard;
                        if !open {
                            return started_losing;
                        }
                        waited = true;
                    }
                    OverflowPolicy::DropOldest => match drop_oldest(&mut backlog) {
                        true => started_losing |= self.lose(),
                        // Only events in hand: nothing waiting to drop.
                        false => break,
                    },
                    OverflowPolicy::DropNewest => break,
                }
            }
            if self.policy == OverflowPolicy::DropNewest
                && backlog.events + self.in_hand.load(Ordering::SeqCst) >= self.capacity
            {
                started_losing |= self.lose();
                continue;
            }
            if let (true, Item::Placed(..), Some(run)) = (waited, &item, &run) {
                backlog.items.push_back(Item::Run(run.clone()));
            }
            backlog.events += 1;
            backlog.items.push_back(item);
        }
        self.wake_after(backlog);
        started_losing
    }

    /// Lets go of the backlog, then wakes the callback thread if it sleeps:
    /// woken under the lock, it could only wake to wait for the lock (a
    /// second sleep and wake-up before the batch it was woken for).
    fn wake_after(&self, mut backlog: MutexGuard<'_, Backlog>) {
        let asleep = std::mem::take(&mut backlog.asleep);
        drop(backlog);
        if asleep {
            self.ready.notify_one();
        }
    }

    /// Appends a marker (not counted against the bound) and wakes the
    /// thread.
    fn push_marker(&self, item: Item) {
        let mut backlog = self.lock_backlog();
        backlog.items.push_back(item);
        self.wake_after(backlog);
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
    fn wait_for_room<'a>(&self, mut guard: MutexGuard<'a, Backlog>) -> (MutexGuard<'a, Backlog>, bool) {
        // The callback thread may be asleep with this batch's first events
        // waiting: wake it before waiting for it.
        if std::mem::take(&mut guard.asleep) {
            self.ready.notify_one();
        }
        // Announced under the lock the callback thread notifies under, so
        // its notify cannot slip between the check and the wait.
        self.waiting_for_room.store(true, Ordering::SeqCst);
        while guard.events + self.in_hand.load(Ordering::SeqCst) >= self.capacity && !self.is_closing() {
            guard = self.room.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        self.waiting_for_room.store(false, Ordering::SeqCst);
        (guard, !self.is_closing())
    }

    /// Wakes a reader waiting for room once the backlog is down to half:
    /// it then hands on a run of events without waiting, rather than
    /// waking for every one.
    fn made_room(&self) {
        if self.waiting_for_room.load(Ordering::SeqCst) {
            // Judged under the lock the reader waits with, woken after it.
            let backlog = self.lock_backlog();
            let half_empty = backlog.events + self.in_hand.load(Ordering::SeqCst) <= self.capacity / 2;
            drop(backlog);
            if half_empty {
                self.room.notify_all();
            }
        }
    }

    /// Starts the state kept here again from `live`: when events it did
    /// not follow were lost or dropped, or were never sent here.
    pub fn follow(&self, live: PhoneState) {
        *lock(&self.seen) = live;
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
        self.push_marker(Item::Flush(done_tx));
        // The sender is dropped unanswered if the thread ends first.
        let _ = done_rx.recv();
    }

    /// Stops delivery for good: no callback starts after this, a reader
    /// waiting for room is released, and the thread is told to end.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        {
            let _guard = self.lock_backlog();
            self.room.notify_all();
        }
        self.push_marker(Item::Stop);
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

    /// Takes everything waiting into `into` (empty), sleeping until there
    /// is something.
    fn take_all(&self, into: &mut VecDeque<Item>) {
        let mut backlog = self.lock_backlog();
        while backlog.items.is_empty() {
            backlog.asleep = true;
            backlog = self.ready.wait(backlog).unwrap_or_else(|e| e.into_inner());
        }
        backlog.asleep = false;
        self.in_hand.store(backlog.events, Ordering::SeqCst);
        backlog.events = 0;
        std::mem::swap(&mut backlog.items, into);
    }
}

/// Drops the oldest event waiting: a flush marker it passes is answered
/// (everything before it was handled), a stop marker is kept. False when
/// no event waits.
fn drop_oldest(backlog: &mut Backlog) -> bool {
    let at = match backlog.items.iter().position(Item::is_event) {
        Some(at) => at,
        None => return false,
    };
    let mut kept = VecDeque::new();
    for _ in 0..at {
        match backlog.items.pop_front() {
            Some(Item::Flush(done)) => {
                let _ = done.send(());
            }
            Some(other) => kept.push_back(other),
            None => {}
        }
    }
    backlog.items.pop_front();
    backlog.events -= 1;
    while let Some(item) = kept.pop_back() {
        backlog.items.push_front(item);
    }
    true
}

/// The callback thread's loop.
fn run(shared: Arc<Shared>) {
    READER_OF.with(|r| r.set(Arc::as_ptr(&shared) as usize));
    CALLBACK_OF.with(|c| c.set(Arc::as_ptr(&shared) as usize));
    let handle = ClientHandle { shared: shared.clone() };
    let delivery = &shared.delivery;
    let mut items = VecDeque::new();
    // The run the `Placed` items taken refer to.
    let mut run = None;
    loop {
        delivery.take_all(&mut items);
        while let Some(item) = items.pop_front() {
            if item.is_event() {
                delivery.in_hand.fetch_sub(1, Ordering::SeqCst);
                delivery.made_room();
                if delivery.is_closing() {
                    return;
                }
            }
            // After a disconnect, events read before it are dropped (closing
            // waits for one callback, not a backlog); its Disconnected is not.
            let discarding = delivery.discarding.load(Ordering::SeqCst);
            let (event, change) = match item {
                Item::Event(event, _) if discarding && !matches!(*event, ClientEvent::Disconnected { .. }) => continue,
                Item::Event(event, change) => (*event, change),
                Item::Run(placed) => {
                    run = Some(placed);
                    continue;
                }
                Item::Placed(..) if discarding => continue,
                Item::Placed(index, change) => match &run {
                    Some(run) => (ClientEvent::Phone(run.event(index as usize)), change),
                    None => {
                        debug_assert!(false, "an event read in place came without its run");
                        continue;
                    }
                },
                Item::Flush(done) => {
                    let _ = done.send(());
                    continue;
                }
                Item::Stop => return,
            };
            if let Some(report) = delivery.report() {
                // Lost events never reach the state kept here: catch up with
                // the live one.
                delivery.follow(lock(&shared.session).phone().clone());
                shared.call_back(&handle, &report);
            }
            // The change the reader judged: this copy has followed the
            // same events, so it follows without reading the event again.
            if let ClientEvent::Phone(phone) = &event {
                if change != Change::None {
                    lock(&delivery.seen).commit(change, phone);
                }
            }
            if delivery.is_closing() {
                return;
            }
            shared.call_back(&handle, &event);
        }
        // Everything taken is delivered: a run's buffer is not kept past
        // its events (the next run's first events always come with it).
        run = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delivery with a callback registered (as `set_wanted` marks it).
    fn delivery(capacity: usize, policy: OverflowPolicy) -> Delivery {
        let d = Delivery::new(capacity, policy);
        d.wanted.store(true, Ordering::SeqCst);
        d
    }
    use std::time::Duration;

    fn ev(n: u32) -> ClientEvent {
        ClientEvent::Reconnecting { attempt: n, delay: Duration::ZERO }
    }

    /// The events waiting, built, taken out.
    fn waiting(d: &Delivery) -> Vec<ClientEvent> {
        let mut backlog = d.lock_backlog();
        backlog.events = 0;
        let mut taken = Batch { items: std::mem::take(&mut backlog.items), events: 0 };
        let events: Vec<ClientEvent> = taken.drain().collect();
        events
    }

    /// A hundred events read in place (a read large enough for it).
    fn run() -> Arc<PlacedEvents> {
        let bytes: String = (0..100)
            .map(|n| format!("Event: DGPhoneEvent\r\nStatus: Ready\r\nLine: 1\r\nX-N: {n:04}\r\n\r\n"))
            .collect();
        let mut decoder = crate::wire::Decoder::default();
        decoder.push(bytes.as_bytes());
        Arc::new(PlacedEvents::take(&mut decoder).expect("read in place"))
    }

    /// ev(1), placed 0, ev(2), placed 1 and 2.
    fn mixed(run: &Arc<PlacedEvents>) -> Batch {
        let mut batch = Batch::default();
        batch.push(ev(1), Change::None);
        batch.push_run(run.clone());
        batch.push_placed(0, Change::None);
        batch.push(ev(2), Change::None);
        batch.push_placed(1, Change::None);
        batch.push_placed(2, Change::None);
        batch
    }

    fn phone(run: &PlacedEvents, index: usize) -> ClientEvent {
        ClientEvent::Phone(run.event(index))
    }

    #[test]
    fn events_read_in_place_keep_their_turn_and_are_dropped_one_by_one() {
        let run = run();
        let d = delivery(8, OverflowPolicy::DropOldest);
        assert!(!d.send_batch(&mut mixed(&run)));
        assert_eq!(waiting(&d), [ev(1), phone(&run, 0), ev(2), phone(&run, 1), phone(&run, 2)]);
        // A backlog of 3 keeps the newest three; the run's start stays for
        // the events kept after it.
        let d = delivery(3, OverflowPolicy::DropOldest);
        assert!(d.send_batch(&mut mixed(&run)));
        assert_eq!(d.dropped(), 2);
        assert_eq!(waiting(&d), [ev(2), phone(&run, 1), phone(&run, 2)]);
    }

    #[test]
    fn a_refused_batch_gives_its_events_read_in_place_back_built() {
        let run = run();
        assert!(run.get(99).status() == Some("Ready") && run.event(99).get("X-N") == Some("0099"));
        let d = Delivery::new(8, OverflowPolicy::Block);
        let mut batch = mixed(&run);
        assert!(!d.send_batch(&mut batch));
        let back: Vec<ClientEvent> = batch.drain().collect();
        assert_eq!(back, [ev(1), phone(&run, 0), ev(2), phone(&run, 1), phone(&run, 2)]);
        assert!(batch.is_empty());
    }

    #[test]
    fn drop_oldest_keeps_the_newest_and_counts_once_per_episode() {
        let d = delivery(2, OverflowPolicy::DropOldest);
        let started: Vec<bool> = (1..=5).map(|n| d.send(ev(n))).collect();
        assert_eq!(started, [false, false, true, false, false]);
        assert_eq!(d.dropped(), 3);
        assert_eq!(waiting(&d), [ev(4), ev(5)]);
        assert_eq!(d.report(), Some(ClientEvent::Overflow { dropped: 3 }));
        assert_eq!(d.report(), None);
    }

    fn batch(numbers: std::ops::RangeInclusive<u32>) -> Batch {
        let mut batch = Batch::default();
        numbers.for_each(|n| batch.push(ev(n), Change::None));
        batch
    }

    #[test]
    fn a_batch_is_one_hand_off_and_overflows_event_by_event() {
        let d = delivery(3, OverflowPolicy::DropOldest);
        let mut first = batch(1..=2);
        assert!(!d.send_batch(&mut first));
        assert!(first.is_empty(), "moved, not copied");
        let mut more = batch(3..=5);
        assert!(d.send_batch(&mut more));
        assert_eq!(d.dropped(), 2);
        assert_eq!(waiting(&d), [ev(3), ev(4), ev(5)]);
        let d = delivery(3, OverflowPolicy::DropNewest);
        let mut batch = batch(1..=5);
        assert!(d.send_batch(&mut batch));
        assert_eq!(d.dropped(), 2);
        assert_eq!(waiting(&d), [ev(1), ev(2), ev(3)]);
    }

    #[test]
    fn events_taken_but_not_started_count_against_the_bound() {
        let d = delivery(2, OverflowPolicy::DropNewest);
        d.send(ev(1));
        d.send(ev(2));
        let mut hand = VecDeque::new();
        d.take_all(&mut hand);
        assert_eq!(hand.len(), 2);
        assert!(d.send(ev(3)), "two in hand fill a backlog of two");
        d.in_hand.fetch_sub(1, Ordering::SeqCst);
        assert!(!d.send(ev(4)));
        assert_eq!(waiting(&d), [ev(4)]);
    }

    #[test]
    fn drop_oldest_answers_a_flush_it_reaches_instead_of_spinning_on_it() {
        let d = delivery(1, OverflowPolicy::DropOldest);
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        d.send(ev(0));
        d.push_marker(Item::Flush(done_tx));
        d.send(ev(1));
        assert!(done_rx.try_recv().is_err(), "the flush waits behind nothing dropped past it");
        d.send(ev(2));
        assert!(done_rx.try_recv().is_ok(), "everything before the flush was dropped: it is answered");
        assert_eq!(waiting(&d), [ev(2)]);
    }

    #[test]
    fn drop_newest_keeps_the_first() {
        let d = delivery(1, OverflowPolicy::DropNewest);
        (1..=3).for_each(|n| {
            d.send(ev(n));
        });
        assert_eq!(d.dropped(), 2);
        assert_eq!(waiting(&d), [ev(1)]);
    }

    #[test]
    fn closing_releases_a_reader_blocked_on_a_full_backlog_and_sends_nothing_more() {
        let d = Arc::new(delivery(1, OverflowPolicy::Block));
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
