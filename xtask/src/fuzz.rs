//! `cargo xtask fuzz [--seconds N] [target…]`: the `cargo fuzz` targets of
//! `fuzz/` (validators and parsers of untrusted input), each for a bounded
//! time, then a table of runs, execs/s, corpus size and crashes, appended
//! to bench/RESULTS.md with the same header as the load benchmarks.
//!
//! libFuzzer needs unstable compiler flags: `cargo +nightly` when rustup has
//! a nightly toolchain, else the stable one with `RUSTC_BOOTSTRAP=1`. No
//! sanitizer: our code forbids `unsafe`, and without ASan a target runs
//! several times faster; panics, overflows (debug assertions are on) and
//! failed property assertions are what the targets look for.
//!
//! The checked-in seeds (fuzz/corpus/<target>) are only read; what the
//! fuzzer finds goes to fuzz/target/corpus/<target> (not committed) and is
//! reused by the next run. Crashing inputs land in fuzz/artifacts/<target>.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context as _;

const DIR: &str = "fuzz";

#[derive(clap::Args)]
pub struct FuzzArgs {
    /// Seconds per target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Build with the default toolchain and `RUSTC_BOOTSTRAP=1` even when
    /// a nightly one is installed (what a machine with only stable does).
    #[arg(long)]
    stable: bool,
    /// Run the binaries of the last build as they are (no `cargo fuzz
    /// build`): e.g. while the tree does not compile.
    #[arg(long)]
    no_build: bool,
    /// Where to append the figures (nothing if empty).
    #[arg(long, default_value = "bench/RESULTS.md")]
    results: String,
    /// Targets to run (default: all of `cargo fuzz list`).
    targets: Vec<String>,
}

/// The figures of one target's run.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    runs: u64,
    execs_per_sec: u64,
    corpus: u64,
    crashes: Vec<String>,
}

