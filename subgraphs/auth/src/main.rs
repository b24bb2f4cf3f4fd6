//! `auth serve | worker | migrate | print-sdl`

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "auth", about = "The auth subgraph of the messenger API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve GraphQL (HTTP) and ValidateToken (gRPC); runs the outbox worker unless RUN_WORKER=false.
    Serve(auth::Config),
    /// Run only the outbox worker.
    Worker(auth::Config),
    /// Apply pending database migrations and exit.
    Migrate(auth::Config),
    /// Print the federation SDL of this subgraph.
    PrintSdl,
    /// Inspect the outbox and re-queue dead events.
    Outbox {
        #[command(subcommand)]
        command: outbox::admin::OutboxCommand,
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/auth"
        )]
        database_url: String,
    },
    /// Signing keys: list, rotate (add a new signing key), retire old ones.
    Keys {
        #[command(subcommand)]
        command: auth::keys::admin::KeysCommand,
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/auth"
        )]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::PrintSdl => {
            print!("{}", auth::schema::sdl());
            Ok(())
        }
        Command::Migrate(config) => {
            service_runtime::telemetry::init(config.log_format == "json");
            let applied = service_runtime::db::migrate(&config.database_url, auth::MIGRATIONS)
                .await
                .context("migrating the auth database")?;
            tracing::info!(count = applied.len(), ?applied, "migrations applied");
            Ok(())
        }
        Command::Serve(config) => {
            let parts = auth::Parts {
                worker: config.outbox.run_worker,
                ..auth::Parts::ALL
            };
            run(config, parts).await
        }
        Command::Worker(config) => run(config, auth::Parts::WORKER_ONLY).await,
        Command::Outbox {
            command,
            database_url,
        } => outbox::admin::run(&command, &database_url)
            .await
            .context("outbox command"),
        Command::Keys {
            command,
            database_url,
        } => auth::keys::admin::run(&command, &database_url)
            .await
            .context("keys command"),
    }
}

async fn run(config: auth::Config, parts: auth::Parts) -> anyhow::Result<()> {
    service_runtime::telemetry::init(config.log_format == "json");
    let running = auth::start(&config, parts).await.context("starting auth")?;
    running.run_until_signal().await;
    Ok(())
}
