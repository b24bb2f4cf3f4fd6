//! The services' browser-facing routes, served on the router's origin.
//!
//! Besides GraphQL, browsers follow the links of auth's emails
//! (`/verify-email`, `/reset-password`, `/confirm-email-change`), go through
//! a provider sign-in (`/oauth/…`), fetch auth's signing keys
//! (`/.well-known/jwks.json`) and upload and download avatars (users'
//! `/avatar-uploads/…` and `/avatars/…`). This plugin forwards those paths
//! to the service that owns them and passes its answer back, so clients
//! need no other port than the router's, and the services' own ports (with
//! their `/graphql` and `/ws`) stay internal. The services' `PUBLIC_URL` is
//! the router's origin, so the URLs they hand out point here.
//!
//! What is forwarded: the method, path and query; the request headers a
//! service reads ([`REQUEST_HEADERS`]) plus `x-request-id` (the router's id
//! for the request), `x-forwarded-for` (as the `forwarded_for` plugin
//! computes it for the subgraphs), `x-forwarded-proto` and
//! `x-forwarded-host`; the body, streamed and at most [`MAX_BODY_BYTES`].
//! What comes back: the status, every response header but the hop-by-hop
//! ones, and the body, streamed. Redirects are passed on, never followed
//! (a sign-in is a chain of them in the browser).
//!
//! Where the services are: the scheme, host and port of their subgraph URL
//! (`override_subgraph_urls` in router.yaml: `AUTH_SUBGRAPH_URL`,
//! `USERS_SUBGRAPH_URL`), the path dropped.
//!
//! A service that is down answers 502, one that does not answer within
//! `timeout` 504, both with an error in the GraphQL shape
//! (`extensions.code` UNAVAILABLE), as the avatar routes answer theirs.

use std::collections::HashMap;
use std::error::Error;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use api_errors::ErrorCode;
use futures::{SinkExt as _, StreamExt as _};
use hive_router::async_trait;
use hive_router::config::override_subgraph_urls::UrlOrExpression;
use hive_router::ntex::http::body::{Body, BodyStream, SizedStream};
use hive_router::ntex::http::header::{self, HeaderName, HeaderValue};
use hive_router::ntex::http::{Method, Response, StatusCode};
use hive_router::ntex::util::Bytes;
use hive_router::ntex::web::{DefaultError, WebRequest};
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::plugin_trait::{RouterPlugin, StartHookPayload as _};
use hive_router::telemetry::logging::request_id::REQUEST_IDENTIFIERS;
use hive_router::tracing::warn;
use reqwest::Url;
use serde::Deserialize;

use super::error_response;
use super::forwarded_for::ClientChain;

/// A public path and the subgraph whose service answers it.
struct Route {
    path: &'static str,
    /// `path` is a prefix (ends with `/`), else the whole path.
    prefix: bool,
    service: &'static str,
}

impl Route {
    const fn exact(path: &'static str, service: &'static str) -> Self {
        Self {
            path,
            prefix: false,
            service,
        }
    }

    const fn under(path: &'static str, service: &'static str) -> Self {
        Self {
            path,
            prefix: true,
            service,
        }
    }

    fn matches(&self, path: &str) -> bool {
        if self.prefix {
            path.len() > self.path.len() && path.starts_with(self.path)
        } else {
            path == self.path
        }
    }
}

/// Every browser-facing route of the services (subgraphs/auth/src/http.rs,
/// subgraphs/users/src/avatars.rs `UPLOAD_PATH` and `PICTURE_PATH`).
const ROUTES: &[Route] = &[
    Route::exact("/.well-known/jwks.json", "auth"),
    Route::exact("/verify-email", "auth"),
    Route::exact("/reset-password", "auth"),
    Route::exact("/confirm-email-change", "auth"),
    Route::under("/oauth/", "auth"),
    Route::under("/avatar-uploads/", "users"),
    Route::under("/avatars/", "users"),
];

/// The largest request body forwarded: users' avatar upload limit
/// (`MAX_UPLOAD_BYTES` in subgraphs/users/src/avatars.rs); auth's forms are
/// far smaller. A larger body gets 413 from the router.
pub const MAX_BODY_BYTES: u64 = 5 * 1024 * 1024;

