//! `messaging serve | worker | migrate | print-sdl | outbox … | reports …`

use anyhow::Context as _;
use clap::Subcommand;
use service_runtime::cli;
use service_runtime::{Parts, Running, ServiceDefaults as _};

struct Messaging;

impl cli::Service for Messaging {
    const NAME: &'static str = "messaging";
    const ABOUT: &'static str = "The messaging subgraph of the messenger API";
    const MIGRATIONS: diesel_migrations::EmbeddedMigrations = messaging::MIGRATIONS;
    type Config = messaging::Config;
    type Defaults = messaging::config::MessagingDefaults;
    type State = service_runtime::db::PgPool;
    type StartError = messaging::StartError;

    fn sdl() -> String {
        messaging::schema::sdl()
    }
    fn settings(
        config: &messaging::Config,
    ) -> &service_runtime::ServiceSettings<messaging::config::MessagingDefaults> {
        &config.service
    }
    async fn start(
        config: &messaging::Config,
        parts: Parts,
    ) -> Result<Running<service_runtime::db::PgPool>, messaging::StartError> {
        messaging::start(config, parts).await
    }
}

/// Messaging's own commands.
#[derive(Subcommand)]
enum Own {
    /// Reports of messages: list the open ones, resolve one.
    Reports {
        #[command(subcommand)]
        command: reports::admin::ReportsCommand,
        /// The messaging database (default: its local one).
        #[arg(long, env = "DATABASE_URL", default_value = messaging::config::MessagingDefaults::DATABASE_URL)]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::main::<Messaging, Own, _>(|own| async move {
        match own {
            Own::Reports {
                command,
                database_url,
            } => reports::admin::run(&command, &database_url)
                .await
                .context("reports command"),
        }
    })
    .await
}
