//! The one way our services open a gRPC channel to each other, with one set
//! of settings. Every channel carries the service credential
//! ([`ServiceToken`]); [`endpoint`] alone is for probes and tests that call
//! without it.
//!
//! The request timeout bounds the wait for a call's response *headers*
//! (tonic's `Endpoint::timeout` wraps the response future, not the body),
//! so a server stream such as `auth.v1.Auth/WatchRevocations` lives on for
//! as long as the server keeps it open; HTTP/2 keep-alive pings are what
//! notice a peer that vanished under such a stream.

use std::time::Duration;

use tonic::transport::Endpoint;

use crate::{ServiceChannel, ServiceToken};

/// Giving up on a TCP connect: a service that is down is reported at once
/// (`UNAVAILABLE`), not after the request timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest wait for a unary answer (or a stream's first headers).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How often an HTTP/2 PING goes out, even while no call is in flight, so
/// a dead connection is found before a call needs it (and under a
/// long-lived stream, which otherwise would wait forever).
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);

/// How long a PING may stay unanswered before the connection is dropped
/// (and a lazy channel reconnects on the next call).
pub const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// `url` with our settings, without the credential.
pub fn endpoint(url: &str) -> Result<Endpoint, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(KEEP_ALIVE_INTERVAL)
        .keep_alive_timeout(KEEP_ALIVE_TIMEOUT)
        .keep_alive_while_idle(true))
}

/// A channel to `url` that connects on first use (a service starts while
/// the one it calls is still coming up), every call carrying `token`.
/// Fails only on a malformed URL.
pub fn lazy(url: &str, token: &ServiceToken) -> Result<ServiceChannel, tonic::transport::Error> {
    Ok(token.channel(endpoint(url)?.connect_lazy()))
}

/// Connects to `url` now, every call carrying `token` (tools, tests).
pub async fn connect(
    url: &str,
    token: &ServiceToken,
) -> Result<ServiceChannel, tonic::transport::Error> {
    Ok(token.channel(endpoint(url)?.connect().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_applied_and_a_malformed_url_refused() {
        assert!(endpoint("not a url").is_err());
        let endpoint = endpoint("http://127.0.0.1:1").unwrap();
        assert_eq!(endpoint.get_connect_timeout(), Some(CONNECT_TIMEOUT));
        assert!(endpoint.get_tcp_nodelay());
    }
}
