//! Auth service configuration: environment variables (or flags) with
//! defaults that run locally.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL of the auth database.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/auth"
    )]
    pub database_url: String,
    /// Connections in the database pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// GraphQL, JWKS and health over HTTP.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:4001")]
    pub http_addr: SocketAddr,
    /// `auth.v1.Auth` over gRPC.
    #[arg(long, env = "GRPC_ADDR", default_value = "127.0.0.1:50051")]
    pub grpc_addr: SocketAddr,
    /// Where the users service answers gRPC (for CreateUser after registration).
    #[arg(long, env = "USERS_GRPC_URL", default_value = "http://127.0.0.1:50052")]
    pub users_grpc_url: String,
    /// `iss` claim of access tokens.
    #[arg(long, env = "JWT_ISSUER", default_value = "messenger-auth")]
    pub jwt_issuer: String,
    /// `aud` claim of access tokens.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "messenger")]
    pub jwt_audience: String,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime in seconds (sliding: each rotation starts it anew).
    #[arg(long, env = "REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl_secs: u64,
    /// Clock-skew leeway when checking `exp`, in seconds.
    #[arg(long, env = "JWT_LEEWAY_SECS", default_value_t = 30)]
    pub jwt_leeway_secs: u64,
    /// PEM (PKCS#8) Ed25519 private key to sign with. Unset: keys are
    /// generated on first start and kept in the database.
    #[arg(long, env = "SIGNING_KEY_FILE")]
    pub signing_key_file: Option<PathBuf>,
    /// Password hashes computed at once (argon2id is CPU- and memory-heavy).
    /// 0 means the number of CPUs.
    #[arg(long, env = "HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
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
        // Parse with no arguments; env vars may still apply, so reset the
        // ones tests care about explicitly.
        let mut config = <Defaults as clap::Parser>::try_parse_from(["auth"])
            .map(|d| d.config)
            .unwrap_or_else(|err| panic!("default auth config must parse: {err}"));
        config.http_addr = ([127, 0, 0, 1], 0).into();
        config.grpc_addr = ([127, 0, 0, 1], 0).into();
        config.signing_key_file = None;
        config
    }

    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    pub fn refresh_token_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_token_ttl_secs)
    }

    pub fn hash_concurrency(&self) -> usize {
        if self.hash_concurrency == 0 {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        } else {
            self.hash_concurrency
        }
    }
}
