//! The table printed after a run, and the entry appended to RESULTS.md.

use std::fmt::Write as _;
use std::process::Command;

pub struct Row {
    pub scenario: String,
    pub figure: String,
    pub value: String,
    pub baseline: String,
    pub ratio: f64,
    pub goal: String,
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | figure | measured | baseline (same run) | ratio | goal |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | **{:.2}** | {} |",
            r.scenario, r.figure, r.value, r.baseline, r.ratio, r.goal
        );
    }
    out
}

/// Date, machine, commit: the header of one RESULTS.md entry.
pub fn header(profiles: &str, settings: &str) -> String {
    let date = command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = command("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !command("git", &["--no-optional-locks", "status", "--porcelain"]).is_empty();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!(
        "## {date}\n\n- machine: {cores} cores ({model}), {mem_gib:.1} GiB memory\n- commit: {commit}{}\n- build: {profiles}\n- load: {settings}\n",
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        }
    )
}

fn command(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