/// The client's request headers a service reads; the others stay here.
const REQUEST_HEADERS: &[HeaderName] = &[
    header::ACCEPT,
    header::ACCEPT_LANGUAGE,
    header::ACCESS_CONTROL_REQUEST_HEADERS,
    header::ACCESS_CONTROL_REQUEST_METHOD,
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::COOKIE,
    header::IF_MODIFIED_SINCE,
    header::IF_NONE_MATCH,
    header::ORIGIN,
    header::RANGE,
    header::USER_AGENT,
];

/// Response headers that describe the service's connection, not the
/// answer (RFC 9110 7.6.1), or that the router writes itself.
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::CONTENT_LENGTH,
    header::DATE,
    header::PROXY_AUTHENTICATE,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

const KEEP_ALIVE: &str = "keep-alive";
const X_REQUEST_ID: &str = "x-request-id";
const X_FORWARDED_FOR: &str = "x-forwarded-for";
const X_FORWARDED_HOST: &str = "x-forwarded-host";
const X_FORWARDED_PROTO: &str = "x-forwarded-proto";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How long a service may take to answer (its response headers); the
    /// body then streams as long as it keeps coming, each read within the
    /// same time.
    #[serde(default = "default_timeout", with = "hive_router::humantime_serde")]
    timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

pub struct ServiceRoutes {
    client: reqwest::Client,
    /// Subgraph name → the service's base URL (no path).
    services: HashMap<&'static str, Url>,
    timeout: Duration,
}

#[async_trait]
impl RouterPlugin for ServiceRoutes {
    type Config = Config;

    fn plugin_name() -> &'static str {
        "service_routes"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let config = payload.config()?;
        let overrides = &payload.router_config().override_subgraph_urls;
        let mut services = HashMap::new();
        for route in ROUTES {
            if services.contains_key(route.service) {
                continue;
            }
            let Some(UrlOrExpression::Url(url)) = overrides.get_subgraph_url(route.service) else {
                return Err(format!(
                    "service_routes: override_subgraph_urls.subgraphs.{}.url must be a URL \
                     (the service's routes are forwarded to its host and port)",
                    route.service
                )
                .into());
            };
            services.insert(route.service, base_url(url)?);
        }
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(50))
            .build()?;
        payload.initialize_plugin(Self {
            client,
            services,
            timeout: config.timeout,
        })
    }

    fn on_http_request<'req>(
        &'req self,
        mut payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let path = payload.router_http_request.path();
            let Some(route) = ROUTES.iter().find(|route| route.matches(path)) else {
                return payload.proceed();
            };
            let Some(base) = self.services.get(route.service) else {
                return payload.proceed();
            };
            let chain = ClientChain::of(payload.context);
            let response = self
                .forward(&mut payload.router_http_request, base, route, chain)
                .await;
            payload.end_with_response(response)
        })
    }
}

/// `http://host:port` of a subgraph URL.
fn base_url(subgraph_url: &str) -> Result<Url, String> {
    let mut url = Url::parse(subgraph_url).map_err(|e| format!("{subgraph_url:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(format!("{subgraph_url:?} is not an http(s) URL"));
    }
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Where a request for `path` and `query` goes at the service at `base`:
/// `None` unless the URL has exactly that path under `route` (a path with
/// `.` or `..` segments, or one a URL parser rewrites, could reach other
/// routes of the service, its `/graphql` say).
fn target(base: &Url, route: &Route, path: &str, query: &str) -> Option<Url> {
    let mut url = base.clone();
    url.set_path(path);
    if !query.is_empty() {
        url.set_query(Some(query));
    }
    (url.path() == path && route.matches(url.path())).then_some(url)
}

/// Why a request could not be forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    NotFound,
    TooLarge,
    Unreachable,
    TimedOut,
}

impl Failure {
    fn response(self) -> Response {
        let (status, code, message) = match self {
            Failure::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such path"),
            Failure::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadUserInput,
                "the request body is too large",
            ),
            Failure::Unreachable => (
                StatusCode::BAD_GATEWAY,
                ErrorCode::Unavailable,
                "the service is unavailable; try again later",
            ),
            Failure::TimedOut => (
                StatusCode::GATEWAY_TIMEOUT,
                ErrorCode::Unavailable,
                "the service did not answer in time; try again later",
            ),
        };
        error_response(status, code, message)
    }
}

