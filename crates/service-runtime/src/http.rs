//! The HTTP side of a subgraph: `POST /graphql`, WebSocket subscriptions on
//! `/ws` (and `GET /graphql` upgrades), `/healthz`, request ids, tracing and
//! body limits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use api_errors::{ErrorCode, ensure_codes};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, BatchResponse, Data, Executor};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use auth_client::{
    BearerToken, Caller, SharedAuthenticator, authenticate_headers, authenticate_init_payload,
    token_from_init_payload,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted. Generous enough that a 1 MB string field
/// reaches the resolver and gets a precise BAD_USER_INPUT.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Facts about the HTTP request that resolvers may need (sessions record them).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub user_agent: Option<String>,
    pub client_ip: Option<std::net::IpAddr>,
    pub request_id: Option<String>,
}

/// A GraphQL schema with its authenticator, ready to be served.
pub struct GraphqlApp<E> {
    executor: E,
    authenticator: SharedAuthenticator,
}

impl<E: Executor> GraphqlApp<E> {
    pub fn new(executor: E, authenticator: SharedAuthenticator) -> Self {
        Self {
            executor,
            authenticator,
        }
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
    let caller = authenticate_headers(app.authenticator.as_ref(), &headers).await;
    let meta = RequestMeta {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
        client_ip: Some(peer.ip()),
        request_id: headers
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
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

async fn graphql_ws<E: Executor>(
    State(app): State<Arc<GraphqlApp<E>>>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let authenticator = app.authenticator.clone();
            GraphQLWebSocket::new(stream, app.executor.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let caller = authenticate_init_payload(authenticator.as_ref(), &payload).await;
                    let mut data = Data::default();
                    if let Some(Ok(token)) = token_from_init_payload(&payload) {
                        data.insert(BearerToken(token));
                    }
                    data.insert::<Caller>(caller);
                    data.insert::<SharedAuthenticator>(authenticator);
                    Ok(data)
                })
                .serve()
        })
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
