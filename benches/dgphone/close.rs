//! Close time with a silent server: a logged-in client whose DGPhone has
//! gone quiet (sends nothing, closes nothing) is closed; how long until
//! close returns with its reader thread joined. Baseline: shutting down a
//! bare socket and joining the thread blocked reading it.

use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use dgphone::{Client, Options};
use dgphone_sim::{SimConfig, Simulator};

use super::report::{us, Report, Row, Verdict};
use super::stats::{micros, percentile};
use super::Mode;

fn library_close(sim: &Simulator) -> f64 {
    sim.set_silent(false);
    let options = Options { dead_peer_timeout: Some(Duration::from_secs(60)), ..Options::default() };
    let client = Client::connect("127.0.0.1", sim.port(), options).expect("connects");
    client.login("201").expect("logs in");
    sim.set_silent(true);
    let started = Instant::now();
    client.close();
    micros(started.elapsed())
}

fn bare_close(sim: &Simulator) -> f64 {
    sim.set_silent(false);
    let mut stream = TcpStream::connect(sim.local_addr()).expect("connects");
    let control = stream.try_clone().expect("clones");
    // The greeting has come (as the library's login answer had) before the
    // simulator goes silent.
    let mut peek = [0u8; 1];
    let _ = control.peek(&mut peek);
    sim.set_silent(true);
    let reader = thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
    });
    let started = Instant::now();
    let _ = control.shutdown(Shutdown::Both);
    let _ = reader.join();
    micros(started.elapsed())
}

pub fn run(mode: Mode, report: &mut Report) {
    let samples = mode.pick(20, 100);
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).expect("simulator starts");
    let (mut library, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        library.push(library_close(&sim));
        bare.push(bare_close(&sim));
    }
    sim.stop();
    let worst = percentile(&mut library, 100.0);
    let p50 = percentile(&mut library, 50.0);
    let bare_worst = percentile(&mut bare, 100.0);
    let bare_p50 = percentile(&mut bare, 50.0);
    report.row(Row {
        figure: "close, silent server (max)".into(),
        library: us(worst),
        baseline: format!("{} bare", us(bare_worst)),
        ratio: format!("{:.1}×", worst / bare_worst),
        target: "≤ 50 ms".into(),
        verdict: Verdict::from_bool(worst <= 50_000.0),
    });
    report.note(format!(
        "close: {samples} closes of a logged-in client after the simulator went silent; p50 library {}, bare {}",
        us(p50),
        us(bare_p50)
    ));
}
