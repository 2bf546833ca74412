//! Event latency (server write → callback) and command latency (call →
//! bytes at the server), against a bare TCP ping-pong over loopback that
//! does the same exchange with plain read()/write() (the floor, one-way).
//!
//! One sample: the server writes one event; the receiver, on seeing it,
//! sends two commands back to back and the server reads both. The second
//! command is written while the first may still be unacknowledged, which
//! is exactly when Nagle's algorithm would hold it back: a missing
//! TCP_NODELAY shows as a ~40 ms command p99.
//!
//! The VM's idle vCPU halts now and then, which moves the floor between
//! about 2 µs and about 34 µs one-way, so floor and library run in
//! interleaved blocks (A B A B...) and are compared pair by pair. Which
//! CPU a receiver wakes on decides the state: a wake-up on the sender's
//! own CPU never meets a halted vCPU, one on the other CPU nearly always
//! does here. So the pairs alternate two placements, with the server and
//! both receivers pinned alike in each: all on one CPU ("same CPU"), or
//! server on one and receivers on the other ("cross CPU").

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use dgphone::{Client, ClientEvent, Command, EventKind, Line, Options};

use super::report::{us, Report, Row, Verdict};
use super::stats::{micros, percentile};
use super::{procfs, traffic, Mode};

/// The server waits this long (spinning, so its own CPU stays awake)
/// between samples, so that every receiver is back in its blocking read
/// when the next event comes: without it the library's reader, still
/// finishing its callback, would meet events already awake, a wake-up the
/// bare receiver, blocked sooner, always pays.
const GAP: Duration = Duration::from_micros(50);

/// A floor p50 above this means the pair ran while idle vCPUs halt.
const SLOW_FLOOR_US: f64 = 12.0;

/// When the receiver saw the event and called each command.
#[derive(Default)]
struct Stamps {
    seen: Option<Instant>,
    call1: Option<Instant>,
    call2: Option<Instant>,
}

type Slot = Arc<Mutex<Stamps>>;

fn commands() -> (Command, Command) {
    let line = Line::new(2).expect("a line");
    (Command::LineSelect(line), Command::Dial { number: "1002".into(), line: None })
}

fn encoded(command: &Command) -> Vec<u8> {
    command.to_packet(None).expect("valid").encode()
}

/// The floor: a thread that reads the event with read() and answers with
/// two write()s on a TCP_NODELAY socket.
fn bare_receiver(port: u16, slot: Slot) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream.set_nodelay(true).expect("nodelay");
    let (cmd1, cmd2) = commands();
    let (cmd1, cmd2) = (encoded(&cmd1), encoded(&cmd2));
    let mut buf = vec![0u8; traffic::one_event().len()];
    thread::spawn(move || loop {
        let mut got = 0;
        while got < buf.len() {
            match stream.read(&mut buf[got..]) {
                Ok(0) | Err(_) => return,
                Ok(n) => got += n,
            }
        }
        let seen = Instant::now();
        *slot.lock().unwrap() = Stamps { seen: Some(seen), call1: Some(seen), call2: None };
        stream.write_all(&cmd1).expect("writes");
        slot.lock().unwrap().call2 = Some(Instant::now());
        stream.write_all(&cmd2).expect("writes");
    });
}

/// The library: the callback sees the event and sends two commands.
fn library_receiver(port: u16, slot: Slot) -> Client {
    let client = Client::new(Options { queue_capacity: 0, ..Options::default() });
    let (cmd1, cmd2) = commands();
    client
        .on_event(move |handle, event| {
            // The login's answer is no sample.
            let sample = matches!(&event, ClientEvent::Phone(e) if e.kind() != EventKind::Response);
            if sample {
                let seen = Instant::now();
                *slot.lock().unwrap() = Stamps { seen: Some(seen), call1: Some(seen), call2: None };
                handle.send(&cmd1).expect("sends");
                slot.lock().unwrap().call2 = Some(Instant::now());
                handle.send(&cmd2).expect("sends");
            }
        })
        .expect("not on the reader thread");
    client.connect("127.0.0.1", port).expect("connects");
    client
}

