//! Scale: 1,000 concurrent logged-in sessions in one process: resident
//! memory, address space and threads per session, and the time to connect
//! and log in all of them, against bare sessions (a socket, the login
//! exchange, and a thread with a 64 KiB stack blocked in read(); untouched
//! stack costs no RSS). Library sessions are measured pulling (reader
//! thread only) and with a callback (reader and callback threads).
//!
//! Address space is measured with glibc's malloc held to one arena
//! (MALLOC_ARENA_MAX=1 in the children): otherwise each new thread may get
//! an arena reserving 64 MiB, a glibc artefact that says nothing of the
//! 32-bit Windows processes the figure is for.
//!
//! Each side runs in a fresh child process (this binary with
//! `--scale-child`), so that neither inherits the other's freed memory or
//! cached thread stacks; the simulator runs in a third process, so its own
//! per-client threads are not counted.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use dgphone::{Client, Options};

use super::report::{Report, Row, Verdict};
use super::{procfs, traffic, Mode};

#[path = "../../tests/common/child_sim.rs"]
mod child_sim;

const SESSIONS: usize = 1000;
const LOGIN: &[u8] = b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\n\r\n";

/// What a child measured.
struct Measured {
    rss_kib: f64,
    vm_kib: f64,
    threads: f64,
    fds: f64,
    connect_secs: f64,
    close_secs: f64,
}

fn run_child(kind: &str, port: u16) -> Measured {
    let exe = std::env::current_exe().expect("knows its path");
    let output = Command::new(exe)
        .args(["--scale-child", kind, &port.to_string(), &SESSIONS.to_string()])
        .env("MALLOC_ARENA_MAX", "1")
        .stderr(Stdio::inherit())
        .output()
        .expect("the child runs");
    assert!(output.status.success(), "the {kind} child failed");
    let text = String::from_utf8_lossy(&output.stdout);
    let v: Vec<f64> = text.split_whitespace().map(|x| x.parse().expect("numbers")).collect();
    assert_eq!(v.len(), 6, "the child prints six numbers: {text}");
    let n = SESSIONS as f64;
    Measured {
        rss_kib: v[0] / n,
        threads: v[1] / n,
        fds: v[2] / n,
        connect_secs: v[3],
        close_secs: v[4],
        vm_kib: v[5] / n,
    }
}

pub fn run(_mode: Mode, report: &mut Report) {
    let (sim, port) = child_sim::start();
    let bare = run_child("bare", port);
    let library = run_child("library", port);
    let callback = run_child("callback", port);
    drop(sim);
    report.row(Row {
        figure: format!("scale: RSS per session ({SESSIONS})"),
        library: format!("{:.1} KiB", library.rss_kib),
        baseline: format!("{:.1} KiB bare", bare.rss_kib),
        ratio: format!("{:.2}×", library.rss_kib / bare.rss_kib),
        target: "≤ 48 KiB".into(),
        verdict: Verdict::from_bool(library.rss_kib <= 48.0),
    });
    report.row(Row {
        figure: format!("scale: RSS per session with a callback ({SESSIONS})"),
        library: format!("{:.1} KiB", callback.rss_kib),
        baseline: format!("{:.1} KiB bare", bare.rss_kib),
        ratio: format!("{:.2}×", callback.rss_kib / bare.rss_kib),
        target: "≤ 48 KiB".into(),
        verdict: Verdict::from_bool(callback.rss_kib <= 48.0),
    });
    for (what, measured) in [("pulling", &library), ("with a callback", &callback)] {
        report.row(Row {
            figure: format!("scale: VmSize per session {what} ({SESSIONS})"),
            library: format!("{:.1} KiB", measured.vm_kib),
            baseline: format!("{:.1} KiB bare", bare.vm_kib),
            ratio: format!("{:.2}×", measured.vm_kib / bare.vm_kib),
            target: "≤ 256 KiB".into(),
            verdict: Verdict::from_bool(measured.vm_kib <= 256.0),
        });
    }
    report.row(Row {
        figure: "scale: threads per session".into(),
        library: format!("{:.2} ({:.2} with a callback)", library.threads, callback.threads),
        baseline: format!("{:.2} bare", bare.threads),
        ratio: format!("{:.2}×", library.threads / bare.threads),
        target: "-".into(),
        verdict: Verdict::NoTarget,
    });
    report.row(Row {
        figure: format!("scale: connect+login all {SESSIONS}"),
        library: format!("{:.2} s", library.connect_secs),
        baseline: format!("{:.2} s bare", bare.connect_secs),
        ratio: format!("{:.2}×", library.connect_secs / bare.connect_secs),
        target: "-".into(),
        verdict: Verdict::NoTarget,
    });
    report.note(format!(
        "scale: sessions opened one after the other against dgphone-sim in another process; \
         descriptors per session: library {:.2}, bare {:.2}; closing all {SESSIONS}: library {:.2} s, bare {:.2} s",
        library.fds, bare.fds, library.close_secs, bare.close_secs
    ));
}

