//! `cargo bench --bench dgphone [-- --quick]`: the library's figures, each
//! measured against a baseline taken in the same run, so the noise of a
//! shared 2-core VM cancels out in the ratio. Prints a table and writes it
//! to `target/bench-report.txt`. Reports targets; never fails on one.
//!
//! Full mode is for a quiet machine (a few minutes); `--quick` (CI) takes a
//! few seconds per figure. See `BENCHMARKS.md` for what each figure means.

// The bench is built by current stable only (rustc 1.63 builds just the
// library), so it may use std::hint::black_box.
#![allow(clippy::incompatible_msrv)]

mod close;
mod idle;
mod instructions;
mod latency;
mod parse;
mod procfs;
mod report;
mod scale;
mod size;
mod stats;
mod throughput;
mod traffic;

use std::time::Instant;

use report::Report;

/// How long each figure may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Quick,
    Full,
}

impl Mode {
    /// `quick` in quick mode, `full` otherwise.
    pub fn pick<T>(self, quick: T, full: T) -> T {
        match self {
            Mode::Quick => quick,
            Mode::Full => full,
        }
    }
}

/// A figure's name (for filters) and what measures it.
type Figure = (&'static str, fn(Mode, &mut Report));

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The scale figure re-runs this binary as a child so that each side's
    // memory is measured in a fresh process.
    if let Some(at) = args.iter().position(|a| a == "--scale-child") {
        scale::child_main(&args[at + 1..]);
        return;
    }
    // The instruction counts run this binary under callgrind, one side at
    // a time.
    if let Some(at) = args.iter().position(|a| a == "--callgrind-child") {
        instructions::child_main(&args[at + 1..]);
        return;
    }
    let mode = if args.iter().any(|a| a == "--quick") { Mode::Quick } else { Mode::Full };
    // `cargo bench` passes `--bench`; a filter picks figures by name.
    let filters: Vec<&str> = args.iter().filter(|a| !a.starts_with("--")).map(String::as_str).collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));

    procfs::raise_fd_limit();
    let started = Instant::now();
    let mut report = Report::new(mode);
    let figures: [Figure; 8] = [
        ("parse", parse::run),
        ("instructions", instructions::run),
        ("throughput", throughput::run),
        ("latency", latency::run),
        ("idle", idle::run),
        ("scale", scale::run),
        ("close", close::run),
        ("size", size::run),
    ];
    for (name, run) in figures.iter().filter(|(name, _)| wanted(name)) {
        eprintln!("bench: {name}...");
        let figure_started = Instant::now();
        run(mode, &mut report);
        eprintln!("bench: {name} took {:.1} s", figure_started.elapsed().as_secs_f64());
    }
    report.note(format!("total bench time {:.1} s", started.elapsed().as_secs_f64()));
    let text = report.render();
    println!("{text}");
    match report::write(&text) {
        Ok(path) => eprintln!("bench: report written to {}", path.display()),
        Err(e) => eprintln!("bench: could not write the report: {e}"),
    }
}
