//! Request correlation across the router and the subgraphs.
//!
//! Hive Router already gives every request an id (the client's
//! `x-request-id` if it is sane, else a UUIDv7) and puts it on its own log
//! lines. This plugin makes that id visible end to end: it is returned in the
//! `x-request-id` response header (what a frontend quotes in a bug report)
//! and sent to every subgraph, whose request span then logs the same id.
//! (The caller's address goes to the subgraphs by the `forwarded_for`
//! plugin.)

use hive_router::async_trait;
use hive_router::http::HeaderValue;
use hive_router::ntex::http::header::{HeaderName, HeaderValue as NtexHeaderValue};
use hive_router::plugins::hooks::on_http_request::{
    OnHttpRequestHookFuture, OnHttpRequestHookPayload, OnHttpResponseHookPayload,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::hooks::on_subgraph_http_request::{
    OnSubgraphHttpRequestHookPayload, OnSubgraphHttpRequestHookResult,
};
use hive_router::plugins::plugin_trait::{
    EndHookPayload as _, RouterPlugin, StartHookPayload as _,
};
use hive_router::telemetry::logging::request_id::REQUEST_IDENTIFIERS;

pub struct RequestId;

const X_REQUEST_ID: &str = "x-request-id";

/// What one client request passes on to its subgraph requests.
struct Forwarded {
    request_id: HeaderValue,
}

#[async_trait]
impl RouterPlugin for RequestId {
    type Config = ();

    fn plugin_name() -> &'static str {
        "request_id"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        payload.initialize_plugin(Self)
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            // Set by Hive Router's request-identifiers middleware, which wraps
            // the plugin layer; its id is already sanitised (visible ASCII).
            let Ok(id) = REQUEST_IDENTIFIERS.try_with(|ids| ids.req_id().to_owned()) else {
                return payload.proceed();
            };
            let (Ok(request_id), Ok(response_value)) =
                (HeaderValue::from_str(&id), NtexHeaderValue::from_str(&id))
            else {
                return payload.proceed();
            };
            payload.context.insert(Forwarded { request_id });
            payload.on_end(move |end: OnHttpResponseHookPayload<'req>| {
                end.map_response(|mut response| {
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static(X_REQUEST_ID), response_value);
                    response
                })
                .proceed()
            })
        })
    }

    async fn on_subgraph_http_request<'exec>(
        &'exec self,
        mut payload: OnSubgraphHttpRequestHookPayload<'exec>,
    ) -> OnSubgraphHttpRequestHookResult<'exec> {
        let context = payload.context;
        if let Some(forwarded) = context.get_ref::<Forwarded>() {
            payload
                .execution_request
                .headers
                .insert(X_REQUEST_ID, forwarded.request_id.clone());
        }
        payload.proceed()
    }
}
