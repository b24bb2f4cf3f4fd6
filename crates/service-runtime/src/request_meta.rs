//! What a resolver may need to know of the HTTP request (or WebSocket
//! upgrade) it serves: sessions record the user agent and client address.
//! Its own module so that `http` (which builds it) and `ws` (which hands it
//! to every subscription) do not depend on each other for it.

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderName, header};

use crate::client_ip::TrustedProxies;

/// The request id header, taken from the client if sane, else made up.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Facts about the HTTP request that resolvers may need (sessions record them).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub user_agent: Option<String>,
    pub client_ip: Option<std::net::IpAddr>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    /// The facts of a request from `peer` with `headers`; the client address
    /// as `proxies` allow (see [`TrustedProxies::client_ip`]).
    pub(crate) fn of(proxies: &TrustedProxies, peer: SocketAddr, headers: &HeaderMap) -> Self {
        RequestMeta {
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(512).collect()),
            client_ip: Some(proxies.client_ip(peer.ip(), headers)),
            request_id: headers
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}
