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
    /// Its default database and addresses.
    type Defaults: crate::ServiceDefaults;
    /// The state a running service exposes (for tests).
    type State: Send + 'static;
    type StartError: std::error::Error + Send + Sync + 'static;

    /// The federation SDL of the subgraph.
    fn sdl() -> String;
    /// The settings every subgraph shares, within its configuration.
    fn settings(config: &Self::Config) -> &crate::ServiceSettings<Self::Defaults>;
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
            crate::telemetry::init(S::settings(&config).json_logs());
            let applied = crate::db::migrate(&S::settings(&config).database_url, S::MIGRATIONS)
                .await
                .with_context(|| format!("migrating the {} database", S::NAME))?;
            tracing::info!(count = applied.len(), ?applied, "migrations applied");
            Ok(())
        }
        Command::Serve(config) => {
            let parts = Parts {
                worker: S::settings(&config).outbox.run_worker,
                ..Parts::ALL
            };
            run::<S>(&config, parts).await
        }
        Command::Worker(config) => run::<S>(&config, Parts::WORKER_ONLY).await,
        Command::Outbox {
            command,
            database_url,
        } => {
            let url = database_url.unwrap_or_else(|| {
                <S::Defaults as crate::ServiceDefaults>::DATABASE_URL.to_owned()
            });
            outbox::admin::run(&command, &url)
                .await
                .context("outbox command")
        }
        Command::Own(command) => own(command).await,
    }
}

async fn run<S: Service>(config: &S::Config, parts: Parts) -> anyhow::Result<()> {
    crate::telemetry::init(S::settings(config).json_logs());
    let running = S::start(config, parts)
        .await
        .with_context(|| format!("starting {}", S::NAME))?;
    running.run_until_signal().await;
    Ok(())
}

/// A service's configuration at its defaults, whatever the process's
/// environment says (tests build on it; a developer's `DATABASE_URL` or a
/// CI's `LOG_FORMAT` must not leak in), with `args` (`--flag value` pairs)
/// given for what has no default. Every argument's environment variable is
/// unset in the parser, so only the defaults and `args` apply.
///
/// # Panics
/// If the defaults with `args` do not parse: a bug in the `Config` type.
#[must_use]
pub fn defaults<C: Args + clap::FromArgMatches>(name: &'static str, args: &[&str]) -> C {
    let command = C::augment_args(clap::Command::new(name).no_binary_name(true))
        .mut_args(|arg| arg.env(None::<&str>));
    command
        .try_get_matches_from(args)
        .and_then(|matches| C::from_arg_matches(&matches))
        .unwrap_or_else(|err| panic!("the default {name} config must parse: {err}"))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, clap::Args)]
    struct Sample {
        /// Read from a variable every process has.
        #[arg(long, env = "PATH", default_value = "the default")]
        search_path: String,
        #[arg(long, env = "HOME")]
        required: String,
    }

    #[test]
    fn defaults_ignore_the_environment() {
        assert!(
            std::env::var_os("PATH").is_some(),
            "the test needs PATH set"
        );
        let sample: Sample = super::defaults("sample", &["--required", "given"]);
        assert_eq!(sample.search_path, "the default");
        assert_eq!(sample.required, "given");
    }
}
