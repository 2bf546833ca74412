//! Soak: many create/connect/login/free cycles leave nothing behind: the
//! process's descriptors and threads come back to where they were, and
//! its resident memory stops growing.
//!
//! The simulator runs as the `dgphone-sim` binary in a child process, so
//! only the client's own descriptors and threads are counted; this file
//! holds one test, so no other test's threads come and go meanwhile. The
//! count comes from `DGPHONE_SOAK_CYCLES` (default 300, for a debug
//! `cargo test`); `scripts/test-all` runs 10,000 in a release build.

use std::time::{Duration, Instant};

use dgphone::{Client, Options};

#[path = "common/child_sim.rs"]
mod child_sim;

/// Cycles run before the memory baseline is taken: the allocator's arenas
/// and the runtime's lazy state settle in these.
const WARM_UP: usize = 50;
/// Resident memory may move this much once warm (allocator slack), far
/// below what a leak of even 1 KiB per cycle adds over 10,000 cycles.
const RSS_SLACK_KIB: u64 = 4 * 1024;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn cycle(port: u16) {
    let client = Client::new(Options::default());
    client.connect("127.0.0.1", port).expect("connects");
    client.login("201").expect("logs in");
    drop(client);
}

/// A joined thread may linger in /proc/self/task for a moment after
/// `join` returns (the kernel wakes the joiner before it reaps the task),
/// so wait, with a generous bound, for the count to come back.
fn threads_settle_to(baseline: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = count("/proc/self/task");
        if now <= baseline || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn create_connect_login_free_cycles_leave_nothing_behind() {
    let cycles: usize = std::env::var("DGPHONE_SOAK_CYCLES").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let (_sim, port) = child_sim::start();
    // Descriptors and threads before any client: nothing may stay.
    let (fds, threads) = (count("/proc/self/fd"), count("/proc/self/task"));
    (0..WARM_UP).for_each(|_| cycle(port));
    let rss = rss_kib();
    let started = Instant::now();
    (0..cycles).for_each(|_| cycle(port));
    let secs = started.elapsed().as_secs_f64();
    let (fds_after, threads_after, rss_after) = (count("/proc/self/fd"), threads_settle_to(threads), rss_kib());
    println!(
        "soak cycles: {cycles} in {secs:.1} s ({:.2} ms each); fds {fds} -> {fds_after}; \
         threads {threads} -> {threads_after}; RSS {rss} -> {rss_after} KiB ({:+.1} B/cycle)",
        secs * 1e3 / cycles as f64,
        (rss_after as f64 - rss as f64) * 1024.0 / cycles as f64
    );
    assert_eq!(fds_after, fds, "descriptors leaked");
    assert_eq!(threads_after, threads, "threads leaked");
    assert!(rss_after <= rss + RSS_SLACK_KIB, "RSS grew by {} KiB", rss_after - rss);
}
