//! The HTTP side of a subgraph: `POST /graphql`, WebSocket subscriptions on
//! `/ws` (and `GET /graphql` upgrades), `/healthz`, request ids, tracing and
//! body limits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use api_errors::{ErrorCode, ensure_codes};
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use async_graphql::{BatchRequest, BatchResponse, Executor};
use auth_client::{SharedAuthenticator, authenticate_headers};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::client_ip::TrustedProxies;
use crate::request_meta::{REQUEST_ID, RequestMeta};
use crate::settings::HttpSettings;
use crate::ws::{Connection, Connections, WsLimits};

/// Largest request body accepted. Generous enough that a 1 MB string field
/// reaches the resolver and gets a precise BAD_USER_INPUT.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The read buffer of a subscription WebSocket (see `graphql_ws`).
const WS_READ_BUFFER: usize = 4 * 1024;

/// A GraphQL schema with its authenticator, ready to be served.
pub struct GraphqlApp<E> {
    executor: E,
    authenticator: SharedAuthenticator,
    trusted_proxies: TrustedProxies,
    ws_limits: WsLimits,
    connections: Connections,
    max_batch_operations: usize,
}

impl<E: Executor> GraphqlApp<E> {
    pub fn new(executor: E, authenticator: SharedAuthenticator) -> Self {
        Self {
            executor,
            authenticator,
            trusted_proxies: TrustedProxies::none(),
            ws_limits: WsLimits::default(),
            connections: Connections::default(),
            max_batch_operations: 1,
        }
    }

    /// Trusted proxies and WebSocket limits from the service's settings.
    #[must_use]
    pub fn with_settings(self, settings: &HttpSettings) -> Self {
        self.with_trusted_proxies(settings.trusted_proxies())
            .with_ws_limits(settings.ws_limits())
            .with_max_batch_operations(settings.max_batch_operations)
    }

    /// Operations one POST may carry (1: no batching).
    #[must_use]
    pub fn with_max_batch_operations(mut self, max: usize) -> Self {
        self.max_batch_operations = max.max(1);
        self
    }

    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    #[must_use]
    pub fn with_ws_limits(mut self, limits: WsLimits) -> Self {
        self.ws_limits = limits;
        self
    }

    /// The open subscription connections per user (shared with the app).
    pub fn connections(&self) -> Connections {
        self.connections.clone()
    }

    /// The complete router: GraphQL, subscriptions, health, and the layers
    /// every service wants. `extra` routes (JWKS, callbacks) are merged in.
    pub fn router(self, extra: Router) -> Router {
        let state = Arc::new(self);
        let graphql = Router::new()
            .route("/graphql", post(graphql_post::<E>).get(graphql_ws::<E>))
            .route("/ws", get(graphql_ws::<E>))
            .with_state(state);
        Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .merge(graphql)
            .merge(extra)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(30),
            ))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(), request_id)
            }))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
    }
}

async fn graphql_post<E: Executor>(
    State(app): State<Arc<GraphqlApp<E>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("request body larger than {MAX_BODY_BYTES} bytes")
            } else {
                "request body could not be read".to_owned()
            };
            return error_response(status, ErrorCode::BadUserInput, &message);
        }
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &format!("malformed GraphQL request: {err}"),
            );
        }
    };
    if let BatchRequest::Batch(operations) = &batch
        && operations.len() > app.max_batch_operations
    {
        // Refused whole, before any token check or execution: a batch
        // would multiply every per-request limit by its length.
        let max = app.max_batch_operations;
        let message = if max == 1 {
            "batched requests are not accepted: send one operation per request".to_owned()
        } else {
            format!("at most {max} operations per batched request")
        };
        return error_response_with_reason(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "BATCH_NOT_ALLOWED",
            &message,
        );
    }
    let caller = authenticate_headers(app.authenticator.as_ref(), &headers).await;
    let meta = RequestMeta::of(&app.trusted_proxies, peer, &headers);
    let mut response = app
        .executor
        .execute_batch(batch.data(caller).data(meta))
        .await;
    match &mut response {
        BatchResponse::Single(single) => ensure_codes(single),
        BatchResponse::Batch(many) => many.iter_mut().for_each(ensure_codes),
    }
    axum::Json(response).into_response()
}

/// The first sub-protocol the client offers that we speak.
fn ws_protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .split(',')
                .find_map(|protocol| protocol.trim().parse().ok())
        })
}

async fn graphql_ws<E: Executor>(
    State(app): State<Arc<GraphqlApp<E>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = ws_protocol(&headers) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "unsupported WebSocket sub-protocol: use graphql-transport-ws",
        );
    };
    let connection = Connection {
        executor: app.executor.clone(),
        protocol,
        authenticator: app.authenticator.clone(),
        limits: app.ws_limits,
        connections: app.connections.clone(),
        meta: RequestMeta::of(&app.trusted_proxies, peer, &headers),
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Subscriptions are long-lived and mostly idle: tungstenite's
        // defaults (128 KiB read buffer, 128 KiB write threshold per
        // connection) made an idle subscriber cost messaging ≈153 KiB of
        // RSS (bench scenario 4). Client frames are small GraphQL messages;
        // one is capped like an HTTP body.
        .read_buffer_size(WS_READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .on_upgrade(move |socket| connection.serve(socket))
}

/// [`error_response`] with an `extensions.reason`.
pub fn error_response_with_reason(
    status: StatusCode,
    code: ErrorCode,
    reason: &str,
    message: &str,
) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{
            "message": message,
            "extensions": { "code": code.as_str(), "reason": reason },
        }],
    });
    (status, axum::Json(body)).into_response()
}

/// A GraphQL-shaped error body for failures before execution.
pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }],
    });
    (status, axum::Json(body)).into_response()
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
