//! Users service configuration: environment variables (or flags) with
//! defaults that run locally.

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database, addresses, logs, limits, internal credential, events.
    #[command(flatten)]
    pub service: service_runtime::ServiceSettings<UsersDefaults>,
    /// Where auth answers gRPC (ValidateToken for every request).
    #[arg(long, env = "AUTH_GRPC_URL", default_value = "http://127.0.0.1:50051")]
    pub auth_grpc_url: String,
    /// Where messaging answers gRPC: blocks and privacy settings are told
    /// to it (ApplyBlock, ApplyPrivacy) before `blockUser`,
    /// `unblockUser` and `updatePrivacy` answer, and by their events.
    #[arg(
        long,
        env = "MESSAGING_GRPC_URL",
        default_value = "http://127.0.0.1:50053"
    )]
    pub messaging_grpc_url: String,
    /// Friend requests a user may have waiting for an answer at once.
    #[arg(long, env = "MAX_PENDING_FRIEND_REQUESTS", default_value_t = 1000)]
    pub max_pending_friend_requests: u32,
    /// Friend requests one user may send: `N/PERIOD` (a burst of N, then
    /// one every PERIOD/N) or `off`.
    #[arg(long, env = "FRIEND_REQUEST_RATE", default_value = "30/1m")]
    pub friend_request_rate: ratelimit::Rate,
    /// Searches one user may run (`searchUsers`, every page counted):
    /// `N/PERIOD` or `off`.
    #[arg(long, env = "SEARCH_RATE", default_value = "60/1m")]
    pub search_rate: ratelimit::Rate,
    /// Reports one user may file (`reportUser`; a repeat of an open
    /// report is free): `N/PERIOD` or `off`.
    #[arg(long, env = "REPORT_RATE", default_value = "20/1h")]
    pub report_rate: ratelimit::Rate,
    #[command(flatten)]
    pub avatars: crate::avatars::AvatarSettings,
}

/// Where users listens and its database, unless configured.
#[derive(Debug, Clone)]
pub struct UsersDefaults;

impl service_runtime::ServiceDefaults for UsersDefaults {
    const DATABASE_URL: &'static str = "postgres://postgres@127.0.0.1:5432/users";
    const HTTP_ADDR: &'static str = "127.0.0.1:4002";
    const GRPC_ADDR: &'static str = "127.0.0.1:50052";
}

impl Config {
    /// Defaults only, ignoring the environment, with free ports: a base for tests.
    pub fn defaults() -> Self {
        // The internal credential has no default: this process's
        // ephemeral token, never the environment's.
        let token = grpc_api::ServiceToken::ephemeral();
        let mut config: Self =
            service_runtime::cli::defaults("users", &["--internal-service-token", token.expose()]);
        config.service.on_free_ports();
        config.avatars.avatar_dir = std::env::temp_dir().join("messenger-users-avatars");
        config
    }
}