impl ServiceRoutes {
    async fn forward(
        &self,
        request: &mut WebRequest<DefaultError>,
        base: &Url,
        route: &Route,
        chain: Option<hive_router::http::HeaderValue>,
    ) -> Response {
        let Some(url) = target(base, route, request.path(), request.query_string()) else {
            return Failure::NotFound.response();
        };
        let method = request.method().clone();
        let request_id = REQUEST_IDENTIFIERS
            .try_with(|ids| ids.req_id().to_owned())
            .ok();

        let mut headers = reqwest::header::HeaderMap::new();
        for name in REQUEST_HEADERS {
            for value in request.headers().get_all(name) {
                if let Ok(value) = reqwest::header::HeaderValue::from_bytes(value.as_bytes()) {
                    headers.append(name.clone(), value);
                }
            }
        }
        if let Some(chain) = chain {
            headers.insert(X_FORWARDED_FOR, chain);
        }
        headers.insert(
            X_FORWARDED_PROTO,
            reqwest::header::HeaderValue::from_static("http"),
        );
        if let Some(host) = request
            .headers()
            .get(header::HOST)
            .and_then(|host| reqwest::header::HeaderValue::from_bytes(host.as_bytes()).ok())
        {
            headers.insert(X_FORWARDED_HOST, host);
        }
        if let Some(id) = request_id
            .as_deref()
            .and_then(|id| reqwest::header::HeaderValue::from_str(id).ok())
        {
            headers.insert(X_REQUEST_ID, id);
        }

        let too_large = Arc::new(AtomicBool::new(false));
        let mut builder = self.client.request(method.clone(), url);
        match request_body(request) {
            RequestBody::None => {}
            RequestBody::Sized(length) if length > MAX_BODY_BYTES => {
                return Failure::TooLarge.response();
            }
            body => {
                if let RequestBody::Sized(length) = body {
                    headers.insert(reqwest::header::CONTENT_LENGTH, length.into());
                }
                builder = builder.body(reqwest::Body::wrap_stream(stream_body(
                    request,
                    too_large.clone(),
                )));
            }
        }
        let sent = tokio_timeout(self.timeout, builder.headers(headers).send()).await;
        let upstream = match sent {
            Some(Ok(upstream)) => upstream,
            Some(Err(_)) if too_large.load(Ordering::Relaxed) => {
                return Failure::TooLarge.response();
            }
            Some(Err(err)) => {
                let failure = if err.is_timeout() {
                    Failure::TimedOut
                } else {
                    Failure::Unreachable
                };
                warn!(error = %err, service = route.service, "forwarding a request failed");
                return failure.response();
            }
            None => {
                warn!(service = route.service, timeout = ?self.timeout, "the service did not answer in time");
                return Failure::TimedOut.response();
            }
        };
        respond(&method, upstream, request_id.as_deref())
    }
}

async fn tokio_timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    hive_router::tokio::time::timeout(limit, future).await.ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestBody {
    None,
    Sized(u64),
    Chunked,
}

/// What the client announced: a `Content-Length`, chunks, or nothing.
fn request_body(request: &WebRequest<DefaultError>) -> RequestBody {
    let headers = request.headers();
    if let Some(length) = headers.get(header::CONTENT_LENGTH) {
        return match length.to_str().ok().and_then(|v| v.trim().parse().ok()) {
            Some(length) if length > 0 => RequestBody::Sized(length),
            // ntex refuses an unreadable Content-Length before this runs.
            _ => RequestBody::None,
        };
    }
    if headers.contains_key(header::TRANSFER_ENCODING) {
        RequestBody::Chunked
    } else {
        RequestBody::None
    }
}

/// The client's body as a stream the HTTP client can send from any thread:
/// a task on this worker reads it and passes the chunks on (a few at a time,
/// so a slow service slows the client down instead of filling memory),
/// stopping with an error past [`MAX_BODY_BYTES`] (and setting `too_large`).
fn stream_body(
    request: &mut WebRequest<DefaultError>,
    too_large: Arc<AtomicBool>,
) -> futures::channel::mpsc::Receiver<Result<Vec<u8>, BodyError>> {
    let (mut tx, rx) = futures::channel::mpsc::channel(4);
    let mut payload = request.take_payload();
    hive_router::ntex::rt::spawn(async move {
        let mut read: u64 = 0;
        while let Some(chunk) = payload.next().await {
            let item = match chunk {
                Ok(bytes) => {
                    read = read.saturating_add(bytes.len() as u64);
                    if read > MAX_BODY_BYTES {
                        too_large.store(true, Ordering::Relaxed);
                        Err(BodyError("the request body is too large".to_owned()))
                    } else {
                        Ok(bytes.to_vec())
                    }
                }
                Err(err) => Err(BodyError(err.to_string())),
            };
            let last = item.is_err();
            if tx.send(item).await.is_err() || last {
                break;
            }
        }
    });
    rx
}

