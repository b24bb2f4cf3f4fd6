//! `auth serve | worker | migrate | print-sdl | outbox … | keys …`

use anyhow::Context as _;
use clap::Subcommand;
use service_runtime::cli;
use service_runtime::{Parts, Running};

struct Auth;

impl cli::Service for Auth {
    const NAME: &'static str = "auth";
    const ABOUT: &'static str = "The auth subgraph of the messenger API";
    const MIGRATIONS: diesel_migrations::EmbeddedMigrations = auth::MIGRATIONS;
    type Config = auth::Config;
    type Defaults = auth::config::AuthDefaults;
    type State = auth::service::AuthService;
    type StartError = auth::StartError;

    fn sdl() -> String {
        auth::schema::sdl()
    }
    fn settings(
        config: &auth::Config,
    ) -> &service_runtime::ServiceSettings<auth::config::AuthDefaults> {
        &config.service
    }
    async fn start(
        config: &auth::Config,
        parts: Parts,
    ) -> Result<Running<auth::service::AuthService>, auth::StartError> {
        auth::start(config, parts).await
    }
}

/// Auth's own commands.
#[derive(Subcommand)]
enum Own {
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
    cli::main::<Auth, Own, _>(|own| async move {
        match own {
            Own::Keys {
                command,
                database_url,
            } => auth::keys::admin::run(&command, &database_url)
                .await
                .context("keys command"),
        }
    })
    .await
}
