//! The stripped size of the shared library, against the smallest Rust
//! cdylib built with the same profile (one exported function), which is
//! what the Rust runtime alone costs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::report::{target_dir, Report, Row, Verdict};
use super::Mode;

/// Strips a copy of `library` and returns its size in bytes.
fn stripped_size(library: &Path, scratch: &Path) -> Option<u64> {
    let copy = scratch.join(library.file_name()?);
    fs::copy(library, &copy).ok()?;
    let stripped = Command::new("strip").arg("--strip-all").arg(&copy).status().ok()?.success();
    stripped.then(|| fs::metadata(&copy).ok().map(|m| m.len())).flatten()
}

/// The smallest cdylib, built like the release profile builds ours.
fn empty_cdylib(scratch: &Path) -> Option<PathBuf> {
    let source = scratch.join("empty.rs");
    fs::write(&source, "#[no_mangle]\npub extern \"C\" fn dgp_empty() -> u32 { 0 }\n").ok()?;
    // Built beside the source, stripped in a copy under `scratch`.
    let build = scratch.join("build");
    fs::create_dir_all(&build).ok()?;
    let output = build.join("libempty.so");
    let built = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2021", "--crate-type", "cdylib", "-C", "opt-level=3", "-C", "lto=fat"])
        .args(["-C", "codegen-units=1", "-o"])
        .arg(&output)
        .arg(&source)
        .status()
        .ok()?
        .success();
    built.then_some(output)
}

pub fn run(_mode: Mode, report: &mut Report) {
    // `cargo bench` builds the cdylib into deps/ without copying it up to
    // release/ (that happens on `cargo build --release`): take the newer.
    let release = target_dir().join("release");
    let library = [release.join("deps").join("libdgphone.so"), release.join("libdgphone.so")]
        .into_iter()
        .filter_map(|path| Some((fs::metadata(&path).ok()?.modified().ok()?, path)))
        .max()
        .map_or_else(|| release.join("libdgphone.so"), |(_, path)| path);
    let scratch = std::env::temp_dir().join(format!("dgphone-bench-size-{}", std::process::id()));
    let _ = fs::create_dir_all(&scratch);
    let ours = stripped_size(&library, &scratch);
    let floor = empty_cdylib(&scratch).and_then(|empty| stripped_size(&empty, &scratch));
    let _ = fs::remove_dir_all(&scratch);
    let kib = |bytes: u64| format!("{:.0} KiB", bytes as f64 / 1024.0);
    report.row(Row {
        figure: "cdylib size, stripped".into(),
        library: ours.map_or_else(|| format!("{} not built", library.display()), kib),
        baseline: floor.map_or_else(|| "rustc unavailable".into(), |f| format!("{} empty cdylib", kib(f))),
        ratio: match (ours, floor) {
            (Some(o), Some(f)) => format!("{:.1}×", o as f64 / f as f64),
            _ => "-".into(),
        },
        target: "-".into(),
        verdict: Verdict::NoTarget,
    });
}