/// The client's body broke off (or grew too large).
#[derive(Debug)]
struct BodyError(String);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for BodyError {}

/// The service's answer for the client: status, headers, body streamed.
fn respond(method: &Method, upstream: reqwest::Response, request_id: Option<&str>) -> Response {
    let status = upstream.status();
    let length = upstream.content_length();
    let mut response = Response::build(status);
    for (name, value) in upstream.headers() {
        if HOP_BY_HOP.contains(name) || name.as_str() == KEEP_ALIVE || name.as_str() == X_REQUEST_ID
        {
            continue;
        }
        response.header(name.clone(), HeaderValue::from(value));
    }
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        response.header(HeaderName::from_static(X_REQUEST_ID), id);
    }
    let bodiless = *method == Method::HEAD
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status.is_informational();
    if bodiless {
        return response.body(Body::None);
    }
    let chunks = upstream.bytes_stream().map(|chunk| {
        chunk
            .map(|bytes| Bytes::copy_from_slice(&bytes))
            .map_err(|err| Rc::new(err) as Rc<dyn Error>)
    });
    match length {
        Some(0) => response.body(Body::Empty),
        Some(length) => response.body(Body::from(SizedStream::new(length, Box::pin(chunks)))),
        None => response.body(Body::from(BodyStream::new(Box::pin(
            chunks.map(|chunk| chunk.map_err(|err| UpstreamError(err.to_string()))),
        )))),
    }
}

/// The service's body broke off mid-way.
#[derive(Debug)]
struct UpstreamError(String);

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for UpstreamError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn route_of(path: &str) -> Option<&'static str> {
        ROUTES
            .iter()
            .find(|route| route.matches(path))
            .map(|route| route.service)
    }

    #[test]
    fn each_public_path_has_its_service() {
        assert_eq!(route_of("/verify-email"), Some("auth"));
        assert_eq!(route_of("/reset-password"), Some("auth"));
        assert_eq!(route_of("/confirm-email-change"), Some("auth"));
        assert_eq!(route_of("/.well-known/jwks.json"), Some("auth"));
        assert_eq!(route_of("/oauth/acme/start"), Some("auth"));
        assert_eq!(route_of("/avatar-uploads/token"), Some("users"));
        assert_eq!(route_of("/avatars/u/k-128.webp"), Some("users"));
        for other in [
            "/graphql",
            "/ws",
            "/oauth/",
            "/oauth",
            "/avatars",
            "/verify-email/x",
            "/",
        ] {
            assert_eq!(route_of(other), None, "{other}");
        }
    }

    #[test]
    fn the_service_is_the_subgraphs_host_and_port() {
        let base = base_url("http://users:4002/graphql").unwrap();
        assert_eq!(base.as_str(), "http://users:4002/");
        assert!(base_url("users:4002").is_err());
    }

    #[test]
    fn only_plain_paths_under_a_route_are_forwarded() {
        let base = base_url("http://127.0.0.1:4001/graphql").unwrap();
        let route = |path: &str| ROUTES.iter().find(|r| r.path == path).unwrap();
        let (oauth, avatars) = (route("/oauth/"), route("/avatars/"));
        assert_eq!(
            target(&base, oauth, "/oauth/acme/start", "redirect_uri=x&state=y")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:4001/oauth/acme/start?redirect_uri=x&state=y"
        );
        for path in [
            "/oauth/../graphql",
            "/oauth/%2e%2e/graphql",
            "/oauth/%2E./graphql",
            "/oauth/./acme",
            "/oauth/acme\\..\\..\\graphql",
        ] {
            assert!(target(&base, oauth, path, "").is_none(), "{path}");
        }
        assert!(target(&base, avatars, "/avatars/a/..", "").is_none());
    }
}
