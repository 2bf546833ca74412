//! The README's code samples are real files: each block follows a
//! `<!-- sample: PATH -->` marker and must equal that file, and each
//! sample answers a call the simulator rings. The C and C++ samples are
//! compiled here with gcc and g++ against include/dgphone.h and the
//! libdgphone.so this test run built (scripts/install-deps installs the
//! compilers). The Rust sample runs in tests/readme_rust.rs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use dgphone::Line;
use dgphone_sim::{SimConfig, Simulator};

const WAIT: Duration = Duration::from_secs(10);
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The (path, code) of every sample block in the README.
fn readme_samples() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let mut samples = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line.trim().strip_prefix("<!-- sample: ").and_then(|p| p.strip_suffix(" -->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(fence.starts_with("```"), "a code block must follow the marker for {path}");
        let code: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        samples.push((path.to_string(), code.join("\n") + "\n"));
    }
    samples
}

#[test]
fn readme_blocks_are_the_sample_files() {
    let samples = readme_samples();
    let paths: Vec<&str> = samples.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["examples/answer.rs", "examples/readme/answer.c", "examples/readme/answer.cpp"]);
    for (path, code) in samples {
        let file = std::fs::read_to_string(Path::new(ROOT).join(&path)).unwrap();
        assert!(file == code, "README's block for {path} differs from the file: copy the file into the README");
    }
}

/// Where this run's libdgphone.so is: beside the test binary, in deps/,
/// built from the same sources in this run (target/debug's copy is only
/// refreshed by some cargo commands).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    assert!(dir.join("libdgphone.so").exists(), "no libdgphone.so in {}", dir.display());
    dir
}

/// Compiles a sample with warnings as errors; returns the program.
fn compile(compiler: &str, std: &str, source: &str, name: &str) -> PathBuf {
    let lib = library_dir();
    let out = std::env::temp_dir().join(format!("dgphone-readme-{}-{name}", std::process::id()));
    let output = Command::new(compiler)
        .args([std, "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(format!("-I{ROOT}/include"))
        .arg(Path::new(ROOT).join(source))
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-ldgphone", "-o"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{compiler} is missing ({e}): run scripts/install-deps"));
    assert!(output.status.success(), "{source} does not compile:\n{}", String::from_utf8_lossy(&output.stderr));
    out
}

/// Runs a compiled sample against a simulator that rings line 3 once the
/// sample has logged in; the sample must answer it and exit 0.
fn answers_a_call(program: &Path) {
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap();
    let mut child = Command::new(program)
        .env("DGPHONE_HOST", "127.0.0.1")
        .env("DGPHONE_PORT", sim.port().to_string())
        .env("DGPHONE_USER", "201")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logged_in = sim.wait_for_logins(1, WAIT);
    if logged_in {
        sim.incoming_call(Line::new(3).unwrap(), "5551234");
    }
    let answer = sim.wait_for_command("Answer", WAIT);
    if !logged_in || answer.is_none() {
        let _ = child.kill();
    }
    // The sample exits once DGPhone confirmed (or it was killed above).
    let status = child.wait().unwrap();
    let mut out = String::new();
    let mut err = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let _ = std::fs::remove_file(program);
    assert!(logged_in && answer.is_some(), "the sample did not log in and answer; out:\n{out}\nerr:\n{err}");
    assert_eq!(answer.unwrap().get("Line"), Some("3"));
    assert!(status.success(), "{status}; out:\n{out}\nerr:\n{err}");
    assert_eq!(out, "logged in; waiting for a call\ncall from 5551234 on line 3\nanswered line 3\n");
}

#[test]
fn the_c_sample_compiles_and_answers_an_incoming_call() {
    answers_a_call(&compile("gcc", "-std=c99", "examples/readme/answer.c", "c"));
}

#[test]
fn the_cpp_sample_compiles_and_answers_an_incoming_call() {
    answers_a_call(&compile("g++", "-std=c++17", "examples/readme/answer.cpp", "cpp"));
}
