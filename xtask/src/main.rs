//! `cargo xtask <command>`: the developer commands of this repository.
//!
//! - `up`: finds or starts PostgreSQL, creates and migrates the service
//!   databases, starts every service, prints the URLs; Ctrl-C stops all.
//! - `test`: everything CI checks (fmt, clippy -D warnings, the test suite).
//! - `schema`: writes each subgraph's SDL (`subgraphs/<name>/schema.graphql`)
//!   and composes `supergraph.graphql` from them.

mod postgres;
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
    Schema,
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
    let result = match cli.command {
        Cmd::Up(args) => up::run(&args),
        Cmd::Test {
            tests_only,
            cargo_args,
        } => test(tests_only, &cargo_args),
        Cmd::Schema => schema::write(),
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

fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

fn test(tests_only: bool, cargo_args: &[String]) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if !tests_only {
        run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
        run_cmd(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        schema::check()?;
    }
    run_cmd(cargo().args(["test", "--workspace"]).args(cargo_args))?;
    eprintln!("xtask test: all checks passed in {:.0?}", started.elapsed());
    Ok(())
}
