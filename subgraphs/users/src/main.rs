//! `users serve | worker | migrate | print-sdl | outbox …`

use service_runtime::cli::{self, NoCommands};
use service_runtime::{Parts, Running};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::main::<Users, NoCommands, _>(|none| async move { match none {} }).await
}
