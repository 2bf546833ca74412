//! `dgphone-sim` in a child process, for measurements that must count only
//! the client's own descriptors, threads and memory, and for the tests of
//! the binary itself. Shared by those tests and the scale benchmark
//! (included with `#[path]`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;

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
#[allow(dead_code)] // each includer uses what it needs
pub fn start() -> (ChildSim, u16) {
    let mut child = Command::new(binary())
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

/// The `dgphone-sim` binary of this build's profile, built first: it
/// belongs to the `dgphone-cli` package (its clap front end keeps clap out
/// of the library crates), so cargo does not build it for this
/// package's tests (and `CARGO_BIN_EXE_*` only names a package's own).
/// Cargo releases its build lock before it runs tests, so this nested build
/// waits for nothing; when the binary is fresh it does no work.
#[allow(dead_code)] // each includer uses what it needs
pub fn binary() -> PathBuf {
    static BUILD: Once = Once::new();
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(PathBuf::from))
        .expect("the test runs from target/<profile>/deps");
    BUILD.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "dgphone-cli", "--bin", "dgphone-sim"]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs to build dgphone-sim");
        assert!(status.success(), "cargo could not build dgphone-sim");
    });
    profile_dir.join(format!("dgphone-sim{}", std::env::consts::EXE_SUFFIX))
}
