//! The GraphiQL explorer, served by the router itself and working offline.
//!
//! `GET /`, and a browser's `GET /graphql` (Accept: text/html first), get the
//! explorer page; `GET /explorer/<file>` its scripts and styles. Everything
//! is compiled into the binary from `router/explorer/` (the GraphiQL, React
//! and ReactDOM bundles are vendored there from pinned npm packages), so no
//! request ever leaves the router's origin: the page's Content-Security-Policy
//! says so to the browser as well. Every other request proceeds to Hive
//! Router, whose own Laboratory page is switched off in `router.yaml`.

use hive_router::async_trait;
use hive_router::ntex::http::{Method, Response, StatusCode, header};
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::plugin_trait::{RouterPlugin, StartHookPayload as _};

pub struct Explorer {
    graphql_path: String,
    page: String,
}

/// URL prefix of the page's assets.
const ASSETS: &str = "/explorer/";

const PAGE: &str = include_str!("../../explorer/index.html");

/// `(file name, content type, bytes)`.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../explorer/vendor/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/react-dom.production.min.js"),
    ),
    (
        "explorer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/explorer.js"),
    ),
    (
        "explorer.css",
        "text/css; charset=utf-8",
        include_bytes!("../../explorer/explorer.css"),
    ),
];

/// Only our own origin: scripts and styles from `/explorer/`, requests to
/// the GraphQL endpoint (HTTP and WebSocket). GraphiQL sets inline styles and
/// its stylesheet embeds fonts and images as data: URLs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

#[async_trait]
impl RouterPlugin for Explorer {
    type Config = ();

    fn plugin_name() -> &'static str {
        "explorer"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let graphql_path = payload.router_config().graphql_path().to_owned();
        let page = PAGE.replace("__GRAPHQL_PATH__", &graphql_path);
        payload.initialize_plugin(Self { graphql_path, page })
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let request = &payload.router_http_request;
            let method = request.method();
            if method != Method::GET && method != Method::HEAD {
                return payload.proceed();
            }
            let path = request.path();
            if let Some(name) = path.strip_prefix(ASSETS) {
                let response = match FILES.iter().find(|(file, _, _)| *file == name) {
                    Some((_, content_type, bytes)) => Response::build(StatusCode::OK)
                        .header(header::CONTENT_TYPE, *content_type)
                        // Small and versioned with the binary: an hour is plenty.
                        .header(header::CACHE_CONTROL, "public, max-age=3600")
                        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
                        .body(*bytes),
                    None => Response::new(StatusCode::NOT_FOUND),
                };
                return payload.end_with_response(response);
            }
            let headers = request.headers();
            let wants_page = path == "/"
                || (path == self.graphql_path
                    && prefers_html(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
                    && !headers.contains_key(header::UPGRADE));
            if !wants_page {
                return payload.proceed();
            }
            let response = Response::build(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header(header::CACHE_CONTROL, "no-cache")
                .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
                .body(self.page.clone());
            payload.end_with_response(response)
        })
    }
}

/// A browser navigating to the page lists `text/html` first; GraphQL clients
/// ask for `application/graphql-response+json` or `application/json`.
fn prefers_html(accept: Option<&str>) -> bool {
    accept
        .and_then(|a| a.split(',').next())
        .is_some_and(|first| first.trim().starts_with("text/html"))
}
