//! Messaging service configuration: environment variables (or flags) with
//! defaults that run locally.

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL of the messaging database.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/messaging"
    )]
    pub database_url: String,
    /// Connections in the database pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// GraphQL (HTTP and WebSocket) and health.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:4003")]
    pub http_addr: SocketAddr,
    /// The standard gRPC health service.
    #[arg(long, env = "GRPC_ADDR", default_value = "127.0.0.1:50053")]
    pub grpc_addr: SocketAddr,
    /// Where auth answers `ValidateToken`.
    #[arg(long, env = "AUTH_GRPC_URL", default_value = "http://127.0.0.1:50051")]
    pub auth_grpc_url: String,
    /// Where users answers `GetUsers` (recipients are checked there).
    #[arg(long, env = "USERS_GRPC_URL", default_value = "http://127.0.0.1:50052")]
    pub users_grpc_url: String,
    /// User ids confirmed to exist, kept in memory so that sending does not
    /// ask users every time.
    #[arg(long, env = "KNOWN_USERS_CACHE_SIZE", default_value_t = 100_000)]
    pub known_users_cache_size: usize,
    /// How long a confirmed user id is trusted without asking again, in seconds.
    #[arg(long, env = "KNOWN_USERS_TTL_SECS", default_value_t = 3600)]
    pub known_users_ttl_secs: u64,
    /// Messages one user may send: `N/PERIOD` (a burst of N, then one every
    /// PERIOD/N) or `off`. Retries of a sent message do not count.
    #[arg(long, env = "MESSAGE_RATE", default_value = "120/1m")]
    pub message_rate: ratelimit::Rate,
    #[command(flatten)]
    pub http: service_runtime::HttpSettings,
    #[command(flatten)]
    pub internal_auth: service_runtime::InternalAuth,
    #[command(flatten)]
    pub outbox: outbox::Settings,
    /// `text` or `json` logs.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Config {
    /// Defaults only, ignoring the environment: a base for tests.
    pub fn defaults() -> Self {
        #[derive(clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            config: Config,
        }
        // Parse with no arguments but the internal credential (this
        // process's ephemeral token, never the environment's); other env
        // vars may still apply, so reset the ones tests care about explicitly.
        let token = grpc_api::ServiceToken::ephemeral();
        let args = ["messaging", "--internal-service-token", token.expose()];
        let mut config = <Defaults as clap::Parser>::try_parse_from(args)
            .map(|d| d.config)
            .unwrap_or_else(|err| panic!("default messaging config must parse: {err}"));
        config.http_addr = ([127, 0, 0, 1], 0).into();
        config.grpc_addr = ([127, 0, 0, 1], 0).into();
        config
    }

    pub fn known_users_ttl(&self) -> Duration {
        Duration::from_secs(self.known_users_ttl_secs)
    }
}
