//! Socket → callback throughput: a flood of pre-encoded events over
//! loopback, delivered to a counting callback, against a bare reader that
//! only reads the same bytes from a socket and counts packet ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use dgphone::{Client, ClientEvent, Options, OverflowPolicy};

use super::report::{rate, Report, Row, Verdict};
use super::{procfs, stats, traffic, Mode};

/// Writes the flood in chunks of this size: large, so the writer is never
/// the bottleneck.
const WRITE_CHUNK: usize = 256 * 1024;

/// Accepts the connection `connect` opens, writes the flood, closes, and
/// returns when the flood was written and `connect`'s end instant.
pub fn flood(listener: &TcpListener, bytes: &[u8], connect: impl FnOnce() -> mpsc::Receiver<Instant>) -> Duration {
    let done = connect();
    let (mut server, _) = listener.accept().expect("the reader connects");
    let started = Instant::now();
    for chunk in bytes.chunks(WRITE_CHUNK) {
        server.write_all(chunk).expect("the reader reads");
    }
    drop(server);
    let ended = done.recv_timeout(Duration::from_secs(120)).expect("the reader got the whole flood");
    ended - started
}

/// The floor: read and count packet ends, nothing else.
pub fn bare_reader(port: u16, expected: usize) -> mpsc::Receiver<Instant> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let (mut carry, mut packets) = (0, 0);
        loop {
            let n = stream.read(&mut buf[carry..]).expect("reads");
            if n == 0 {
                break;
            }
            let filled = carry + n;
            let (found, consumed) = traffic::count_packet_ends(&buf[..filled]);
            packets += found;
            // Keep the unfinished line for the next read, as any reader must.
            carry = filled - consumed;
            buf.copy_within(consumed..filled, 0);
        }
        assert_eq!(packets, expected, "the bare reader counts every packet");
        let _ = tx.send(Instant::now());
    });
    rx
}

/// How busy the library's two threads were in the middle of a flood: the
/// share of the wall time each spent on a CPU, between the callbacks of
/// the events at 10% and at 90% of the flood (the reader is then surely
/// still reading).
#[derive(Clone, Copy)]
pub struct Busy {
    pub reader: f64,
    pub callback: f64,
}

/// Both threads' CPU clocks at one instant, read on the callback thread.
struct Clocks {
    at: Instant,
    reader: Duration,
    callback: Duration,
}

impl Clocks {
    fn now(reader_tid: i32) -> Clocks {
        Clocks { at: Instant::now(), reader: procfs::thread_cpu(reader_tid), callback: procfs::this_thread_cpu() }
    }

    fn busy_since(&self, start: &Clocks) -> Busy {
        let wall = (self.at - start.at).as_secs_f64();
        Busy {
            reader: (self.reader - start.reader).as_secs_f64() / wall,
            callback: (self.callback - start.callback).as_secs_f64() / wall,
        }
    }
}

/// The library: a client whose callback counts events (queue off, as for
/// an application that only uses the callback). The callback runs on its
/// own thread behind a bounded backlog; the Block policy makes the reader
/// wait for it rather than drop, so the figure is socket → callback with
/// nothing lost. `busy` gets how busy its threads were.
pub fn library_reader(
    port: u16,
    expected: usize,
    keep: &mut Option<Client>,
    busy: Arc<Mutex<Option<Busy>>>,
) -> mpsc::Receiver<Instant> {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let seen = Arc::new(AtomicUsize::new(0));
    let start = Mutex::new(None);
    let client = Client::new(Options { queue_capacity: 0, overflow: OverflowPolicy::Block, ..Options::default() });
    // The reader, once it has a name (a thread names itself as it starts):
    // the one new since the client was made.
    let before = procfs::tids();
    let reader_tid = move || match procfs::new_threads(&before, "dgphone-reader")[..] {
        [tid] => Some(tid),
        _ => None,
    };
    client
        .on_event(move |_, event| {
            if let ClientEvent::Phone(_) = event {
                let n = seen.fetch_add(1, Ordering::Relaxed) + 1;
                if n == expected / 10 {
                    *start.lock().unwrap() = reader_tid().map(|tid| (tid, Clocks::now(tid)));
                } else if n == expected * 9 / 10 {
                    if let Some((tid, start)) = &*start.lock().unwrap() {
                        *busy.lock().unwrap() = Some(Clocks::now(*tid).busy_since(start));
                    }
                }
                if n == expected {
                    let _ = tx.lock().unwrap().send(Instant::now());
                }
            }
        })
        .expect("not on the reader thread");
    client.connect("127.0.0.1", port).expect("connects");
    *keep = Some(client);
    rx
}

