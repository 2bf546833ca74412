//! Idle cost: CPU time and wake-ups of logged-in idle sessions' reader
//! threads, against bare threads blocked in read() on sockets to the same
//! simulator, measured over the same window.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use dgphone::{Client, Options};
use dgphone_sim::{SimConfig, Simulator};

use super::report::{Report, Row, Verdict};
use super::{procfs, Mode};

const SESSIONS: usize = 4;
/// A realistic dead-peer setting: it must cost no wake-up while idle (it
/// is the socket's read timeout, not a timer thread).
const DEAD_PEER: Duration = Duration::from_secs(60);

struct Bare {
    control: TcpStream,
    thread: JoinHandle<()>,
}

/// A bare session: logs in with one write and reads until the end.
fn bare_session(port: u16) -> Bare {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream.write_all(b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 201\r\n\r\n").expect("writes");
    let control = stream.try_clone().expect("clones");
    let thread = thread::Builder::new()
        .name("bare-reader".into())
        .spawn(move || {
            let mut buf = [0u8; 4096];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        })
        .expect("spawns");
    Bare { control, thread }
}

/// CPU time and context switches of each thread.
fn sample(tids: &[i32]) -> (Duration, u64) {
    tids.iter().fold((Duration::ZERO, 0), |(cpu, switches), &tid| {
        (cpu + procfs::thread_cpu(tid), switches + procfs::context_switches(tid))
    })
}

pub fn run(mode: Mode, report: &mut Report) {
    let window = mode.pick(Duration::from_secs(2), Duration::from_secs(10));
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).expect("simulator starts");
    let before = procfs::tids();
    let options = Options { dead_peer_timeout: Some(DEAD_PEER), ..Options::default() };
    let clients: Vec<Client> = (0..SESSIONS)
        .map(|_| {
            let client = Client::connect("127.0.0.1", sim.port(), options.clone()).expect("connects");
            client.login("201").expect("logs in");
            client
        })
        .collect();
    let bare: Vec<Bare> = (0..SESSIONS).map(|_| bare_session(sim.port())).collect();
    assert!(sim.wait_for_logins(2 * SESSIONS, Duration::from_secs(10)), "every session logged in");
    // A new thread names itself only once it first runs: on a busy
    // machine the last one may not have yet.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (readers, bare_readers) = loop {
        let found = (procfs::new_threads(&before, "dgphone-reader"), procfs::new_threads(&before, "bare-reader"));
        if (found.0.len(), found.1.len()) == (SESSIONS, SESSIONS) || std::time::Instant::now() > deadline {
            break found;
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert_eq!((readers.len(), bare_readers.len()), (SESSIONS, SESSIONS), "found every reader thread");
    // Let the last answers be read and dispatched before the window opens.
    thread::sleep(Duration::from_millis(200));

    let (lib0, bare0) = (sample(&readers), sample(&bare_readers));
    thread::sleep(window);
    let (lib1, bare1) = (sample(&readers), sample(&bare_readers));

    let per_session_10s = |cpu: Duration| cpu.as_secs_f64() * 1e6 / SESSIONS as f64 * 10.0 / window.as_secs_f64();
    let library = per_session_10s(lib1.0 - lib0.0);
    let baseline = per_session_10s(bare1.0 - bare0.0);
    report.row(Row {
        figure: "idle CPU per session".into(),
        library: format!("{library:.1} µs/10 s"),
        baseline: format!("{baseline:.1} µs/10 s blocked read"),
        ratio: if baseline > 0.0 { format!("{:.1}×", library / baseline) } else { "-".into() },
        target: "≤ 100 µs/10 s".into(),
        verdict: Verdict::from_bool(library <= 100.0),
    });
    report.note(format!(
        "idle: {SESSIONS} logged-in sessions (dead-peer timeout {DEAD_PEER:?}, TCP keep-alive on) and \
         {SESSIONS} bare blocked readers, one {window:?} window{}; reader-thread wake-ups in the \
         window: library {}, bare {}",
        if mode == Mode::Quick { " (quick mode; full mode uses 10 s)" } else { "" },
        lib1.1 - lib0.1,
        bare1.1 - bare0.1
    ));

    drop(clients);
    for session in bare {
        let _ = session.control.shutdown(Shutdown::Both);
        let _ = session.thread.join();
    }
    sim.stop();
}
