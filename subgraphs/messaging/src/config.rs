//! Messaging service configuration: environment variables (or flags) with
//! defaults that run locally.

use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database, addresses, logs, limits, internal credential, events.
    #[command(flatten)]
    pub service: service_runtime::ServiceSettings<MessagingDefaults>,
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
    /// Messages one user may send, edits, deletions and reactions counted
    /// with them: `N/PERIOD` (a burst of N, then one every PERIOD/N) or
    /// `off`. Retries of a sent message, and changes that change nothing,
    /// do not count.
    #[arg(long, env = "MESSAGE_RATE", default_value = "120/1m")]
    pub message_rate: ratelimit::Rate,
    /// Reports one user may file (`reportMessage`; a repeat of an open
    /// report is free): `N/PERIOD` or `off`.
    #[arg(long, env = "REPORT_RATE", default_value = "20/1h")]
    pub report_rate: ratelimit::Rate,
    /// Most members a group may have (its owner included).
    #[arg(long, env = "MAX_GROUP_MEMBERS", default_value_t = 1024)]
    pub max_group_members: u32,
    /// Typing signals (`setTyping`) one member sends per conversation:
    /// `N/PERIOD` or `off`; more are accepted and ignored.
    #[arg(long, env = "TYPING_RATE", default_value = "1/1s")]
    pub typing_rate: ratelimit::Rate,
    /// Seconds a `typing: true` lasts unless it is repeated.
    #[arg(long, env = "TYPING_EXPIRES_SECS", default_value_t = 6)]
    pub typing_expires_secs: u64,
}

/// Where messaging listens and its database, unless configured.
#[derive(Debug, Clone)]
pub struct MessagingDefaults;

impl service_runtime::ServiceDefaults for MessagingDefaults {
    const DATABASE_URL: &'static str = "postgres://postgres@127.0.0.1:5432/messaging";
    const HTTP_ADDR: &'static str = "127.0.0.1:4003";
    const GRPC_ADDR: &'static str = "127.0.0.1:50053";
}

impl Config {
    /// Defaults only, ignoring the environment, with free ports: a base for tests.
    pub fn defaults() -> Self {
        // The internal credential has no default: this process's
        // ephemeral token, never the environment's.
        let token = grpc_api::ServiceToken::ephemeral();
        let mut config: Self = service_runtime::cli::defaults(
            "messaging",
            &["--internal-service-token", token.expose()],
        );
        config.service.on_free_ports();
        config
    }

    pub fn known_users_ttl(&self) -> Duration {
        Duration::from_secs(self.known_users_ttl_secs)
    }

    pub fn typing_expires(&self) -> Duration {
        Duration::from_secs(self.typing_expires_secs)
    }
}