/// Logs `client` in, answering its Login as DGPhone would: the library
/// sends no command before a login.
fn log_in(client: &Client, server: &mut TcpStream) {
    thread::scope(|scope| {
        let login = scope.spawn(|| client.login("201").expect("logs in"));
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") {
            server.read_exact(&mut byte).expect("reads the login");
            request.push(byte[0]);
        }
        server
            .write_all(b"Event: DGPhoneResponse\r\nResponse: Success\r\nCommand: Login\r\nUser: 201\r\n\r\n")
            .expect("answers the login");
        login.join().expect("the login thread ends");
    });
}

/// One block of samples on one connection: one-way µs of events and of
/// commands (both commands of each sample).
fn block(server: &mut TcpStream, slot: &Slot, samples: usize) -> (Vec<f64>, Vec<f64>) {
    let (cmd1, cmd2) = commands();
    let first = encoded(&cmd1).len();
    let mut buf = vec![0u8; first + encoded(&cmd2).len()];
    let (mut events, mut commands) = (Vec::with_capacity(samples), Vec::with_capacity(2 * samples));
    for _ in 0..samples {
        let sent = Instant::now();
        server.write_all(traffic::one_event()).expect("writes");
        let (mut got, mut first_at) = (0, None);
        while got < buf.len() {
            let n = server.read(&mut buf[got..]).expect("reads");
            assert!(n > 0, "the receiver closed");
            got += n;
            if first_at.is_none() && got >= first {
                first_at = Some(Instant::now());
            }
        }
        let second_at = Instant::now();
        while second_at.elapsed() < GAP {
            std::hint::spin_loop();
        }
        let stamps = std::mem::take(&mut *slot.lock().unwrap());
        let (seen, call1, call2) = (stamps.seen.unwrap(), stamps.call1.unwrap(), stamps.call2.unwrap());
        events.push(micros(seen - sent));
        commands.push(micros(first_at.unwrap() - call1));
        commands.push(micros(second_at - call2));
    }
    (events, commands)
}

/// p50 and p99 of one block.
#[derive(Clone, Copy)]
struct Spread {
    p50: f64,
    p99: f64,
}

impl Spread {
    fn of(mut samples: Vec<f64>) -> Spread {
        Spread { p50: percentile(&mut samples, 50.0), p99: percentile(&mut samples, 99.0) }
    }

    fn meets(self, floor: Spread) -> (bool, bool) {
        (self.p50 <= floor.p50 + 10.0, self.p99 <= 2.0 * floor.p99)
    }
}

struct Pair {
    placement: &'static str,
    floor_event: Spread,
    floor_command: Spread,
    event: Spread,
    command: Spread,
}

/// Whether a block ran while the receiving vCPU halted when idle (its
/// one-way p50 is then some 30 µs, not some 2-10 µs).
fn state(event: Spread) -> &'static str {
    if event.p50 > SLOW_FLOOR_US {
        "halting"
    } else {
        "awake"
    }
}

impl Pair {
    /// The placement, and the states the floor block and the library
    /// block saw.
    fn states(&self) -> String {
        format!("{}, {}/{}", self.placement, state(self.floor_event), state(self.event))
    }

    /// Only a pair whose blocks saw one state compares like with like.
    fn comparable(&self) -> bool {
        state(self.floor_event) == state(self.event)
    }
}

/// The threads that receive: the library's reader and callback thread (an
/// event crosses both), and the bare receiver. All are pinned alike.
const RECEIVER_THREADS: usize = 3;

pub fn run(mode: Mode, report: &mut Report) {
    let (pair_count, samples) = mode.pick((6, 300), (20, 2000));
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().unwrap().port();
    let slot: Slot = Arc::default();
    // The receivers are found by thread id, not by name: a new thread
    // names itself only once it runs.
    let cpus = procfs::all_cpus();
    let before = procfs::tids();
    let client = library_receiver(port, slot.clone());
    let (mut library, _) = listener.accept().expect("accepts");
    log_in(&client, &mut library);
    bare_receiver(port, slot.clone());
    let (mut bare, _) = listener.accept().expect("accepts");
    let receivers: Vec<i32> = procfs::tids().into_iter().filter(|t| !before.contains(t)).collect();
    for server in [&bare, &library] {
        server.set_nodelay(true).expect("nodelay");
    }
    let (first, last) = (cpus[0], cpus[cpus.len() - 1]);
    let place = |receiver_cpu: usize| {
        cpus.len() > 1
            && receivers.len() == RECEIVER_THREADS
            && procfs::pin(0, &[first])
            && receivers.iter().all(|&tid| procfs::pin(tid, &[receiver_cpu]))
    };
    let mut pairs = Vec::new();
    let mut unpinned = false;
    for i in 0..pair_count {
        let (placement, receiver_cpu) = if i % 2 == 0 { ("cross CPU", last) } else { ("same CPU", first) };
        unpinned |= !place(receiver_cpu);
        // A short warm-up in each placement, discarded.
        block(&mut bare, &slot, samples / 10);
        block(&mut library, &slot, samples / 10);
        let (floor_event, floor_command) = block(&mut bare, &slot, samples);
        let (event, command) = block(&mut library, &slot, samples);
        pairs.push(Pair {
            placement,
            floor_event: Spread::of(floor_event),
            floor_command: Spread::of(floor_command),
            event: Spread::of(event),
            command: Spread::of(command),
        });
    }
    drop(client);
    procfs::pin(0, &cpus);
    add_rows(report, &pairs, samples);
    if unpinned {
        report.note("latency: could not pin the threads to CPUs: placements are the scheduler's");
    }
}

