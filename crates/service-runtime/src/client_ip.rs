//! Who the client is: the socket's peer, or — only when that peer is a
//! trusted proxy (the router) — the address it says it forwarded for.
//!
//! `X-Forwarded-For` is read right to left: each trusted proxy appended the
//! address it received the request from, so the first address from the
//! right that is not a trusted proxy is the client. Anything further left
//! was written by the client itself and is never believed.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use http::HeaderMap;
use ipnet::IpNet;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The networks whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`:
/// comma-separated addresses or CIDR networks, e.g. `10.0.0.0/8,127.0.0.1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR network")]
pub struct ParseProxiesError(String);

impl FromStr for TrustedProxies {
    type Err = ParseProxiesError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| ParseProxiesError(part.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request that came from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.is_trusted(client) {
            return client;
        }
        // Several headers are one list, in order.
        let hops: Vec<&str> = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Garbage where an address should be: the last proxy we
                // trust is as far as we can see.
                return client;
            };
            client = ip;
            if !self.is_trusted(ip) {
                return ip;
            }
        }
        client
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .map(canonical)
}

/// IPv4 addresses that arrive as IPv4-mapped IPv6 (`::ffff:1.2.3.4`) are
/// IPv4 addresses.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn parses_lists() {
        let proxies: TrustedProxies = " 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8".parse().unwrap();
        assert!(proxies.is_trusted(ip("10.1.2.3")));
        assert!(proxies.is_trusted(ip("127.0.0.1")));
        assert!(proxies.is_trusted(ip("::ffff:127.0.0.1")));
        assert!(proxies.is_trusted(ip("::1")));
        assert!(proxies.is_trusted(ip("fd12::1")));
        assert!(!proxies.is_trusted(ip("127.0.0.2")));
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::none()
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("router".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let proxies: TrustedProxies = "10.0.0.1".parse().unwrap();
        let headers = xff(&["198.51.100.7"]);
        assert_eq!(
            proxies.client_ip(ip("203.0.113.9"), &headers),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::none().client_ip(ip("10.0.0.1"), &headers),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn a_trusted_peer_is_believed_up_to_the_first_untrusted_hop() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let peer = ip("10.0.0.1");
        // The client sent a forged header; the proxy appended the real address.
        let headers = xff(&["1.1.1.1, 198.51.100.7"]);
        assert_eq!(proxies.client_ip(peer, &headers), ip("198.51.100.7"));
        // Two proxies: the inner one appended the outer one.
        let headers = xff(&["1.1.1.1", "198.51.100.7, 10.0.0.2"]);
        assert_eq!(proxies.client_ip(peer, &headers), ip("198.51.100.7"));
        // Ports and brackets.
        let headers = xff(&["[2001:db8::5]:443"]);
        assert_eq!(proxies.client_ip(peer, &headers), ip("2001:db8::5"));
        let headers = xff(&["198.51.100.7:5555"]);
        assert_eq!(proxies.client_ip(peer, &headers), ip("198.51.100.7"));
    }

    #[test]
    fn without_a_usable_header_the_nearest_proxy_is_the_client() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let peer = ip("10.0.0.1");
        assert_eq!(proxies.client_ip(peer, &HeaderMap::new()), peer);
        assert_eq!(proxies.client_ip(peer, &xff(&["unknown"])), peer);
        assert_eq!(
            proxies.client_ip(peer, &xff(&["198.51.100.7, junk, 10.0.0.9"])),
            ip("10.0.0.9")
        );
        // Every hop a proxy: the leftmost is as far as we can see.
        assert_eq!(
            proxies.client_ip(peer, &xff(&["10.0.0.3, 10.0.0.2"])),
            ip("10.0.0.3")
        );
    }
}
