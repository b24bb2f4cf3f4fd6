//! `GET /healthz`: liveness, the path every service of ours answers.
//!
//! Hive Router's own probes stay as they are: `/health` (liveness) and
//! `/readiness` (200 once a supergraph is loaded and plannable, 503 before).

use hive_router::async_trait;
use hive_router::ntex::http::{Method, Response, StatusCode, header};
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::plugin_trait::{RouterPlugin, StartHookPayload as _};

pub struct Healthz;

const PATH: &str = "/healthz";

#[async_trait]
impl RouterPlugin for Healthz {
    type Config = ();

    fn plugin_name() -> &'static str {
        "healthz"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        payload.initialize_plugin(Self)
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let request = &payload.router_http_request;
            if request.path() != PATH {
                return payload.proceed();
            }
            if request.method() != Method::GET && request.method() != Method::HEAD {
                return payload.end_with_response(Response::new(StatusCode::METHOD_NOT_ALLOWED));
            }
            let response = Response::build(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CACHE_CONTROL, "no-store")
                .body(r#"{"status":"ok"}"#);
            payload.end_with_response(response)
        })
    }
}