fn add_rows(report: &mut Report, pairs: &[Pair], samples: usize) {
    type Pick = fn(&Pair) -> (Spread, Spread);
    let figures: [(&str, Pick); 2] =
        [("event", |p| (p.event, p.floor_event)), ("command", |p| (p.command, p.floor_command))];
    // One set of rows per placement: medians over its pairs, verdicts over
    // its pairs whose two blocks saw one state.
    for placement in ["same CPU", "cross CPU"] {
        let pairs: Vec<&Pair> = pairs.iter().filter(|p| p.placement == placement).collect();
        if pairs.is_empty() {
            continue;
        }
        let comparable = pairs.iter().filter(|p| p.comparable()).count();
        let count = |f: &dyn Fn(&Pair) -> bool| pairs.iter().filter(|p| p.comparable() && f(p)).count();
        let median = |f: &dyn Fn(&Pair) -> f64| super::stats::median(&pairs.iter().map(|p| f(p)).collect::<Vec<_>>());
        for (name, pick) in figures {
            let (p50, floor_p50) = (median(&|p| pick(p).0.p50), median(&|p| pick(p).1.p50));
            report.row(Row {
                figure: format!("{name} latency p50, {placement}"),
                library: us(p50),
                baseline: format!("{} ping-pong", us(floor_p50)),
                ratio: format!("{:+.1} µs", p50 - floor_p50),
                target: "≤ floor + 10 µs".into(),
                verdict: Verdict::Pairs(count(&|p| pick(p).0.meets(pick(p).1).0), comparable),
            });
            let (p99, floor_p99) = (median(&|p| pick(p).0.p99), median(&|p| pick(p).1.p99));
            report.row(Row {
                figure: format!("{name} latency p99, {placement}"),
                library: us(p99),
                baseline: format!("{} ping-pong", us(floor_p99)),
                ratio: format!("{:.2}×", p99 / floor_p99),
                target: "≤ 2× floor".into(),
                verdict: Verdict::Pairs(count(&|p| pick(p).0.meets(pick(p).1).1), comparable),
            });
        }
    }
    let mut states: Vec<String> = pairs.iter().map(Pair::states).collect();
    states.sort();
    states.dedup();
    let tally: Vec<String> =
        states.iter().map(|s| format!("{s}: {}", pairs.iter().filter(|p| &p.states() == s).count())).collect();
    report.note(format!(
        "latency: {} pairs of {samples} samples (floor block, then library block), placements alternating; \
         table values are medians over a placement's pairs; states seen, floor/library (halting = one-way \
         p50 over {SLOW_FLOOR_US} µs, the idle vCPU halts): {}; verdicts count the pairs whose two blocks saw one state",
        pairs.len(),
        tally.join("; ")
    ));
    for (i, p) in pairs.iter().enumerate() {
        report.note(format!(
            "latency pair {:>2} {:<26}: event p50/p99 {:.1}/{:.1} µs vs floor {:.1}/{:.1}; \
             command {:.1}/{:.1} vs floor {:.1}/{:.1}",
            i + 1,
            p.states(),
            p.event.p50,
            p.event.p99,
            p.floor_event.p50,
            p.floor_event.p99,
            p.command.p50,
            p.command.p99,
            p.floor_command.p50,
            p.floor_command.p99,
        ));
    }
}
