//! The command line every subgraph binary shares:
//! `serve | worker | migrate | print-sdl | outbox …`, plus the commands of
//! its own (auth's `keys`). A binary's `main` is one call to [`main`].

use std::future::Future;

use anyhow::Context as _;
use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use diesel_migrations::EmbeddedMigrations;

use crate::{Parts, Running};

/// What a subgraph crate tells the shared command line about itself.
pub trait Service {
    /// The binary's name, also used in log lines and error context.
    const NAME: &'static str;
    /// One line for `--help`.
    const ABOUT: &'static str;
    /// The service's embedded migrations.
    const MIGRATIONS: EmbeddedMigrations;

    /// Its configuration, read from flags and environment variables.
    type Config: Args + Send + Sync + 'static;
    /// The state a running service exposes (for tests).
    type State: Send + 'static;
    type StartError: std::error::Error + Send + Sync + 'static;

    /// The federation SDL of the subgraph.
    fn sdl() -> String;
    fn database_url(config: &Self::Config) -> &str;
    /// Whether logs are JSON lines (else human-readable).
    fn json_logs(config: &Self::Config) -> bool;
    /// Whether `serve` also runs the outbox worker.
    fn serve_runs_worker(config: &Self::Config) -> bool;
    fn start(
        config: &Self::Config,
        parts: Parts,
    ) -> impl Future<Output = Result<Running<Self::State>, Self::StartError>> + Send;
}

#[derive(Parser)]
struct Cli<C: Args, X: Subcommand> {
    #[command(subcommand)]
    command: Command<C, X>,
}

#[derive(Subcommand)]
enum Command<C: Args, X: Subcommand> {
    /// Serve GraphQL (HTTP and WebSocket) and gRPC; runs the outbox worker
    /// unless RUN_WORKER=false.
    Serve(C),
    /// Run only the outbox worker.
    Worker(C),
    /// Apply pending database migrations and exit.
    Migrate(C),
    /// Print the federation SDL of this subgraph.
    PrintSdl,
    /// Inspect the outbox and re-queue dead events.
    Outbox {
        #[command(subcommand)]
        command: outbox::admin::OutboxCommand,
        /// The service's database (default: its local one).
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
    },
    #[command(flatten)]
    Own(X),
}

/// A service without commands of its own.
#[derive(Subcommand)]
pub enum NoCommands {}

/// Parses the command line and runs the chosen command; `own` runs the
/// service's own commands (`X`).
///
/// # Errors
/// Whatever the command fails with, with context.
pub async fn main<S, X, F>(own: impl FnOnce(X) -> F) -> anyhow::Result<()>
where
    S: Service,
    X: Subcommand,
    F: Future<Output = anyhow::Result<()>>,
{
    let matches = Cli::<S::Config, X>::command()
        .name(S::NAME)
        .about(S::ABOUT)
        .get_matches();
    let cli = Cli::<S::Config, X>::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    match cli.command {
        Command::PrintSdl => {
            print!("{}", S::sdl());
            Ok(())
        }
        Command::Migrate(config) => {
            crate::telemetry::init(S::json_logs(&config));
            let applied = crate::db::migrate(S::database_url(&config), S::MIGRATIONS)
                .await
                .with_context(|| format!("migrating the {} database", S::NAME))?;
            tracing::info!(count = applied.len(), ?applied, "migrations applied");
            Ok(())
        }
        Command::Serve(config) => {
            let parts = Parts {
                worker: S::serve_runs_worker(&config),
                ..Parts::ALL
            };
            run::<S>(&config, parts).await
        }
        Command::Worker(config) => run::<S>(&config, Parts::WORKER_ONLY).await,
        Command::Outbox {
            command,
            database_url,
        } => {
            let url = database_url
                .unwrap_or_else(|| format!("postgres://postgres@127.0.0.1:5432/{}", S::NAME));
            outbox::admin::run(&command, &url)
                .await
                .context("outbox command")
        }
        Command::Own(command) => own(command).await,
    }
}

async fn run<S: Service>(config: &S::Config, parts: Parts) -> anyhow::Result<()> {
    crate::telemetry::init(S::json_logs(config));
    let running = S::start(config, parts)
        .await
        .with_context(|| format!("starting {}", S::NAME))?;
    running.run_until_signal().await;
    Ok(())
}
