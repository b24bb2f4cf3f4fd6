//! `cargo xtask faults`: the fault tests (issue 9), one test target after
//! the other with `--nocapture`; each prints `FAULT-FIGURES {json}` lines
//! (`testkit::FaultFigures`), collected here into one table appended to
//! bench/RESULTS.md with the same header as the load benchmarks.

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;

/// `FIGURES_MARKER` of testkit (xtask does not depend on it).
const MARKER: &str = "FAULT-FIGURES ";

/// (package, test target, name filter, the fault it covers).
const TESTS: &[(&str, &str, &str, &str)] = &[
    (
        "messaging",
        "it",
        "reconnect::",
        "subscriber reconnects (10,000 messages)",
    ),
    (
        "auth",
        "it",
        "worker_sigkill::",
        "worker process SIGKILLed mid-batch",
    ),
    (
        "users",
        "it",
        "broker::",
        "workers aborted mid-batch; NATS down",
    ),
    (
        "users",
        "it",
        "pg_restart::",
        "PostgreSQL crashed under load",
    ),
    ("users", "it", "auth_outage::", "auth stopped"),
    ("messaging", "it", "auth_outage::", "auth stopped"),
    (
        "e2e",
        "it",
        "router::a_subgraph_that_is_down",
        "a subgraph stopped (router)",
    ),
];

#[derive(clap::Args)]
pub struct FaultsArgs {
    /// Where to append the figures (nothing if empty).
    #[arg(long, default_value = "bench/RESULTS.md")]
    results: String,
    /// Test targets to run (default: all), e.g. `pg_restart reconnect`.
    only: Vec<String>,
}

struct Run {
    package: &'static str,
    target: &'static str,
    fault: &'static str,
    wall: Duration,
    passed: bool,
    figures: Vec<Value>,
}

pub fn run(args: &FaultsArgs) -> anyhow::Result<()> {
    let tests: Vec<_> = TESTS
        .iter()
        .filter(|(_, target, _, _)| args.only.is_empty() || args.only.iter().any(|o| o == target))
        .collect();
    anyhow::ensure!(!tests.is_empty(), "no fault test named {:?}", args.only);
    // The e2e test needs the router: an existing build, else a debug one.
    let router = if tests.iter().any(|(package, ..)| *package == "e2e") {
        let existing = [false, true]
            .into_iter()
            .map(crate::router::binary)
            .find(|bin| bin.is_file());
        let bin = match existing {
            Some(bin) => bin,
            None => {
                crate::router::build(false)?;
                crate::router::binary(false)
            }
        };
        Some(std::fs::canonicalize(bin)?)
    } else {
        None
    };
    // Build everything first, so that the timings are the tests' own.
    for (package, target, _, _) in &tests {
        crate::run_cmd(crate::cargo().args(["test", "-p", package, "--test", target, "--no-run"]))?;
    }

    let logs = Path::new("target/faults");
    std::fs::create_dir_all(logs)?;
    let mut runs = Vec::new();
    for &&(package, target, filter, fault) in &tests {
        let log = logs.join(format!("{package}-{target}.log"));
        eprintln!("faults: {package} {target} (log: {})", log.display());
        let mut cmd = crate::cargo();
        cmd.args(["test", "-p", package, "--test", target, "--", "--nocapture"]);
        if !filter.is_empty() {
            cmd.arg(filter);
        }
        if let Some(router) = &router {
            cmd.env("E2E_ROUTER_BIN", router);
        }
        let file = std::fs::File::create(&log)?;
        cmd.stdout(file.try_clone()?).stderr(file);
        let started = Instant::now();
        let status = cmd
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("running {package} {target}"))?;
        let output = std::fs::read_to_string(&log)?;
        // The harness's own time: cargo may rebuild first if the tree
        // changed since the build above.
        let wall = harness_time(&output).unwrap_or_else(|| started.elapsed());
        let figures = parse(&output);
        if !status.success() {
            let lines: Vec<&str> = output.lines().collect();
            eprintln!(
                "faults: {package} {target} FAILED:\n{}",
                lines[lines.len().saturating_sub(30)..].join("\n")
            );
        }
        runs.push(Run {
            package,
            target,
            fault,
            wall,
            passed: status.success(),
            figures,
        });
    }

    let entry = format!(
        "{}\n{}",
        ::bench::report::header(
            "debug (`cargo test`), test databases on the local PostgreSQL or testkit's private cluster",
            "the fault tests of issue 9, one test target at a time (its tests in parallel), `--nocapture`",
        )
        .replacen("## ", "## faults: ", 1),
        table(&runs)
    );
    println!("\n{entry}");
    if !args.results.is_empty() {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&args.results)?;
        writeln!(file, "\n{entry}")?;
        eprintln!("faults: appended to {}", args.results);
    }
    let failed: Vec<String> = runs
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{} {}", r.package, r.target))
        .collect();
    anyhow::ensure!(
        failed.is_empty(),
        "failed: {failed:?} (logs in target/faults/)"
    );
    Ok(())
}

/// `finished in 8.42s` of libtest's summary line.
fn harness_time(output: &str) -> Option<Duration> {
    output.lines().rev().find_map(|line| {
        let secs = line
            .split_once("finished in ")?
            .1
            .trim()
            .strip_suffix('s')?;
        secs.parse().ok().map(Duration::from_secs_f64)
    })
}

/// The figures lines of a test run's output.
fn parse(output: &str) -> Vec<Value> {
    output
        .lines()
        .filter_map(|line| line.split_once(MARKER).map(|(_, json)| json))
        .filter_map(|json| serde_json::from_str(json.trim()).ok())
        .collect()
}

fn table(runs: &[Run]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "| fault | test (figures line) | sent | received | lost | duplicated | recovery | test target time | notes |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for run in runs {
        let wall = format!(
            "{:.1} s{}",
            run.wall.as_secs_f64(),
            if run.passed { "" } else { " **FAILED**" }
        );
        if run.figures.is_empty() {
            let _ = writeln!(
                out,
                "| {} | {}/{} | | | | | | {wall} | no figures |",
                run.fault, run.package, run.target
            );
        }
        for f in &run.figures {
            let n = |key: &str| f[key].as_u64().unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} ms | {wall} | {} |",
                run.fault,
                f["test"].as_str().unwrap_or_default(),
                n("sent"),
                n("received"),
                n("lost"),
                n("duplicated"),
                n("recovery_ms"),
                f["note"].as_str().unwrap_or_default().replace('|', "/"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_figures_among_test_output() {
        let out =
            "running 1 test\nFAULT-FIGURES {\"test\":\"x\",\"sent\":3,\"lost\":0}\ntest x ... ok\n";
        let figures = super::parse(out);
        assert_eq!(figures.len(), 1);
        assert_eq!(figures[0]["sent"], 3);
        let summary = "test result: ok. 1 passed; 0 failed; finished in 8.42s\n";
        assert_eq!(
            super::harness_time(summary),
            Some(std::time::Duration::from_secs_f64(8.42))
        );
    }
}
