//! `messaging serve | worker | migrate | print-sdl | outbox …`

use service_runtime::cli::{self, NoCommands};
use service_runtime::{Parts, Running};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::main::<Messaging, NoCommands, _>(|none| async move { match none {} }).await
}
