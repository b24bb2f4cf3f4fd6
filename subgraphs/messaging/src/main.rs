//! `messaging serve | worker | migrate | print-sdl`

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "messaging",
    about = "The messaging subgraph of the messenger API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve GraphQL (HTTP and WebSocket) and gRPC health; runs the outbox
    /// worker unless RUN_WORKER=false.
    Serve(messaging::Config),
    /// Run only the outbox worker.
    Worker(messaging::Config),
    /// Apply pending database migrations and exit.
    Migrate(messaging::Config),
    /// Print the federation SDL of this subgraph.
    PrintSdl,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::PrintSdl => {
            print!("{}", messaging::schema::sdl());
            Ok(())
        }
        Command::Migrate(config) => {
            service_runtime::telemetry::init(config.log_format == "json");
            let applied = service_runtime::db::migrate(&config.database_url, messaging::MIGRATIONS)
                .await
                .context("migrating the messaging database")?;
            tracing::info!(count = applied.len(), ?applied, "migrations applied");
            Ok(())
        }
        Command::Serve(config) => {
            let parts = messaging::Parts {
                worker: config.outbox.run_worker,
                ..messaging::Parts::ALL
            };
            run(config, parts).await
        }
        Command::Worker(config) => run(config, messaging::Parts::WORKER_ONLY).await,
    }
}

async fn run(config: messaging::Config, parts: messaging::Parts) -> anyhow::Result<()> {
    service_runtime::telemetry::init(config.log_format == "json");
    let running = messaging::start(&config, parts)
        .await
        .context("starting messaging")?;
    running.run_until_signal().await;
    Ok(())
}