/// The library for an application that pulls: no callback, a thread
/// taking the queued events in batches of up to 256 (as the bindings'
/// batch pulls do), waiting when there are none; Block, so nothing is lost.
pub fn queue_reader(port: u16, expected: usize, keep: &mut Option<Arc<Client>>) -> mpsc::Receiver<Instant> {
    let (tx, rx) = mpsc::channel();
    let client = Arc::new(Client::new(Options { overflow: OverflowPolicy::Block, ..Options::default() }));
    client.connect("127.0.0.1", port).expect("connects");
    let puller = client.clone();
    thread::spawn(move || {
        let (mut seen, mut batch) = (0, Vec::new());
        while seen < expected {
            batch.clear();
            puller.wait_events(256, Duration::from_secs(60), &mut batch).expect("the flood keeps coming");
            seen += batch.iter().filter(|event| matches!(event, ClientEvent::Phone(_))).count();
        }
        let _ = tx.send(Instant::now());
    });
    *keep = Some(client);
    rx
}

pub fn run(mode: Mode, report: &mut Report) {
    let (count, rounds) = mode.pick((1_000_000, 9), (2_000_000, 15));
    let bytes = traffic::events(count);
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().unwrap().port();
    let (mut bare, mut library, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut pulled, mut pulled_ratios) = (Vec::new(), Vec::new());
    let (mut reader_busy, mut callback_busy) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let elapsed = flood(&listener, &bytes, || bare_reader(port, count));
        bare.push(count as f64 / elapsed.as_secs_f64());
        let mut client = None;
        let elapsed = flood(&listener, &bytes, || queue_reader(port, count, &mut client));
        pulled.push(count as f64 / elapsed.as_secs_f64());
        drop(client);
        pulled_ratios.push(pulled[pulled.len() - 1] / bare[bare.len() - 1]);
        let mut client = None;
        let busy = Arc::new(Mutex::new(None));
        let elapsed = flood(&listener, &bytes, || library_reader(port, count, &mut client, busy.clone()));
        library.push(count as f64 / elapsed.as_secs_f64());
        drop(client);
        ratios.push(library[library.len() - 1] / bare[bare.len() - 1]);
        let measured = *busy.lock().unwrap();
        if let Some(busy) = measured {
            reader_busy.push(busy.reader);
            callback_busy.push(busy.callback);
        }
    }
    let (bare, library, ratio) = (stats::median(&bare), stats::median(&library), stats::median(&ratios));
    report.row(Row {
        figure: "socket → callback".into(),
        library: format!("{} events", rate(library)),
        baseline: format!("{} bare reader", rate(bare)),
        ratio: format!("{:.0}%", ratio * 100.0),
        target: "≥ 30% of bare".into(),
        verdict: Verdict::from_bool(ratio >= 0.30),
    });
    report.row(Row {
        figure: "socket → queue (pulled)".into(),
        library: format!("{} events", rate(stats::median(&pulled))),
        baseline: format!("{} bare reader", rate(bare)),
        ratio: format!("{:.0}%", stats::median(&pulled_ratios) * 100.0),
        target: "-".into(),
        verdict: Verdict::NoTarget,
    });
    report.note(format!(
        "socket → callback: {count} events ({:.1} MB) per flood over loopback; medians of {rounds} \
         interleaved rounds (the ratio is the median of the rounds' ratios); the callback counts events, the queue is off; the bare reader finds \
         line ends with memchr and counts blank lines",
        bytes.len() as f64 / 1e6
    ));
    report.note(
        "socket → queue: the same floods, no callback, a thread pulling up to 256 events at a time \
         (Block policy, default queue of 4096)",
    );
    // What bounds the figure: a reader near 100% is bound by its own work
    // (framing, typing, state, hand-off); well below, by waiting (for the
    // server, or for a full backlog).
    if reader_busy.is_empty() {
        report.note("socket → callback: how busy the library's threads were could not be measured");
        return;
    }
    report.note(format!(
        "socket → callback: in the middle of each flood the library's reader thread was on a CPU {:.0}% of the time \
         and its callback thread {:.0}% (medians)",
        stats::median(&reader_busy) * 100.0,
        stats::median(&callback_busy) * 100.0
    ));
}
