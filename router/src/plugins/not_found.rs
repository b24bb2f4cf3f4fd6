//! 404 for every path nobody serves.
//!
//! Hive Router answers a path it has no route for with its landing page,
//! which loads its logo and fonts from the internet. Ours has one origin
//! whose paths are all known: GraphQL (and its WebSocket), the probes, and
//! what the plugins before this one answer (the explorer, `/healthz`, the
//! services' routes). Any other request gets a short 404 from here.

use api_errors::ErrorCode;
use hive_router::async_trait;
use hive_router::ntex::http::StatusCode;
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::plugin_trait::{RouterPlugin, StartHookPayload as _};

use super::error_response;

pub struct NotFound {
    /// Paths Hive Router serves itself.
    exact: Vec<String>,
    /// The GraphQL path with a `/` (persisted documents by id live below).
    graphql_prefix: String,
}

#[async_trait]
impl RouterPlugin for NotFound {
    type Config = ();

    fn plugin_name() -> &'static str {
        "not_found"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let config = payload.router_config();
        let graphql = config.graphql_path().to_owned();
        // Hive Router's probes (RouterPaths in its lib.rs).
        let mut exact = vec![
            graphql.clone(),
            "/health".to_owned(),
            "/readiness".to_owned(),
        ];
        if let Some(websocket) = config.websocket_path() {
            exact.push(websocket.to_owned());
        }
        if let Some(callback) = config.callback_conf()
            && callback.listen.is_none()
        {
            exact.push(callback.path.as_str().to_owned());
        }
        let graphql_prefix = format!("{}/", graphql.trim_end_matches('/'));
        payload.initialize_plugin(Self {
            exact,
            graphql_prefix,
        })
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let path = payload.router_http_request.path();
            if self.exact.iter().any(|known| known == path)
                || path.starts_with(&self.graphql_prefix)
            {
                return payload.proceed();
            }
            payload.end_with_response(error_response(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "no such path",
            ))
        })
    }
}