/// The child: opens `count` sessions of `kind`, prints the growth of RSS
/// (KiB), threads and descriptors, the seconds it took, and the seconds to
/// close them all.
pub fn child_main(args: &[String]) {
    let (kind, port, count) = match args {
        [kind, port, count, ..] => (kind.as_str(), port.parse().expect("port"), count.parse().expect("count")),
        _ => panic!("usage: --scale-child bare|library|callback PORT COUNT"),
    };
    procfs::raise_fd_limit();
    assert!(procfs::fd_limit() > 5 * count as u64, "too few descriptors: raise `ulimit -n`");
    let (rss, threads, fds) = (procfs::rss_kib(), procfs::thread_count(), procfs::fd_count());
    let vm = procfs::vm_size_kib();
    let started = Instant::now();
    let sessions: Vec<Box<dyn Session>> = (0..count)
        .map(|_| match kind {
            "library" => library_session(port),
            "callback" => callback_session(port),
            _ => bare_session(port),
        })
        .collect();
    let connect_secs = started.elapsed().as_secs_f64();
    let grown = (procfs::rss_kib() - rss, procfs::thread_count() - threads, procfs::fd_count() - fds);
    let vm_grown = procfs::vm_size_kib() - vm;
    let started = Instant::now();
    for session in sessions {
        session.close();
    }
    let close_secs = started.elapsed().as_secs_f64();
    println!("{} {} {} {connect_secs} {close_secs} {vm_grown}", grown.0, grown.1, grown.2);
}

trait Session {
    fn close(self: Box<Self>);
}

impl Session for Client {
    fn close(self: Box<Self>) {}
}

fn library_session(port: u16) -> Box<dyn Session> {
    let client = Client::connect("127.0.0.1", port, Options::default()).expect("connects");
    client.login("201").expect("logs in");
    // An application pulls what the login queued.
    while client.try_next_event().is_some() {}
    Box::new(client)
}

/// A callback-only session: the callback thread as well as the reader.
fn callback_session(port: u16) -> Box<dyn Session> {
    let client = Client::new(Options::default());
    client.on_event(|_, _| {}).expect("sets the callback");
    client.connect("127.0.0.1", port).expect("connects");
    client.login("201").expect("logs in");
    Box::new(client)
}

struct Bare {
    control: TcpStream,
    thread: JoinHandle<()>,
}

impl Session for Bare {
    fn close(self: Box<Self>) {
        let _ = self.control.shutdown(Shutdown::Both);
        let _ = self.thread.join();
    }
}

fn bare_session(port: u16) -> Box<dyn Session> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream.set_nodelay(true).expect("nodelay");
    stream.write_all(LOGIN).expect("writes");
    let mut buf = [0u8; 4096];
    let mut got = 0;
    // The greeting line, then the login response.
    while traffic::packets_in(&buf[..got]) == 0 {
        let n = stream.read(&mut buf[got..]).expect("reads");
        assert!(n > 0, "the simulator closed");
        got += n;
    }
    let control = stream.try_clone().expect("clones");
    let thread = thread::Builder::new()
        .name("bare-reader".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let mut buf = [0u8; 4096];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        })
        .expect("spawns");
    Box::new(Bare { control, thread })
}
