//! What Linux tells about this process: resident memory, threads, file
//! descriptors, and one thread's CPU time and wake-ups.

use std::fs;
use std::time::Duration;

/// Raises the soft limit on open files to the hard limit: 1,000 sessions
/// hold several descriptors each.
pub fn raise_fd_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: get/setrlimit with a pointer to a live rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The soft limit on open files.
pub fn fd_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit with a pointer to a live rlimit.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    limit.rlim_cur
}

fn status_field(path: &str, field: &str) -> Option<u64> {
    let text = fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

/// Address space of this process (reserved, touched or not), KiB: what
/// runs out first in a 32-bit process.
pub fn vm_size_kib() -> u64 {
    status_field("/proc/self/status", "VmSize:").unwrap_or(0)
}

/// Resident memory of this process, KiB.
pub fn rss_kib() -> u64 {
    status_field("/proc/self/status", "VmRSS:").unwrap_or(0)
}

pub fn thread_count() -> usize {
    fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

pub fn fd_count() -> usize {
    fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Every thread id of this process.
pub fn tids() -> Vec<i32> {
    fs::read_dir("/proc/self/task")
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The name of thread `tid` (as `Builder::name` set it, cut to 15 bytes).
pub fn thread_name(tid: i32) -> String {
    fs::read_to_string(format!("/proc/self/task/{tid}/comm")).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// CPU time thread `tid` has used, to the nanosecond: the kernel's
/// per-thread CPU clock (what `pthread_getcpuclockid` returns), read from
/// another thread without waking it. `/proc`'s utime/stime count whole
/// 10 ms ticks, too coarse for microseconds per 10 s.
pub fn thread_cpu(tid: i32) -> Duration {
    // The clock id of a thread's scheduler CPU clock (linux/posix-timers.h:
    // MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)).
    let clock = (!tid << 3) | 6;
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime with a pointer to a live timespec.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Times thread `tid` has been switched out: each wake-up of a blocked
/// thread adds one (voluntary + involuntary).
pub fn context_switches(tid: i32) -> u64 {
    let path = format!("/proc/self/task/{tid}/status");
    status_field(&path, "voluntary_ctxt_switches:").unwrap_or(0)
        + status_field(&path, "nonvoluntary_ctxt_switches:").unwrap_or(0)
}

/// The threads named `name` that are not in `before`.
pub fn new_threads(before: &[i32], name: &str) -> Vec<i32> {
    tids().into_iter().filter(|t| !before.contains(t) && thread_name(*t) == name).collect()
}

/// CPU time the calling thread has used.
pub fn this_thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime with a pointer to a live timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Pins thread `tid` (0: the calling thread) to the CPUs in `cpus`; false
/// when the kernel refuses (one CPU, or a restricted cpuset).
pub fn pin(tid: i32, cpus: &[usize]) -> bool {
    // SAFETY: a zeroed cpu_set_t is empty; CPU_SET and sched_setaffinity
    // get a pointer to it and its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Every CPU this machine has.
pub fn all_cpus() -> Vec<usize> {
    (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
}
