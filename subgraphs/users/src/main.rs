//! `users serve | worker | migrate | print-sdl | outbox … | reports …`

use anyhow::Context as _;
use clap::Subcommand;
use service_runtime::cli;
use service_runtime::{Parts, Running, ServiceDefaults as _};

struct Users;

impl cli::Service for Users {
    const NAME: &'static str = "users";
    const ABOUT: &'static str = "The users subgraph of the messenger API";
    const MIGRATIONS: diesel_migrations::EmbeddedMigrations = users::MIGRATIONS;
    type Config = users::Config;
    type Defaults = users::config::UsersDefaults;
    type State = users::service::UsersService;
    type StartError = users::StartError;

    fn sdl() -> String {
        users::schema::sdl()
    }
    fn settings(
        config: &users::Config,
    ) -> &service_runtime::ServiceSettings<users::config::UsersDefaults> {
        &config.service
    }
    async fn start(
        config: &users::Config,
        parts: Parts,
    ) -> Result<Running<users::service::UsersService>, users::StartError> {
        users::start(config, parts).await
    }
}

/// Users' own commands.
#[derive(Subcommand)]
enum Own {
    /// Reports of users: list the open ones, resolve one.
    Reports {
        #[command(subcommand)]
        command: reports::admin::ReportsCommand,
        /// The users database (default: its local one).
        #[arg(long, env = "DATABASE_URL", default_value = users::config::UsersDefaults::DATABASE_URL)]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::main::<Users, Own, _>(|own| async move {
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
