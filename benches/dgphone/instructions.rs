//! Instructions per event, counted by valgrind's callgrind: the same on a
//! busy machine as on an idle one, so a change in the parser or the
//! delivery path shows as a number that does not drift with the VM.
//!
//! Each side runs as a child (this binary with `--callgrind-child WHAT N`)
//! under `valgrind --tool=callgrind`, twice, with two event counts; the
//! difference of the two totals over the difference of the counts is the
//! cost per event, without start-up and set-up. Socket → callback counts
//! every thread of the child (the reader, the callback thread, and the
//! writing server, whose share is a few instructions per 256 KiB write);
//! system calls run in the kernel and are not counted.

use std::net::TcpListener;
use std::process::Command;

use super::report::{Report, Row};
use super::{parse, throughput, traffic, Mode};

/// Runs one measured side in this process: the parent runs it under
/// callgrind.
pub fn child_main(args: &[String]) {
    let (what, count) = match args {
        [what, count, ..] => (what.as_str(), count.parse::<usize>().expect("count")),
        _ => panic!("usage: --callgrind-child parse|memchr|callback|bare COUNT"),
    };
    let bytes = traffic::events(count);
    match what {
        "parse" => assert_eq!(parse::typed_events(&bytes), count),
        "memchr" => assert_eq!(traffic::packets_in(&bytes), count),
        "callback" | "bare" => {
            let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
            let port = listener.local_addr().unwrap().port();
            let mut client = None;
            if what == "bare" {
                throughput::flood(&listener, &bytes, || throughput::bare_reader(port, count));
            } else {
                throughput::flood(&listener, &bytes, || {
                    throughput::library_reader(port, count, &mut client, Default::default())
                });
            }
            drop(client);
        }
        _ => panic!("unknown side {what}"),
    }
}

/// Total instructions of one child run, from callgrind's summary line.
fn instructions(what: &str, count: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(&exe)
        .args(["--callgrind-child", what, &count.to_string()])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

/// Instructions per event of `what`: the difference between two runs.
fn per_event(what: &str, small: usize, large: usize) -> Option<f64> {
    let (a, b) = (instructions(what, small)?, instructions(what, large)?);
    Some(b.saturating_sub(a) as f64 / (large - small) as f64)
}

pub fn run(mode: Mode, report: &mut Report) {
    if Command::new("valgrind").arg("--version").output().map_or(true, |o| !o.status.success()) {
        report.note("instructions: valgrind is missing (scripts/install-deps): not counted");
        return;
    }
    let (small, large) = mode.pick((20_000, 100_000), (50_000, 250_000));
    let sides = [
        ("parse: instructions per event", "parse", "memchr", "memchr lines"),
        ("socket → callback: instructions per event", "callback", "bare", "bare reader"),
    ];
    for (figure, library, floor, floor_name) in sides {
        match (per_event(library, small, large), per_event(floor, small, large)) {
            (Some(library), Some(floor)) => report.row(Row {
                figure: figure.into(),
                library: format!("{library:.0} instr"),
                baseline: format!("{floor:.0} instr {floor_name}"),
                ratio: format!("{:.1}×", library / floor),
                target: "-".into(),
                verdict: super::report::Verdict::NoTarget,
            }),
            _ => report.note(format!("instructions: {figure}: a callgrind run failed")),
        }
    }
    report.note(format!(
        "instructions: valgrind --tool=callgrind, every thread of a child process; per event = (total at {large} \
         events - total at {small}) / {}; the same on a busy machine as on an idle one",
        large - small
    ));
}
