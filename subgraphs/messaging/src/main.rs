//! `messaging serve | worker | migrate | print-sdl | outbox …`

use service_runtime::cli::{self, NoCommands};
use service_runtime::{Parts, Running};

struct Messaging;

impl cli::Service for Messaging {
    const NAME: &'static str = "messaging";
    const ABOUT: &'static str = "The messaging subgraph of the messenger API";
    const MIGRATIONS: diesel_migrations::EmbeddedMigrations = messaging::MIGRATIONS;
    type Config = messaging::Config;
    type State = service_runtime::db::PgPool;
    type StartError = messaging::StartError;

    fn sdl() -> String {
        messaging::schema::sdl()
    }
    fn database_url(config: &messaging::Config) -> &str {
        &config.database_url
    }
    fn json_logs(config: &messaging::Config) -> bool {
        config.log_format == "json"
    }
    fn serve_runs_worker(config: &messaging::Config) -> bool {
        config.outbox.run_worker
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
