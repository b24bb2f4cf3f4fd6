//! The limits of the HTTP app, over real HTTP and WebSocket: query aliases,
//! depth, the client address behind a trusted proxy, and the subscription
//! connection limits and timeouts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use async_graphql::{Context, EmptyMutation, Object, Schema, Subscription};
use auth_client::{Authenticator, Caller, Identity, SharedAuthenticator};
use futures::Stream;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use service_runtime::ws::{
    CLOSE_BAD_REQUEST, CLOSE_IDLE_TIMEOUT, CLOSE_MAX_LIFETIME, CLOSE_TOO_MANY_CONNECTIONS,
    Connections,
};
use service_runtime::{
    GraphqlApp, QueryLimits, QueryLimitsExt as _, RequestMeta, Running, TrustedProxies, WsLimits,
};
use testkit::{GraphqlClient, WsClient, assert_no_errors, error_code};
use uuid::Uuid;

/// Accepts `user-<uuid>` as the token of that user.
struct FakeAuth;

impl Authenticator for FakeAuth {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Caller> {
        Box::pin(async move {
            match token.strip_prefix("user-").and_then(|id| id.parse().ok()) {
                Some(user_id) => Caller::Authenticated(Identity {
                    user_id,
                    session_id: Uuid::nil(),
                    email_verified: true,
                    expires_at: i64::MAX,
                }),
                None => Caller::Rejected("MALFORMED".into()),
            }
        })
    }
}

struct Query;

#[Object]
impl Query {
    async fn hello(&self) -> &str {
        "hi"
    }

    /// The client address the app decided on.
    async fn ip(&self, ctx: &Context<'_>) -> Option<String> {
        ctx.data_opt::<RequestMeta>()
            .and_then(|meta| meta.client_ip)
            .map(|ip| ip.to_string())
    }

    async fn tree(&self) -> Tree {
        Tree
    }
}

struct Tree;

#[Object]
impl Tree {
    async fn child(&self) -> Tree {
        Tree
    }

    async fn leaf(&self) -> i32 {
        1
    }
}

struct Subscription;

#[Subscription]
impl Subscription {
    /// Never yields: a subscription that stays open.
    #[allow(clippy::unused_async)] // async-graphql requires subscription fields to be async
    async fn forever(&self, ctx: &Context<'_>) -> async_graphql::Result<impl Stream<Item = i32>> {
        auth_client::identity(ctx)?;
        Ok(futures::stream::pending())
    }

    /// One event, then the subscription completes.
    async fn once(&self) -> impl Stream<Item = i32> {
        futures::stream::iter([1])
    }
}

type TestSchema = Schema<Query, EmptyMutation, Subscription>;

struct App {
    running: Running<()>,
    connections: Connections,
}

impl App {
    fn gql(&self) -> GraphqlClient {
        GraphqlClient::new(self.running.graphql_url())
    }

    async fn ws(&self, user: Uuid) -> Result<WsClient, String> {
        WsClient::connect(
            &self.running.ws_url(),
            json!({"Authorization": format!("Bearer user-{user}")}),
        )
        .await
    }
}

async fn start(limits: WsLimits, proxies: TrustedProxies) -> App {
    start_with(limits, proxies, 1).await
}

async fn start_with(limits: WsLimits, proxies: TrustedProxies, max_batch: usize) -> App {
    let query_limits = QueryLimits {
        max_depth: 5,
        max_complexity: 1000,
        max_aliases: 3,
    };
    let schema: TestSchema = Schema::build(Query, EmptyMutation, Subscription)
        .query_limits(query_limits)
        .extension(api_errors::ErrorCodes)
        .finish();
    let authenticator: SharedAuthenticator = std::sync::Arc::new(FakeAuth);
    let app = GraphqlApp::new(schema, authenticator)
        .with_ws_limits(limits)
        .with_trusted_proxies(proxies)
        .with_max_batch_operations(max_batch);
    let connections = app.connections();
    let mut running = Running::new("test", ());
    running
        .serve_http(([127, 0, 0, 1], 0).into(), app.router(axum::Router::new()))
        .await
        .unwrap();
    App {
        running,
        connections,
    }
}

fn reason(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/reason")
        .and_then(Value::as_str)
}

