//! Auth service configuration: environment variables (or flags) with
//! defaults that run locally.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::service::EmailVerification;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database, addresses, logs, limits, internal credential, events.
    #[command(flatten)]
    pub service: service_runtime::ServiceSettings<AuthDefaults>,
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
    pub email: EmailSettings,
    // Sign-in with OpenID Connect providers (`OAUTH_*`).
    #[command(flatten)]
    pub oauth: crate::oauth::OAuthSettings,
    #[command(flatten)]
    pub security: SecuritySettings,
}

/// Email confirmation and the emails auth sends.
#[derive(Debug, Clone, clap::Args)]
pub struct EmailSettings {
    /// `off` or `required`: must new accounts confirm their email address?
    #[arg(long, env = "EMAIL_VERIFICATION", value_enum, default_value_t = EmailVerification::Off)]
    pub email_verification: EmailVerification,
    /// How long a confirmation link works, in seconds.
    #[arg(long, env = "EMAIL_VERIFICATION_TTL_SECS", default_value_t = 24 * 3600)]
    pub email_verification_ttl_secs: u64,
    /// Mail server: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS); credentials as
    /// `smtp://user:password@host…`. Unset: emails are written to the log.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of the emails.
    #[arg(
        long,
        env = "EMAIL_FROM",
        default_value = "Messenger <no-reply@localhost>"
    )]
    pub email_from: String,
    /// Product name used in the emails and pages.
    #[arg(long, env = "PRODUCT_NAME", default_value = "Messenger")]
    pub product_name: String,
    /// How long a password reset link works, in seconds.
    #[arg(long, env = "PASSWORD_RESET_TTL_SECS", default_value_t = 3600)]
    pub password_reset_ttl_secs: u64,
    /// Emails one address may be sent per window (confirmations, resends,
    /// password reset links, "someone tried to register" notices).
    #[arg(long, env = "EMAIL_LIMIT_PER_ADDRESS", default_value_t = 3)]
    pub email_limit_per_address: u32,
    /// The window of EMAIL_LIMIT_PER_ADDRESS, in seconds.
    #[arg(long, env = "EMAIL_LIMIT_WINDOW_SECS", default_value_t = 3600)]
    pub email_limit_window_secs: u64,
}

impl EmailSettings {
    pub fn verification_ttl(&self) -> Duration {
        Duration::from_secs(self.email_verification_ttl_secs)
    }

    pub fn reset_ttl(&self) -> Duration {
        Duration::from_secs(self.password_reset_ttl_secs)
    }

    pub fn limit_window(&self) -> Duration {
        Duration::from_secs(self.email_limit_window_secs.max(1))
    }
}

/// Where auth listens and its database, unless configured.
#[derive(Debug, Clone)]
pub struct AuthDefaults;

impl service_runtime::ServiceDefaults for AuthDefaults {
    const DATABASE_URL: &'static str = "postgres://postgres@127.0.0.1:5432/auth";
    const HTTP_ADDR: &'static str = "127.0.0.1:4001";
    const GRPC_ADDR: &'static str = "127.0.0.1:50051";
}

impl Config {
    /// Defaults only, ignoring the environment, with free ports: a base for tests.
    pub fn defaults() -> Self {
        // The internal credential has no default: this process's
        // ephemeral token, never the environment's.
        let token = grpc_api::ServiceToken::ephemeral();
        let mut config: Self =
            service_runtime::cli::defaults("auth", &["--internal-service-token", token.expose()]);
        config.service.on_free_ports();
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

/// Throttling and password hashing (see `service::security`).
#[derive(Debug, Clone, clap::Args)]
pub struct SecuritySettings {
    /// Sign-in attempts per account (by email, known or not): `N/PERIOD`
    /// (a burst of N, then one every PERIOD/N) or `off`. Over it, every
    /// attempt fails with RATE_LIMITED, a correct password too.
    #[arg(long, env = "LOGIN_RATE_PER_ACCOUNT", default_value = "10/1m")]
    pub login_rate_per_account: ratelimit::Rate,
    /// Sign-in attempts per device credential (`deviceToken`): a sign-in
    /// that presents one of the account's is counted here instead of per
    /// account, so strangers cannot lock its owner out; over it, that
    /// device's attempts fail with RATE_LIMITED.
    #[arg(long, env = "LOGIN_RATE_PER_DEVICE", default_value = "10/1m")]
    pub login_rate_per_device: ratelimit::Rate,
    /// Sign-in attempts per client address (IPv6: per /64).
    #[arg(long, env = "LOGIN_RATE_PER_IP", default_value = "30/1m")]
    pub login_rate_per_ip: ratelimit::Rate,
    /// Registrations per client address.
    #[arg(long, env = "REGISTER_RATE_PER_IP", default_value = "20/1h")]
    pub register_rate_per_ip: ratelimit::Rate,
    /// Token refreshes per session.
    #[arg(long, env = "REFRESH_RATE_PER_SESSION", default_value = "10/1m")]
    pub refresh_rate_per_session: ratelimit::Rate,
    /// Sign-ins with a provider started per client address (`/oauth/{p}/start`
    /// and `oauthStart`).
    #[arg(long, env = "OAUTH_START_RATE_PER_IP", default_value = "30/1m")]
    pub oauth_start_rate_per_ip: ratelimit::Rate,
    /// Wrong second-factor (TOTP or recovery) codes per account — per
    /// device for a sign-in that presented one of the account's device
    /// tokens. Only wrong codes count; over it, every code is refused with
    /// RATE_LIMITED, a right one too. Each attempt also counts as a sign-in
    /// attempt (LOGIN_RATE_PER_*).
    #[arg(long, env = "MFA_FAILURE_RATE", default_value = "10/1h")]
    pub mfa_failure_rate: ratelimit::Rate,
    /// argon2id memory cost in KiB for new hashes; hashes made with other
    /// parameters are replaced at the next successful sign-in.
    #[arg(long, env = "PASSWORD_HASH_M_KIB", default_value_t = 19 * 1024)]
    pub password_hash_m_kib: u32,
    /// argon2id passes.
    #[arg(long, env = "PASSWORD_HASH_T", default_value_t = 2)]
    pub password_hash_t: u32,
    /// argon2id lanes.
    #[arg(long, env = "PASSWORD_HASH_P", default_value_t = 1)]
    pub password_hash_p: u32,
}

impl SecuritySettings {
    pub fn hash_params(&self) -> crate::passwords::HashParams {
        crate::passwords::HashParams {
            m_kib: self.password_hash_m_kib,
            t: self.password_hash_t,
            p: self.password_hash_p,
        }
    }

    pub fn limits(&self) -> crate::service::security::Limits {
        crate::service::security::Limits {
            login_per_account: self.login_rate_per_account,
            login_per_device: self.login_rate_per_device,
            login_per_ip: self.login_rate_per_ip,
            register_per_ip: self.register_rate_per_ip,
            refresh_per_session: self.refresh_rate_per_session,
            oauth_start_per_ip: self.oauth_start_rate_per_ip,
            mfa_failures: self.mfa_failure_rate,
        }
    }
}
