//! `cargo xtask <command>`: the developer commands of this repository.
//!
//! - `up`: finds or starts PostgreSQL, creates and migrates the service
//!   databases, starts every service and the router, prints the URLs;
//!   Ctrl-C stops all. Events go through NATS JetStream (`EVENTS=broker`)
//!   when a server answers at `NATS_URL`, else through the outbox alone.
//! - `test`: everything CI checks (fmt, clippy -D warnings, the schemas, the
//!   explorer bundles, the router build, the test suite).
//! - `schema`: writes each subgraph's SDL (`subgraphs/<name>/schema.graphql`)
//!   and composes `supergraph.graphql` from them (`--check`: only checks).
//! - `env`: writes `.env` with fresh random secrets for compose.yml.
//! - `router`: builds the router (its own cargo workspace under `router/`).
//! - `explorer`: refreshes the router's vendored GraphiQL bundles.
//! - `bench`: the load scenarios of `bench/` against the whole system on
//!   fresh `bench_*` databases; figures appended to bench/RESULTS.md.
//! - `faults`: the fault tests one by one; their figures appended to
//!   bench/RESULTS.md.
//! - `fuzz`: the `cargo fuzz` targets of `fuzz/`, each for a bounded time;
//!   figures appended to bench/RESULTS.md.

mod bench;
mod containers;
mod env_file;
mod error_codes;
mod explorer;
mod faults;
mod fuzz;
mod migrations;
mod nats;
mod npm;
mod postgres;
mod provision;
mod router;
mod schema;
mod up;

use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the whole system locally.
    Up(up::UpArgs),
    /// Run everything CI checks: formatting, clippy, the test suite.
    Test {
        /// Skip fmt and clippy (tests only).
        #[arg(long)]
        tests_only: bool,
        /// Extra arguments for `cargo test`.
        #[arg(last = true)]
        cargo_args: Vec<String>,
    },
    /// Write subgraphs/<name>/schema.graphql and compose supergraph.graphql.
    Schema {
        /// Only check, as `test` does: committed files up to date, clean
        /// composition, no unmarked breaking change.
        #[arg(long)]
        check: bool,
    },
    /// Write .env: random passwords and the internal gRPC credential for
    /// compose.yml.
    Env(env_file::EnvArgs),
    /// Build the router (router/target/{debug,release}/router).
    Router {
        /// Optimised build.
        #[arg(long)]
        release: bool,
    },
    /// Copy the explorer's GraphiQL/React bundles from the pinned npm
    /// packages into router/explorer/vendor/.
    Explorer,
    /// Start the system on fresh bench_* databases and run load scenarios
    /// (overhead, join, send, token, or all); figures go to bench/RESULTS.md.
    Bench(bench::BenchArgs),
    /// Run the fault tests (database crash, SIGKILLed worker, NATS and
    /// subgraphs stopped, 10,000 messages across reconnects); figures go to
    /// bench/RESULTS.md.
    Faults(faults::FaultsArgs),
    /// Run each fuzz target of fuzz/ for a bounded time (cargo fuzz);
    /// figures go to bench/RESULTS.md, crashing inputs to fuzz/artifacts/.
    Fuzz(fuzz::FuzzArgs),
}

/// The subgraphs, in start order.
pub const SERVICES: &[up::Service] = &[
    up::Service {
        name: "auth",
        http_port: 4001,
        grpc_port: 50051,
    },
    up::Service {
        name: "users",
        http_port: 4002,
        grpc_port: 50052,
    },
    up::Service {
        name: "messaging",
        http_port: 4003,
        grpc_port: 50053,
    },
];

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every path below is relative to the repository root.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let Err(err) = std::env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {err}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Cmd::Up(args) => up::run(&args),
        Cmd::Test {
            tests_only,
            cargo_args,
        } => test(tests_only, &cargo_args),
        Cmd::Schema { check: false } => schema::write(),
        Cmd::Schema { check: true } => schema::check(),
        Cmd::Env(args) => env_file::write(&args),
        Cmd::Router { release } => router::build(release),
        Cmd::Explorer => explorer::vendor(),
        Cmd::Bench(args) => bench::run(&args),
        Cmd::Fuzz(args) => fuzz::run(&args),
        Cmd::Faults(args) => faults::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command, echoing it, failing on a non-zero exit.
pub fn run_cmd(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("+ {}", display(cmd));
    let status = cmd.status()?;
    anyhow::ensure!(status.success(), "`{}` failed with {status}", display(cmd));
    Ok(())
}

pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `cargo` command; during `xtask test` (unless `--tests-only`) with
/// clippy as the workspace wrapper ([`LINT_BUILDS`]).
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    if LINT_BUILDS.load(std::sync::atomic::Ordering::Relaxed) {
        cmd.env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver").env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
    }
    cmd
}

