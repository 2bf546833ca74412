//! Parse: bytes → typed events, against a plain memchr scan for packet
//! ends over the same bytes (the floor: framing with no work at all).

use std::hint::black_box;

use dgphone::wire::{Decoder, Frame};
use dgphone::Event;

use super::report::{rate, Report, Row, Verdict};
use super::{procfs, stats, traffic, Mode};

/// The measure of panoramisk (a Python asyncio AMI client) on this
/// kind of machine, for scale; not measured here.
const PANORAMISK_PER_SEC: f64 = 0.2e6;

/// Everything the reader thread does to bytes before delivery: framing,
/// header parsing, text checks, typing. Fed in 16 KiB reads like a socket.
pub fn typed_events(bytes: &[u8]) -> usize {
    let mut decoder = Decoder::default();
    let mut source = bytes;
    let mut events = 0;
    loop {
        while let Some(frame) = decoder.next_frame() {
            if let Ok(Frame::Packet(packet)) = frame {
                black_box(Event::from_packet(packet).kind());
                events += 1;
            }
        }
        if decoder.read_from(&mut source).expect("reading a slice") == 0 {
            return events;
        }
    }
}

/// Packets per CPU-second of `work` over `passes` passes of `bytes`. CPU
/// time of this thread, not wall time: on a shared machine, time spent
/// waiting for a core is not the parser's.
fn packets_per_sec(bytes: &[u8], passes: usize, work: fn(&[u8]) -> usize) -> f64 {
    let started = procfs::this_thread_cpu();
    let mut packets = 0;
    for _ in 0..passes {
        packets += work(black_box(bytes));
    }
    packets as f64 / (procfs::this_thread_cpu() - started).as_secs_f64()
}

pub fn run(mode: Mode, report: &mut Report) {
    let bytes = traffic::events(50_000);
    // Many short rounds, each its own ratio: the machine's speed drifts
    // (other builds, the sibling hyperthread), and a ratio taken within
    // a few milliseconds sees one speed.
    let (rounds, passes) = mode.pick((21, 2), (101, 4));
    assert_eq!(typed_events(&bytes), traffic::packets_in(&bytes), "both count every packet");
    let (mut floor, mut library, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        floor.push(packets_per_sec(&bytes, passes, traffic::packets_in));
        library.push(packets_per_sec(&bytes, passes, typed_events));
        ratios.push(library[library.len() - 1] / floor[floor.len() - 1]);
    }
    let (floor, library, ratio) = (stats::median(&floor), stats::median(&library), stats::median(&ratios));
    report.row(Row {
        figure: "parse: bytes → typed events".into(),
        library: rate(library),
        baseline: format!("{} memchr lines", rate(floor)),
        ratio: format!("{:.0}%", ratio * 100.0),
        target: "≥ 25% of memchr".into(),
        verdict: Verdict::from_bool(ratio >= 0.25),
    });
    report.note(format!(
        "parse: {:.0}-byte events, per CPU-second of the measuring thread; medians of {rounds} interleaved rounds \
         (the ratio is the median of the rounds' ratios); {:.0}× panoramisk's 0.2M/s \
         (the issue's figure, not measured here; target ≥ 40×)",
        traffic::mean_size(),
        library / PANORAMISK_PER_SEC
    ));
}
