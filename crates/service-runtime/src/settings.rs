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
