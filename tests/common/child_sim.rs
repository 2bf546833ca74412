//! `dgphone-sim` in a child process, for measurements that must count only
//! the client's own descriptors, threads and memory. Shared by the soak
//! test and the scale benchmark (included with `#[path]`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The running simulator; killed and reaped on drop, even after a panic.
pub struct ChildSim(Child);

impl Drop for ChildSim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dgphone-sim` on a free port, without timestamps (idle sessions stay
/// idle), and the port it printed.
pub fn start() -> (ChildSim, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dgphone-sim"))
        .args(["--port", "0", "--timestamp-secs", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dgphone-sim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).expect("reads its port");
    let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok());
    (ChildSim(child), port.unwrap_or_else(|| panic!("no port in {line:?}")))
}
