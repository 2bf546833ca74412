//! Soak: a flood of events from the simulator over a real socket, under
//! each overflow policy. Blocking loses nothing and keeps the order;
//! dropping loses exactly what it reports.
//!
//! The flood's size comes from `DGPHONE_SOAK_EVENTS` (default 20,000, for
//! a debug `cargo test`); `scripts/test-all` runs it with 1,000,000 in a
//! release build. Figures are printed (`--nocapture`), never asserted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use dgphone::{Client, ClientEvent, Options, OverflowPolicy};
use dgphone_sim::{SimConfig, Simulator};

/// Generous: only a broken client takes this long.
const WAIT: Duration = Duration::from_secs(60);
/// Events per simulator write.
const BATCH: u64 = 1000;

fn flood_size() -> u64 {
    std::env::var("DGPHONE_SOAK_EVENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000)
}

/// A DGPhone event carrying its place in the flood.
fn numbered(seq: u64) -> String {
    format!("Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: 201\r\nLine: 1\r\nX-Seq: {seq}\r\n\r\n")
}

fn seq_of(event: &ClientEvent) -> Option<u64> {
    event.phone()?.get("X-Seq")?.parse().ok()
}

/// Writes events `0..count` to every connected client, in batches.
fn flood(sim: &Simulator, count: u64) {
    let mut bytes = String::new();
    for start in (0..count).step_by(BATCH as usize) {
        bytes.clear();
        (start..count.min(start + BATCH)).for_each(|seq| bytes.push_str(&numbered(seq)));
        sim.send_raw(bytes.as_bytes());
    }
}

/// Connects with `options` and takes Connected and the greeting, so the
/// simulator serves the client and the queue starts empty.
fn connect(sim: &Simulator, options: Options) -> Client {
    let client = Client::connect("127.0.0.1", sim.port(), options).expect("connects");
    loop {
        match client.next_event(WAIT) {
            Some(ClientEvent::Greeting(_)) => return client,
            Some(_) => {}
            None => panic!("no greeting within {WAIT:?}"),
        }
    }
}

/// Counts the phone events the callback sees (it sees every one, whatever
/// the queue drops) and lets a test wait until it has seen `count`.
#[derive(Default)]
struct Seen {
    count: Mutex<u64>,
    changed: Condvar,
    all: AtomicBool,
}

/// Options for a client that `Seen` watches while the test pulls: the
/// queue collects beside the callback (delivery is explicit), and the
/// callback's backlog never loses, so the callback sees every event.
fn watched() -> Options {
    Options { queue_with_callback: true, delivery_backlog: usize::MAX, ..Options::default() }
}

impl Seen {
    fn watch(client: &Client, count: u64) -> Arc<Seen> {
        let seen = Arc::new(Seen::default());
        let inner = seen.clone();
        client
            .on_event(move |_, event| {
                if event.phone().is_some() {
                    let mut n = inner.count.lock().unwrap();
                    *n += 1;
                    if *n == count {
                        inner.all.store(true, Ordering::SeqCst);
                        inner.changed.notify_all();
                    }
                }
            })
            .unwrap();
        seen
    }

    fn wait_all(&self, count: u64) {
        let n = self.count.lock().unwrap();
        let (n, _) = self.changed.wait_timeout_while(n, WAIT * 5, |n| *n < count).unwrap();
        assert_eq!(*n, count, "the reader did not get the whole flood");
    }
}

fn report(what: &str, count: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!("soak {what}: {count} events in {secs:.2} s ({:.0} events/s)", count as f64 / secs);
}

#[test]
fn blocking_policy_loses_nothing_and_keeps_order() {
    let count = flood_size();
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap();
    let options = Options { overflow: OverflowPolicy::Block, queue_capacity: 256, ..watched() };
    let client = connect(&sim, options);
    let started = Instant::now();
    thread::scope(|scope| {
        scope.spawn(|| flood(&sim, count));
        let mut next = 0;
        while next < count {
            let event = client.next_event(WAIT).unwrap_or_else(|| panic!("stalled after {next} events"));
            if let Some(seq) = seq_of(&event) {
                assert_eq!(seq, next, "out of order or lost");
                next += 1;
            }
            assert!(!matches!(event, ClientEvent::Overflow { .. }), "blocking queue overflowed");
        }
    });
    assert_eq!(client.dropped_events(), 0);
    report("block (capacity 256, consumer pulling)", count, started);
}

#[test]
fn drop_newest_keeps_the_first_and_counts_the_rest() {
    let count = flood_size();
    let capacity = 64;
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap();
    let options = Options { overflow: OverflowPolicy::DropNewest, queue_capacity: capacity, ..watched() };
    let client = connect(&sim, options);
    let seen = Seen::watch(&client, count);
    let started = Instant::now();
    // Nobody pulls during the flood: the queue fills, then drops.
    flood(&sim, count);
    seen.wait_all(count);
    report("drop-newest (capacity 64, no consumer)", count, started);

    let lost = count - capacity as u64;
    assert_eq!(client.next_event(WAIT), Some(ClientEvent::Overflow { dropped: lost }));
    let delivered: Vec<u64> = std::iter::from_fn(|| client.try_next_event()).filter_map(|e| seq_of(&e)).collect();
    assert_eq!(delivered, (0..capacity as u64).collect::<Vec<_>>(), "the first events stay");
    assert_eq!(client.dropped_events(), count - delivered.len() as u64);
    println!("soak drop-newest: sent {count}, delivered {}, dropped {lost}", delivered.len());
}

#[test]
fn drop_oldest_counts_exactly_while_the_consumer_pulls() {
    let count = flood_size();
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap();
    let options = Options { overflow: OverflowPolicy::DropOldest, queue_capacity: 64, ..watched() };
    let client = connect(&sim, options);
    let seen = Seen::watch(&client, count);
    let (delivered, reported) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    thread::scope(|scope| {
        scope.spawn(|| flood(&sim, count));
        let mut last = None;
        let mut take = |event: ClientEvent| match event {
            ClientEvent::Overflow { dropped } => {
                reported.fetch_add(dropped, Ordering::Relaxed);
            }
            event => {
                if let Some(seq) = seq_of(&event) {
                    assert!(last.map_or(true, |l| seq > l), "{seq} after {last:?}: out of order");
                    last = Some(seq);
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
        };
        // Pull until the reader has queued the whole flood, then drain.
        while !seen.all.load(Ordering::SeqCst) {
            if let Some(event) = client.next_event(Duration::from_millis(50)) {
                take(event);
            }
        }
        std::iter::from_fn(|| client.try_next_event()).for_each(&mut take);
    });
    seen.wait_all(count);
    let (delivered, reported) = (delivered.into_inner(), reported.into_inner());
    report("drop-oldest (capacity 64, consumer pulling)", count, started);
    println!("soak drop-oldest: sent {count}, delivered {delivered}, dropped {reported}");
    assert_eq!(delivered + reported, count, "every event was delivered or reported lost");
    assert_eq!(client.dropped_events(), reported);
}
