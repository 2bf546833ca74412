//! The bench table: one row per figure, library against baseline, and the
//! notes that explain a row (per-pair states, how a figure was taken).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::Mode;

/// Whether a figure met its target.
#[derive(Clone, Debug)]
pub enum Verdict {
    Met,
    Missed,
    /// Met in some of the pairs: `(met, of)`.
    Pairs(usize, usize),
    /// A figure with no target (reported for reference).
    NoTarget,
}

impl Verdict {
    pub fn from_bool(met: bool) -> Verdict {
        if met {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    fn text(&self) -> String {
        match self {
            Verdict::Met => "met".into(),
            Verdict::Missed => "MISSED".into(),
            Verdict::Pairs(_, 0) => "no comparable pair".into(),
            Verdict::Pairs(met, of) if met == of => format!("met {met}/{of} pairs"),
            Verdict::Pairs(met, of) => format!("MISSED {}/{of} pairs", of - met),
            Verdict::NoTarget => "-".into(),
        }
    }
}

pub struct Row {
    pub figure: String,
    pub library: String,
    pub baseline: String,
    /// Library ÷ baseline, in whatever sense the target reads.
    pub ratio: String,
    pub target: String,
    pub verdict: Verdict,
}

pub struct Report {
    mode: Mode,
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    pub fn new(mode: Mode) -> Report {
        Report { mode, rows: Vec::new(), notes: Vec::new() }
    }

    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn render(&self) -> String {
        let header = ["figure", "library", "baseline", "ratio", "target", "verdict"];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.figure.clone(),
                    r.library.clone(),
                    r.baseline.clone(),
                    r.ratio.clone(),
                    r.target.clone(),
                    r.verdict.text(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |out: &mut String, row: &[String]| {
            let padded: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            let _ = writeln!(out, "| {} |", padded.join(" | "));
        };
        let mut out = String::new();
        let mode = match self.mode {
            Mode::Quick => "quick (CI: short windows, few samples)",
            Mode::Full => "full",
        };
        let _ = writeln!(out, "dgphone benchmarks, {mode} mode, {}", machine());
        line(&mut out, &header.map(String::from));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&mut out, &rule);
        for row in &cells {
            line(&mut out, row);
        }
        for note in &self.notes {
            let _ = writeln!(out, "- {note}");
        }
        out
    }
}

/// The CPU count and model, so a report says what it was measured on.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| info.lines().find(|l| l.starts_with("model name")).map(|l| l.to_string()))
        .and_then(|l| l.split_once(':').map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs ({model})")
}

/// `target/` of this build: the bench binary lives in `target/<profile>/deps`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench knows its path");
    exe.ancestors().nth(3).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"))
}

/// Writes the report where `scripts/test-all` prints it from.
pub fn write(text: &str) -> std::io::Result<PathBuf> {
    let path = target_dir().join("bench-report.txt");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// `12.3M/s` style rates.
pub fn rate(per_sec: f64) -> String {
    if per_sec >= 1e6 {
        format!("{:.2}M/s", per_sec / 1e6)
    } else {
        format!("{:.0}k/s", per_sec / 1e3)
    }
}

pub fn us(micros: f64) -> String {
    if micros >= 1000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{micros:.1} µs")
    }
}
