//! The HTTP settings every subgraph shares, flattened into each service's
//! `Config`: who may forward client addresses, query limits, WebSocket limits.

use std::time::Duration;

use crate::client_ip::TrustedProxies;
use crate::limits::QueryLimits;
use crate::ws::WsLimits;

#[derive(Debug, Clone, clap::Args)]
pub struct HttpSettings {
    /// Proxies (the router) whose `X-Forwarded-For` is believed:
    /// comma-separated addresses or CIDR networks. Unset: none; the client
    /// is the socket's peer.
    #[arg(long, env = "TRUSTED_PROXIES")]
    pub trusted_proxies: Option<TrustedProxies>,
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 12)]
    pub max_query_depth: usize,
    /// Highest complexity (fields, roughly) a query may have.
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = 1000)]
    pub max_query_complexity: usize,
    /// Most aliased fields an operation may have (a fragment's count each
    /// time it is spread).
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = 50)]
    pub max_query_aliases: usize,
    /// Subscription connections one user may have open on one process (0: no limit).
    #[arg(long, env = "WS_MAX_CONNECTIONS_PER_USER", default_value_t = 32)]
    pub ws_max_connections_per_user: usize,
    /// Subscriptions running at once on one connection (0: no limit).
    #[arg(
        long,
        env = "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 100
    )]
    pub ws_max_subscriptions_per_connection: usize,
    /// Seconds a subscription connection may stay open with no subscription
    /// running (including before `connection_init`).
    #[arg(long, env = "WS_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub ws_idle_timeout_secs: u64,
    /// Seconds any subscription connection may stay open at all.
    #[arg(long, env = "WS_MAX_LIFETIME_SECS", default_value_t = 24 * 3600)]
    pub ws_max_lifetime_secs: u64,
    /// Operations one POST may carry as a JSON array (1: no batching; a
    /// larger array is refused with BAD_USER_INPUT, reason
    /// BATCH_NOT_ALLOWED). The body limit applies to the whole array.
    #[arg(long, env = "MAX_BATCH_OPERATIONS", default_value_t = 1)]
    pub max_batch_operations: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        let query = QueryLimits::default();
        let ws = WsLimits::default();
        Self {
            trusted_proxies: None,
            max_query_depth: query.max_depth,
            max_query_complexity: query.max_complexity,
            max_query_aliases: query.max_aliases,
            ws_max_connections_per_user: ws.max_connections_per_user,
            ws_max_subscriptions_per_connection: ws.max_subscriptions_per_connection,
            ws_idle_timeout_secs: ws.idle_timeout.as_secs(),
            ws_max_lifetime_secs: ws.max_lifetime.as_secs(),
            max_batch_operations: 1,
        }
    }
}

impl HttpSettings {
    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_depth: self.max_query_depth,
            max_complexity: self.max_query_complexity,
            max_aliases: self.max_query_aliases,
        }
    }

    pub fn ws_limits(&self) -> WsLimits {
        WsLimits {
            max_connections_per_user: self.ws_max_connections_per_user,
            max_subscriptions_per_connection: self.ws_max_subscriptions_per_connection,
            idle_timeout: Duration::from_secs(self.ws_idle_timeout_secs.max(1)),
            max_lifetime: Duration::from_secs(self.ws_max_lifetime_secs.max(1)),
        }
    }

    pub fn trusted_proxies(&self) -> TrustedProxies {
        self.trusted_proxies.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_http_with_a_host() {
        for bad in ["", "localhost:4002", "ftp://x", "https://"] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_public_url(" https://api.example.com/users/ ").as_deref(),
            Ok("https://api.example.com/users")
        );
    }

    #[test]
    fn defaults_match_the_flags() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            http: HttpSettings,
        }
        let parsed = <Cli as clap::Parser>::try_parse_from(["x"]).unwrap().http;
        let default = HttpSettings::default();
        assert_eq!(parsed.query_limits(), default.query_limits());
        assert_eq!(parsed.ws_limits(), default.ws_limits());
        assert_eq!(parsed.max_batch_operations, default.max_batch_operations);
    }
}

/// Where a service listens and which database it uses by default: the
/// values that differ between the subgraphs in [`ServiceSettings`].
pub trait ServiceDefaults: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// `DATABASE_URL` default.
    const DATABASE_URL: &'static str;
    /// `HTTP_ADDR` default.
    const HTTP_ADDR: &'static str;
    /// `GRPC_ADDR` default.
    const GRPC_ADDR: &'static str;
}

/// The settings every subgraph has, flattened into each service's
/// `Config` (which adds only its own): database, listening addresses,
/// logs, HTTP limits, the internal credential and event delivery.
#[derive(Debug, Clone, clap::Args)]
pub struct ServiceSettings<D: ServiceDefaults> {
    /// PostgreSQL URL of the service's database.
    #[arg(long, env = "DATABASE_URL", default_value = D::DATABASE_URL)]
    pub database_url: String,
    /// Connections in the database pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// GraphQL over HTTP and WebSocket, and health.
    #[arg(long, env = "HTTP_ADDR", default_value = D::HTTP_ADDR)]
    pub http_addr: std::net::SocketAddr,
    /// The service's gRPC API and the standard gRPC health service.
    #[arg(long, env = "GRPC_ADDR", default_value = D::GRPC_ADDR)]
    pub grpc_addr: std::net::SocketAddr,
    /// `text` or `json` logs.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// This service's HTTP base URL as clients and browsers reach it (links
    /// in emails, avatar URLs), an http(s) URL. Unset: `http://` and the
    /// bound HTTP address.
    #[arg(long, env = "PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub http: HttpSettings,
    #[command(flatten)]
    pub internal_auth: crate::InternalAuth,
    #[command(flatten)]
    pub outbox: outbox::Settings,
    /// Days the per-user event feeds (`friendEvents`, `messageEvents`)
    /// are kept: older entries are pruned hourly, and subscribing with a
    /// cursor from before them is refused (`CURSOR_EXPIRED`).
    #[arg(long, env = "FEED_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub feed_retention_days: u32,
    #[arg(skip)]
    defaults: std::marker::PhantomData<D>,
}

impl<D: ServiceDefaults> ServiceSettings<D> {
    /// Whether logs are JSON lines (else human-readable).
    pub fn json_logs(&self) -> bool {
        self.log_format == "json"
    }

    /// Where clients reach this service: `PUBLIC_URL`, else `http://` and
    /// the HTTP address (`bound`, if this process serves HTTP), loopback
    /// for an unspecified IP. No trailing slash.
    pub fn public_url(&self, bound: Option<std::net::SocketAddr>) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let mut addr = bound.unwrap_or(self.http_addr);
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{addr}")
    }

    /// Both addresses on free ports of the loopback interface (tests).
    pub fn on_free_ports(&mut self) {
        self.http_addr = ([127, 0, 0, 1], 0).into();
        self.grpc_addr = ([127, 0, 0, 1], 0).into();
    }
}

/// `PUBLIC_URL`: an http(s) URL with a host; kept without its trailing
/// slash, so paths can be appended.
fn parse_public_url(value: &str) -> Result<String, String> {
    let url = value.trim();
    let parsed = url::Url::parse(url).ok();
    if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host()) {
        return Err(format!("not an http(s) URL: {url:?}"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}
