//! The client's address for the subgraphs, in `x-forwarded-for`.
//!
//! The subgraphs believe `x-forwarded-for` from the router only
//! (`TRUSTED_PROXIES`) and take its right-most untrusted entry as the
//! client, which is what their per-address limits count and what
//! `mySessions { ip }` shows. So the router must not pass on what a client
//! wrote there: every subgraph request gets `x-forwarded-for: <the address
//! the router saw>`, replacing anything else. Only when that peer is one of
//! the router's own trusted proxies (`ROUTER_TRUSTED_PROXIES`,
//! comma-separated addresses or CIDR networks, empty by default) is its
//! list kept, with the peer's address appended, as proxies do.
//!
//! Subscriptions: the router opens the subgraph's WebSocket without any
//! header of the client (the client's headers go into `connection_init`,
//! filtered by `headers:` in router.yaml), so there the subgraph sees the
//! router as the client; the entity fetches made for each event are HTTP
//! requests of the client's upgrade request and get its address here.

use std::net::IpAddr;
use std::str::FromStr;

use hive_router::async_trait;
use hive_router::http::HeaderValue;
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::hooks::on_subgraph_http_request::{
    OnSubgraphHttpRequestHookPayload, OnSubgraphHttpRequestHookResult,
};
use hive_router::plugins::plugin_context::PluginContext;
use hive_router::plugins::plugin_trait::{RouterPlugin, StartHookPayload as _};
use ipnet::IpNet;

/// Read when the router starts; an entry that is not an address or
/// network stops it.
pub const TRUSTED_PROXIES_ENV: &str = "ROUTER_TRUSTED_PROXIES";

const X_FORWARDED_FOR: &str = "x-forwarded-for";

pub struct ForwardedFor {
    trusted: TrustedProxies,
}

/// The `x-forwarded-for` one client request passes on to its subgraph
/// requests (none when the router saw no peer address); the
/// `service_routes` plugin sends the same to the services.
pub(crate) struct ClientChain(Option<HeaderValue>);

impl ClientChain {
    /// This request's chain, as computed by this plugin (which runs first).
    pub(crate) fn of(context: &PluginContext) -> Option<HeaderValue> {
        context
            .get_ref::<ClientChain>()
            .and_then(|chain| chain.0.clone())
    }
}

#[async_trait]
impl RouterPlugin for ForwardedFor {
    type Config = ();

    fn plugin_name() -> &'static str {
        "forwarded_for"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let trusted = match std::env::var(TRUSTED_PROXIES_ENV) {
            Ok(list) => list
                .parse()
                .map_err(|e| format!("{TRUSTED_PROXIES_ENV}: {e}"))?,
            Err(_) => TrustedProxies::default(),
        };
        payload.initialize_plugin(Self { trusted })
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let request = &payload.router_http_request;
            let peer = request.peer_addr().map(|addr| addr.ip());
            let chain = self.trusted.forwarded_for(
                peer,
                request
                    .headers()
                    .get_all(X_FORWARDED_FOR)
                    .filter_map(|value| value.to_str().ok()),
            );
            payload.context.insert(ClientChain(chain));
            payload.proceed()
        })
    }

    async fn on_subgraph_http_request<'exec>(
        &'exec self,
        mut payload: OnSubgraphHttpRequestHookPayload<'exec>,
    ) -> OnSubgraphHttpRequestHookResult<'exec> {
        let chain = ClientChain::of(payload.context);
        let headers = &mut payload.execution_request.headers;
        // Whatever a header rule may have copied from the client goes.
        headers.remove(X_FORWARDED_FOR);
        if let Some(chain) = chain {
            headers.insert(X_FORWARDED_FOR, chain);
        }
        payload.proceed()
    }
}

/// The peers whose `x-forwarded-for` the router keeps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an IP address or CIDR network"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// `x-forwarded-for` for the subgraphs of a request from `peer` that
    /// carried `client_values`: the peer alone, or, from a trusted proxy,
    /// the proxy's list with the peer appended.
    fn forwarded_for<'a>(
        &self,
        peer: Option<IpAddr>,
        client_values: impl Iterator<Item = &'a str>,
    ) -> Option<HeaderValue> {
        let peer = canonical(peer?);
        if !self.is_trusted(peer) {
            return HeaderValue::from_str(&peer.to_string()).ok();
        }
        let mut chain: Vec<&str> = client_values
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .collect();
        let peer = peer.to_string();
        chain.push(&peer);
        HeaderValue::from_str(&chain.join(", "))
            .or_else(|_| HeaderValue::from_str(&peer))
            .ok()
    }
}

/// `::ffff:1.2.3.4` (an IPv4 client of a dual-stack socket) is `1.2.3.4`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn chain(proxies: &str, peer: &str, values: &[&str]) -> Option<String> {
        let proxies: TrustedProxies = proxies.parse().unwrap();
        proxies
            .forwarded_for(Some(peer.parse().unwrap()), values.iter().copied())
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn an_untrusted_peer_replaces_whatever_the_client_wrote() {
        assert_eq!(
            chain("", "203.0.113.9", &["1.1.1.1, 2.2.2.2"]).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            chain("10.0.0.0/8", "::ffff:203.0.113.9", &[]).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_keeps_its_chain_and_is_appended() {
        assert_eq!(
            chain(
                "10.0.0.0/8, 127.0.0.1",
                "10.1.2.3",
                &["198.51.100.7", "10.9.9.9"]
            )
            .as_deref(),
            Some("198.51.100.7, 10.9.9.9, 10.1.2.3")
        );
        assert_eq!(
            chain("127.0.0.1", "127.0.0.1", &[]).as_deref(),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn lists_are_addresses_or_networks() {
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("router".parse::<TrustedProxies>().is_err());
        assert!(" ::1 , fd00::/8".parse::<TrustedProxies>().is_ok());
    }
}