#[tokio::test]
async fn aliases_and_depth_are_limited() {
    let app = start(WsLimits::default(), TrustedProxies::none()).await;
    let gql = app.gql();
    assert_no_errors(&gql.query("{ a: hello b: hello c: hello }", json!({})).await);
    let resp = gql
        .query("{ a: hello b: hello c: hello d: hello }", json!({}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("MAX_ALIASES_EXCEEDED"), "{resp}");
    // Hidden in a fragment spread twice: still counted.
    let resp = gql
        .query(
            "{ ...F t: tree { ...T } } fragment F on Query { x: hello } fragment T on Tree { a: leaf b: leaf }",
            json!({}),
        )
        .await;
    assert_eq!(reason(&resp), Some("MAX_ALIASES_EXCEEDED"), "{resp}");

    let resp = gql
        .query(
            "{ tree { child { child { child { child { child { leaf } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("MAX_DEPTH_EXCEEDED"), "{resp}");
    assert_no_errors(
        &gql.query("{ tree { child { child { leaf } } } }", json!({}))
            .await,
    );
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let query = "{ ip }";
    let untrusting = start(WsLimits::default(), TrustedProxies::none()).await;
    let resp = untrusting
        .gql()
        .with_header("x-forwarded-for", "198.51.100.7")
        .query(query, json!({}))
        .await;
    assert_eq!(resp["data"]["ip"], "127.0.0.1", "{resp}");

    let trusting = start(WsLimits::default(), "127.0.0.0/8".parse().unwrap()).await;
    let gql = trusting.gql();
    let resp = gql
        .with_header("x-forwarded-for", "1.1.1.1, 198.51.100.7")
        .query(query, json!({}))
        .await;
    assert_eq!(resp["data"]["ip"], "198.51.100.7", "{resp}");
    let resp = gql.query(query, json!({})).await;
    assert_eq!(resp["data"]["ip"], "127.0.0.1", "{resp}");
}

async fn closed_with(ws: &mut WsClient, within: Duration) -> (u16, String) {
    assert!(
        ws.next_event(within).await.is_none(),
        "expected the connection to close"
    );
    let (code, reason) = ws.close_frame().expect("closed");
    (code, reason.to_owned())
}

#[tokio::test]
async fn connections_per_user_are_limited() {
    let limits = WsLimits {
        max_connections_per_user: 2,
        ..WsLimits::default()
    };
    let app = start(limits, TrustedProxies::none()).await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let first = app.ws(alice).await.unwrap();
    let _second = app.ws(alice).await.unwrap();
    let refused = app.ws(alice).await.unwrap_err();
    assert!(
        refused.starts_with(&format!(
            "{CLOSE_TOO_MANY_CONNECTIONS}: TOO_MANY_CONNECTIONS"
        )),
        "{refused}"
    );
    assert_eq!(app.connections.count(alice), 2);
    // Someone else is not affected.
    let _bob = app.ws(bob).await.unwrap();
    // A closed connection frees its slot.
    first.close().await;
    let mut reopened = None;
    for _ in 0..50 {
        if app.connections.count(alice) < 2 {
            reopened = Some(app.ws(alice).await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "the slot was never freed");
}

#[tokio::test]
async fn subscriptions_per_connection_are_limited() {
    let limits = WsLimits {
        max_subscriptions_per_connection: 2,
        ..WsLimits::default()
    };
    let app = start(limits, TrustedProxies::none()).await;
    let mut ws = app.ws(Uuid::new_v4()).await.unwrap();
    for id in ["1", "2", "3"] {
        ws.subscribe(id, "subscription { forever }", json!({}))
            .await;
    }
    let msg = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(msg["id"], "3", "{msg}");
    assert_eq!(msg["type"], "error", "{msg}");
    assert_eq!(msg["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(
        msg["payload"][0]["extensions"]["reason"],
        "TOO_MANY_SUBSCRIPTIONS"
    );
    // Ending one makes room.
    ws.complete("1").await;
    let done = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (&done["id"], &done["type"]),
        (&json!("1"), &json!("complete"))
    );
    ws.subscribe("4", "subscription { forever }", json!({}))
        .await;
    assert!(ws.next_event(Duration::from_millis(500)).await.is_none());
    assert!(ws.close_frame().is_none(), "still open");
}

#[tokio::test]
async fn a_connection_without_subscriptions_times_out() {
    let limits = WsLimits {
        idle_timeout: Duration::from_secs(1),
        ..WsLimits::default()
    };
    let app = start(limits, TrustedProxies::none()).await;
    // Nothing subscribed: closed.
    let mut idle = app.ws(Uuid::new_v4()).await.unwrap();
    let (code, reason) = closed_with(&mut idle, Duration::from_secs(10)).await;
    assert_eq!(code, CLOSE_IDLE_TIMEOUT, "{reason}");
    assert!(reason.starts_with("IDLE_TIMEOUT"), "{reason}");

    // A running subscription keeps it open past the idle timeout ...
    let mut busy = app.ws(Uuid::new_v4()).await.unwrap();
    busy.subscribe("s", "subscription { forever }", json!({}))
        .await;
    assert!(busy.next_event(Duration::from_secs(2)).await.is_none());
    assert!(
        busy.close_frame().is_none(),
        "closed while a subscription ran"
    );
    // ... and once it has completed, the clock starts again.
    busy.subscribe("o", "subscription { once }", json!({}))
        .await;
    busy.complete("s").await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let msg = busy.next_event(Duration::from_secs(5)).await.unwrap();
        seen.push(format!(
            "{} {}",
            msg["id"].as_str().unwrap(),
            msg["type"].as_str().unwrap()
        ));
    }
    seen.sort();
    assert_eq!(seen, ["o complete", "o next", "s complete"]);
    let (code, _) = closed_with(&mut busy, Duration::from_secs(10)).await;
    assert_eq!(code, CLOSE_IDLE_TIMEOUT);
}

#[tokio::test]
async fn every_connection_ends_at_its_maximum_lifetime() {
    let limits = WsLimits {
        max_lifetime: Duration::from_secs(1),
        ..WsLimits::default()
    };
    let app = start(limits, TrustedProxies::none()).await;
    let mut ws = app.ws(Uuid::new_v4()).await.unwrap();
    ws.subscribe("s", "subscription { forever }", json!({}))
        .await;
    let (code, reason) = closed_with(&mut ws, Duration::from_secs(10)).await;
    assert_eq!(code, CLOSE_MAX_LIFETIME, "{reason}");
    assert!(reason.starts_with("MAX_LIFETIME"), "{reason}");
}

#[tokio::test]
async fn binary_frames_are_refused_not_run_uncounted() {
    let limits = WsLimits {
        max_subscriptions_per_connection: 100,
        ..WsLimits::default()
    };
    let app = start(limits, TrustedProxies::none()).await;
    let mut ws = app.ws(Uuid::new_v4()).await.unwrap();
    // The attack: 130 subscribes as binary frames, past the limit of 100.
    for n in 0..130 {
        let subscribe = json!({
            "id": format!("b{n}"),
            "type": "subscribe",
            "payload": { "query": "subscription { once }" },
        });
        if ws.send_binary(&subscribe).await.is_err() {
            break; // closed under us: what we want
        }
    }
    let (code, reason) = closed_with(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(code, CLOSE_BAD_REQUEST, "{reason}");
    // Not one of them ran: no `next` came before the close.
    let mut ws = app.ws(Uuid::new_v4()).await.unwrap();
    ws.send_binary(
        &json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { once }"}}),
    )
    .await
    .unwrap();
    assert!(
        ws.next_event(Duration::from_secs(5)).await.is_none(),
        "a binary subscribe ran"
    );
    assert_eq!(
        ws.close_frame().map(|(code, _)| code),
        Some(CLOSE_BAD_REQUEST)
    );
}

#[tokio::test]
async fn batches_are_refused_unless_allowed() {
    let one = json!({ "query": "{ hello }" });
    let batch = |n: usize| serde_json::to_vec(&vec![one.clone(); n]).unwrap();

    // Default: no batching. The attack: 500 operations in one POST.
    let app = start(WsLimits::default(), TrustedProxies::none()).await;
    let gql = app.gql();
    let (status, resp) = gql.post_raw(batch(500), "application/json").await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("BATCH_NOT_ALLOWED"), "{resp}");
    let (status, resp) = gql.post_raw(batch(2), "application/json").await;
    assert_eq!(
        (status, reason(&resp)),
        (400, Some("BATCH_NOT_ALLOWED")),
        "{resp}"
    );
    // A single operation, bare or in a one-element array, runs.
    assert_no_errors(&gql.query("{ hello }", json!({})).await);
    let (status, resp) = gql.post_raw(batch(1), "application/json").await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp[0]["data"]["hello"], "hi", "{resp}");

    // MAX_BATCH_OPERATIONS=3: up to three run, four are refused whole.
    let app = start_with(WsLimits::default(), TrustedProxies::none(), 3).await;
    let gql = app.gql();
    let (status, resp) = gql.post_raw(batch(3), "application/json").await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp.as_array().map(Vec::len), Some(3), "{resp}");
    let (status, resp) = gql.post_raw(batch(4), "application/json").await;
    assert_eq!(
        (status, reason(&resp)),
        (400, Some("BATCH_NOT_ALLOWED")),
        "{resp}"
    );
    // The body limit still applies to a batch.
    let huge = serde_json::to_vec(&vec![
        json!({ "query": "{ hello }", "pad": "x".repeat(1024 * 1024) });
        3
    ])
    .unwrap();
    let (status, resp) = gql.post_raw(huge, "application/json").await;
    assert_eq!(status, 413, "{resp}");
}
