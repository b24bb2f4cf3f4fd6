//! `users serve | worker | migrate | print-sdl`

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "users", about = "The users subgraph of the messenger API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve GraphQL (HTTP, WebSocket) and Users (gRPC); runs the outbox worker unless RUN_WORKER=false.
    Serve(users::Config),
    /// Run only the outbox worker.
    Worker(users::Config),
    /// Apply pending database migrations and exit.
    Migrate(users::Config),
    /// Print the federation SDL of this subgraph.
    PrintSdl,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::PrintSdl => {
            print!("{}", users::schema::sdl());
            Ok(())
        }
        Command::Migrate(config) => {
            service_runtime::telemetry::init(config.log_format == "json");
            let applied = service_runtime::db::migrate(&config.database_url, users::MIGRATIONS)
                .await
                .context("migrating the users database")?;
            tracing::info!(count = applied.len(), ?applied, "migrations applied");
            Ok(())
        }
        Command::Serve(config) => {
            let parts = users::Parts {
                worker: config.outbox.run_worker,
                ..users::Parts::ALL
            };
            run(config, parts).await
        }
        Command::Worker(config) => run(config, users::Parts::WORKER_ONLY).await,
    }
}

async fn run(config: users::Config, parts: users::Parts) -> anyhow::Result<()> {
    service_runtime::telemetry::init(config.log_format == "json");
    let running = users::start(&config, parts)
        .await
        .context("starting users")?;
    running.run_until_signal().await;
    Ok(())
}