/// Whether [`cargo`] builds with clippy-driver as the workspace wrapper,
/// warnings denied: the lints of `cargo clippy -- -D warnings` inside an
/// ordinary build, whose dependencies are then the test build's. (`cargo
/// clippy` would compile every dependency a second time, in check mode:
/// minutes of a cold run for nothing of ours.) Cargo fingerprints the
/// wrapper for workspace members only, so every cargo command of one
/// `xtask test` shares one build, and a later plain `cargo test` rebuilds
/// only our own crates.
static LINT_BUILDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn test(tests_only: bool, cargo_args: &[String]) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // Before building anything: a fresh machine learns at once what it lacks.
    provision::packages()?;
    provision::toolchain_components();
    provision::postgres_running();
    let nats = provision::nats()?;
    // The e2e tests run the router binary: it builds (and is linted) beside
    // everything else, and only the e2e tests wait for it.
    let router_build = router::spawn_build(false)?;
    if !tests_only {
        run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
        router::fmt_check()?;
        // The fuzz targets are their own workspace; formatting them costs
        // nothing, building them (cargo xtask fuzz) minutes.
        run_cmd(cargo().args(["fmt", "--check", "--manifest-path", "fuzz/Cargo.toml"]))?;
        // Clippy lints every target of ours inside the test build itself.
        LINT_BUILDS.store(true, std::sync::atomic::Ordering::Relaxed);
        run_cmd(cargo().args(["test", "--workspace", "--all-targets", "--no-run"]))?;
        schema::check()?;
        explorer::check()?;
    }
    // Every test binary runs, whichever fails; one line sums them up. The
    // e2e suite comes last, once the router is built.
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--no-fail-fast", "--exclude", "e2e"])
        .args(cargo_args)
        .env("NATS_URL", &nats.url);
    let (status, mut tally) = run_tests(&mut cmd)?;
    router_build.finish()?;
    // The router's own unit tests (only its crate builds: the debug build's
    // dependencies are shared).
    let (router_status, router_tally) = run_tests(&mut router::test_command())?;
    tally.add(&router_tally);
    // The e2e binary the workspace build made, run as cargo would (from its
    // package's directory). `cargo test -p e2e` would resolve the
    // dependencies' features for e2e alone and rebuild half the tree.
    let mut cmd = Command::new(e2e_binary()?);
    cmd.args(test_filter_args(cargo_args))
        .current_dir("e2e")
        .env(
            "E2E_ROUTER_BIN",
            std::fs::canonicalize(router::binary(false))?,
        )
        .env("NATS_URL", &nats.url);
    let (e2e_status, e2e_tally) = run_tests(&mut cmd)?;
    tally.add(&e2e_tally);
    let status = [router_status, e2e_status]
        .into_iter()
        .fold(
            status,
            |first, next| if first.success() { next } else { first },
        );
    let summary = format!(
        "{} passed, {} failed, {} ignored in {} test binaries",
        tally.passed, tally.failed, tally.ignored, tally.binaries
    );
    anyhow::ensure!(
        status.success() && tally.failed == 0,
        "tests failed: {summary} (cargo: {status})"
    );
    eprintln!(
        "xtask test: all checks passed: {summary}, in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

/// The e2e suite's test binary, as the workspace's test build made it
/// (the same flags: nothing is rebuilt).
fn e2e_binary() -> anyhow::Result<std::path::PathBuf> {
    let out = cargo()
        .args([
            "test",
            "--workspace",
            "--all-targets",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(out.status.success(), "building the tests failed");
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let is_e2e_it = message["reason"] == "compiler-artifact"
            && message["target"]["name"] == "it"
            && message["package_id"]
                .as_str()
                .is_some_and(|id| id.contains("/e2e#") || id.contains("e2e "));
        if let (true, Some(path)) = (is_e2e_it, message["executable"].as_str()) {
            return Ok(std::path::PathBuf::from(path));
        }
    }
    anyhow::bail!("the workspace's test build made no e2e test binary")
}

/// The part of `cargo test`'s arguments after `--` (test name filters and
/// libtest flags), which the test binary takes as they are.
fn test_filter_args(cargo_args: &[String]) -> Vec<String> {
    cargo_args
        .iter()
        .skip_while(|arg| *arg != "--")
        .skip(1)
        .cloned()
        .collect()
}

/// Runs `cargo test`, passing its output through and summing its
/// `test result:` lines.
fn run_tests(cmd: &mut Command) -> anyhow::Result<(std::process::ExitStatus, provision::Tally)> {
    use std::io::BufRead as _;
    eprintln!("+ {}", display(cmd));
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn()?;
    let mut tally = provision::Tally::default();
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            tally.add_line(&line);
        }
    }
    Ok((child.wait()?, tally))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_e2e_binary_gets_what_follows_the_double_dash() {
        let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        assert!(super::test_filter_args(&args(&["--release"])).is_empty());
        assert_eq!(
            super::test_filter_args(&args(&["-q", "--", "groups", "--test-threads=2"])),
            args(&["groups", "--test-threads=2"])
        );
    }
}