pub fn run(args: &FuzzArgs) -> anyhow::Result<()> {
    ensure_cargo_fuzz()?;
    let toolchain = if args.stable {
        Toolchain::Bootstrapped
    } else {
        Toolchain::detect()
    };
    let all = list_targets(toolchain)?;
    let targets = if args.targets.is_empty() {
        all
    } else {
        for t in &args.targets {
            anyhow::ensure!(all.contains(t), "unknown fuzz target {t}; one of {all:?}");
        }
        args.targets.clone()
    };
    // One build for all targets (the dependencies are most of the work),
    // then the binaries themselves: `cargo fuzz run` would build again.
    if !args.no_build {
        crate::run_cmd(cargo_fuzz(toolchain).args(["build", "-s", "none"]))?;
    }
    let bin_dir = Path::new(DIR)
        .join("target")
        .join(host_triple()?)
        .join("release");

    let logs = Path::new(DIR).join("target/logs");
    std::fs::create_dir_all(&logs)?;
    let mut rows = Vec::new();
    for target in &targets {
        let corpus = Path::new(DIR).join("target/corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        let log = logs.join(format!("{target}.log"));
        eprintln!(
            "fuzz: {target} for {} s (log: {})",
            args.seconds,
            log.display()
        );
        let artifacts = Path::new(DIR).join("artifacts").join(target);
        std::fs::create_dir_all(&artifacts)?;
        let mut cmd = Command::new("nice");
        cmd.args(["-n", "10"])
            .arg(bin_dir.join(target))
            // New inputs go to the first directory; the seeds are only read.
            .arg(&corpus)
            .arg(Path::new(DIR).join("corpus").join(target))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg(format!("-max_total_time={}", args.seconds))
            .args(["-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        let status = cmd.status().with_context(|| format!("running {target}"))?;
        let output = std::fs::read_to_string(&log)?;
        let figures = parse(&output);
        if !status.success() && figures.crashes.is_empty() {
            let lines: Vec<&str> = output.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            anyhow::bail!("{target} failed without a crash file:\n{tail}");
        }
        for crash in &figures.crashes {
            eprintln!("fuzz: {target} crashed: {crash}");
        }
        rows.push((target.clone(), figures));
    }

    let table = table(&rows);
    let mut build = format!(
        "cargo-fuzz {}, release with debug assertions, no sanitizer, ",
        output_of(Command::new("cargo").args(["fuzz", "--version"]))
            .trim_start_matches("cargo-fuzz ")
            .trim(),
    );
    if args.no_build {
        // Whatever toolchain built them: say how old they are.
        let modified = output_of(
            Command::new("date")
                .args(["-u", "+%F %H:%M UTC", "-r"])
                .arg(bin_dir.join(&targets[0])),
        );
        build += "binaries not rebuilt (built ";
        build += &modified;
        build += ")";
    } else {
        build.push_str(&toolchain.describe());
    }
    let load = format!(
        "{} s per target (libFuzzer -max_total_time), 1 process at nice 10, seeds fuzz/corpus, corpus kept in fuzz/target/corpus",
        args.seconds
    );
    let entry = format!(
        "{}\n{table}",
        ::bench::report::header(&build, &load).replacen("## ", "## fuzz: ", 1)
    );
    println!("\n{entry}");
    if !args.results.is_empty() {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&args.results)?;
        writeln!(file, "\n{entry}")?;
        eprintln!("fuzz: appended to {}", args.results);
    }
    let crashed: Vec<&str> = rows
        .iter()
        .filter(|(_, s)| !s.crashes.is_empty())
        .map(|(t, _)| t.as_str())
        .collect();
    anyhow::ensure!(
        crashed.is_empty(),
        "crashes in {crashed:?}: inputs under fuzz/artifacts/; reproduce with `cargo +nightly fuzz run -s none <target> <file>`"
    );
    Ok(())
}

#[derive(Clone, Copy)]
enum Toolchain {
    Nightly,
    /// The default toolchain with `RUSTC_BOOTSTRAP=1`.
    Bootstrapped,
}

impl Toolchain {
    fn detect() -> Self {
        let list = output_of(Command::new("rustup").args(["toolchain", "list"]));
        if list.lines().any(|l| l.starts_with("nightly")) {
            Toolchain::Nightly
        } else {
            Toolchain::Bootstrapped
        }
    }

    fn describe(self) -> String {
        let mut rustc = Command::new("rustc");
        if let Toolchain::Nightly = self {
            rustc.arg("+nightly");
        }
        let version = output_of(rustc.arg("--version"));
        match self {
            Toolchain::Nightly => version,
            Toolchain::Bootstrapped => format!("{version} with RUSTC_BOOTSTRAP=1"),
        }
    }
}

/// `nice -n 10 cargo [+nightly] fuzz`, run from the repository root (it
/// finds `fuzz/` there), in the environment a shell would give it.
fn cargo_fuzz(toolchain: Toolchain) -> Command {
    let mut cmd = Command::new("nice");
    // The rustup proxy, not $CARGO: only the proxy understands `+nightly`.
    cmd.args(["-n", "10", "cargo"]);
    match toolchain {
        Toolchain::Nightly => {
            cmd.arg("+nightly");
        }
        Toolchain::Bootstrapped => {
            cmd.env("RUSTC_BOOTSTRAP", "1");
        }
    }
    cmd.arg("fuzz");
    // fuzz/ has its own target directory.
    cmd.env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO");
    crate::router::without_package_env(&mut cmd);
    cmd
}

/// The target triple `cargo fuzz build` builds for: the host's.
fn host_triple() -> anyhow::Result<String> {
    output_of(Command::new("rustc").arg("-vV"))
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("`rustc -vV` names no host")
}

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        crate::run_cmd(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

fn list_targets(toolchain: Toolchain) -> anyhow::Result<Vec<String>> {
    let output = cargo_fuzz(toolchain).arg("list").output()?;
    anyhow::ensure!(
        output.status.success(),
        "`cargo fuzz list` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn output_of(cmd: &mut Command) -> String {
    cmd.output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Figures from libFuzzer's output: the final stats (`-print_final_stats`),
/// else its last status line; the corpus size from the last status line;
/// crash files from "Test unit written to".
fn parse(output: &str) -> Stats {
    let mut stats = Stats::default();
    let number = |s: &str| s.trim().parse::<u64>().ok();
    for line in output.lines() {
        if let Some(v) = line.strip_prefix("stat::number_of_executed_units:") {
            stats.runs = number(v).unwrap_or(stats.runs);
        } else if let Some(v) = line.strip_prefix("stat::average_exec_per_sec:") {
            stats.execs_per_sec = number(v).unwrap_or(stats.execs_per_sec);
        } else if let Some(path) = line.split("Test unit written to ").nth(1) {
            stats.crashes.push(path.trim().to_owned());
        } else if line.starts_with('#') {
            // `#12345	NEW    cov: 10 ft: 20 corp: 7/120b … exec/s: 900 rss: 40Mb`
            let field = |name: &str| {
                line.split_whitespace()
                    .skip_while(|w| *w != name)
                    .nth(1)
                    .map(|w| w.split('/').next().unwrap_or_default().to_owned())
            };
            if let Some(corpus) = field("corp:").and_then(|c| number(&c)) {
                stats.corpus = corpus;
            }
            if stats.execs_per_sec == 0 || stats.runs == 0 {
                if let Some(runs) = line
                    .split_whitespace()
                    .next()
                    .and_then(|w| number(w.trim_start_matches('#')))
                {
                    stats.runs = stats.runs.max(runs);
                }
                if let Some(rate) = field("exec/s:").and_then(|r| number(&r)) {
                    stats.execs_per_sec = rate;
                }
            }
        }
    }
    stats
}

fn table(rows: &[(String, Stats)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "| fuzz target | runs | execs/s | corpus (entries) | crashes |\n|---|---|---|---|---|\n",
    );
    for (target, s) in rows {
        let _ = writeln!(
            out,
            "| {target} | {} | {} | {} | {} |",
            s.runs,
            s.execs_per_sec,
            s.corpus,
            if s.crashes.is_empty() {
                "0".to_owned()
            } else {
                format!("**{}** ({})", s.crashes.len(), s.crashes.join(", "))
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libfuzzer_output() {
        let output = "\
INFO: Seed: 1
#2\tINITED cov: 10 ft: 11 corp: 5/100b exec/s: 0 rss: 30Mb
#4096\tpulse  cov: 40 ft: 60 corp: 20/1500b lim: 43 exec/s: 2048 rss: 40Mb
#9000\tNEW    cov: 41 ft: 62 corp: 21/1600b lim: 43 exec/s: 3000 rss: 41Mb L: 12/40 MS: 1 ChangeByte-
Done 9100 runs in 3 second(s)
stat::number_of_executed_units: 9100
stat::average_exec_per_sec:     3033
stat::new_units_added:          16
";
        assert_eq!(
            parse(output),
            Stats {
                runs: 9100,
                execs_per_sec: 3033,
                corpus: 21,
                crashes: vec![],
            }
        );
        let crashed = "\
#100\tNEW    cov: 41 ft: 62 corp: 9/160b exec/s: 50 rss: 41Mb
thread '<unnamed>' panicked at fuzz_targets/email.rs:10:5:
==1== ERROR: libFuzzer: deadly signal
artifact_prefix='/w/fuzz/artifacts/email/'; Test unit written to /w/fuzz/artifacts/email/crash-da39a3ee
";
        let stats = parse(crashed);
        assert_eq!(stats.runs, 100);
        assert_eq!(stats.corpus, 9);
        assert_eq!(stats.crashes, ["/w/fuzz/artifacts/email/crash-da39a3ee"]);
    }
}
