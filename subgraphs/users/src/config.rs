//! Users service configuration: environment variables (or flags) with
//! defaults that run locally.

use std::net::SocketAddr;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL of the users database.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/users"
    )]
    pub database_url: String,
    /// Connections in the database pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// GraphQL (HTTP and WebSocket subscriptions) and health.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:4002")]
    pub http_addr: SocketAddr,
    /// `users.v1.Users` over gRPC.
    #[arg(long, env = "GRPC_ADDR", default_value = "127.0.0.1:50052")]
    pub grpc_addr: SocketAddr,
    /// Where auth answers gRPC (ValidateToken for every request).
    #[arg(long, env = "AUTH_GRPC_URL", default_value = "http://127.0.0.1:50051")]
    pub auth_grpc_url: String,
    /// Friend requests a user may have waiting for an answer at once.
    #[arg(long, env = "MAX_PENDING_FRIEND_REQUESTS", default_value_t = 1000)]
    pub max_pending_friend_requests: u32,
    /// Friend requests one user may send: `N/PERIOD` (a burst of N, then
    /// one every PERIOD/N) or `off`.
    #[arg(long, env = "FRIEND_REQUEST_RATE", default_value = "30/1m")]
    pub friend_request_rate: ratelimit::Rate,
    #[command(flatten)]
    pub http: service_runtime::HttpSettings,
    #[command(flatten)]
    pub internal_auth: service_runtime::InternalAuth,
    #[command(flatten)]
    pub avatars: crate::avatars::AvatarSettings,
    #[command(flatten)]
    pub outbox: outbox::Settings,
    /// `text` or `json` logs.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Config {
    /// Defaults only, with free ports: a base for tests.
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
        let args = ["users", "--internal-service-token", token.expose()];
        let mut config = <Defaults as clap::Parser>::try_parse_from(args)
            .map(|d| d.config)
            .unwrap_or_else(|err| panic!("default users config must parse: {err}"));
        config.http_addr = ([127, 0, 0, 1], 0).into();
        config.grpc_addr = ([127, 0, 0, 1], 0).into();
        config.avatars.public_url = None;
        config.avatars.avatar_dir = std::env::temp_dir().join("messenger-users-avatars");
        config
    }
}
