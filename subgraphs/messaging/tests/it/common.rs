//! The whole messaging stack for one test: real auth (with its outbox
//! worker, which creates users in users), real users, real messaging, each
//! on free ports over its own fresh database.

#![allow(dead_code)]

use std::time::Duration;

use grpc_api::users::v1::GetUsersRequest;
use grpc_api::users::v1::users_client::UsersClient;
use serde_json::{Value, json};
use testkit::events::Mode;
use testkit::{GraphqlClient, TestDatabase, TestEvents, WsClient, assert_no_errors};

pub const AUTH_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/auth");
pub const USERS_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/users");
pub const MESSAGING_MIGRATIONS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/messaging");

pub struct Stack {
    pub messaging: messaging::Running,
    pub users: users::Running,
    pub auth: auth::Running,
    auth_worker: auth::Running,
    /// Messaging GraphQL, anonymous; see [`TestUser::gql`].
    pub gql: GraphqlClient,
    pub auth_gql: GraphqlClient,
    pub messaging_db: TestDatabase,
    // Dropped last: the databases outlive the services using them.
    users_db: TestDatabase,
    pub auth_db: TestDatabase,
    /// The `EVENTS` mode of every process of the stack (and its stream).
    pub events: TestEvents,
}

/// A registered user, known to users, with a session.
#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub access_token: String,
    /// Messaging GraphQL as this user.
    pub gql: GraphqlClient,
}

pub async fn spawn() -> Stack {
    spawn_with(|_| {}).await
}

/// The stack with every process in `events`' mode.
pub async fn spawn_in(events: TestEvents) -> Stack {
    spawn_full(events, |_| {}).await
}

/// `EVENTS`, `NATS_URL` and `NATS_STREAM` as `events` says.
pub fn events_settings(settings: &mut outbox::Settings, events: &TestEvents) {
    settings.events = match events.mode {
        Mode::Outbox => outbox::Events::Outbox,
        Mode::Broker => outbox::Events::Broker,
    };
    events.nats_url.clone_into(&mut settings.nats_url);
    events.stream.clone_into(&mut settings.nats_stream);
}

/// The stack with messaging's config adjusted (auth and users URLs are set
/// before `adjust` runs).
pub async fn spawn_with(adjust: impl FnOnce(&mut messaging::Config)) -> Stack {
    spawn_full(TestEvents::new(Mode::Outbox), adjust).await
}

pub async fn spawn_full(events: TestEvents, adjust: impl FnOnce(&mut messaging::Config)) -> Stack {
    spawn_inner(events, |_| {}, adjust, messaging::Parts::ALL).await
}

/// The stack with auth's config adjusted (token lifetimes, say).
pub async fn spawn_with_auth(adjust_auth: impl FnOnce(&mut auth::Config)) -> Stack {
    spawn_inner(
        TestEvents::new(Mode::Outbox),
        adjust_auth,
        |_| {},
        messaging::Parts::ALL,
    )
    .await
}

/// The stack without messaging's outbox worker: the events `sendMessage`
/// queues stay in messaging's outbox, for a test to read.
pub async fn spawn_without_messaging_worker() -> Stack {
    let parts = messaging::Parts {
        worker: false,
        ..messaging::Parts::ALL
    };
    spawn_inner(TestEvents::new(Mode::Outbox), |_| {}, |_| {}, parts).await
}

async fn spawn_inner(
    events: TestEvents,
    adjust_auth: impl FnOnce(&mut auth::Config),
    adjust: impl FnOnce(&mut messaging::Config),
    messaging_parts: messaging::Parts,
) -> Stack {
    let (auth_db, users_db, messaging_db) = tokio::join!(
        TestDatabase::new(AUTH_MIGRATIONS),
        TestDatabase::new(USERS_MIGRATIONS),
        TestDatabase::new(MESSAGING_MIGRATIONS),
    );

    // Users validates tokens with auth, and auth's outbox worker creates
    // users in users: start auth's servers, then users, then auth's worker
    // (a second auth process on the same database) pointed at users.
    let mut auth_config = auth::Config::defaults();
    auth_config.service.database_url = auth_db.url().to_owned();
    auth_config.service.db_pool_size = 4;
    auth_config.hash_concurrency = 2;
    auth_config.service.outbox.outbox_poll_interval_ms = 200;
    events_settings(&mut auth_config.service.outbox, &events);
    adjust_auth(&mut auth_config);
    let auth = auth::start(
        &auth_config,
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await
    .expect("auth starts");

    let mut users_config = users::Config::defaults();
    users_config.service.database_url = users_db.url().to_owned();
    users_config.service.db_pool_size = 4;
    users_config.auth_grpc_url = auth.grpc_url();
    events_settings(&mut users_config.service.outbox, &events);
    let users = users::start(&users_config, users::Parts::ALL)
        .await
        .expect("users starts");

    auth_config.users_grpc_url = users.grpc_url();
    let auth_worker = auth::start(&auth_config, auth::Parts::WORKER_ONLY)
        .await
        .expect("auth worker starts");

    let mut config = messaging_config(&messaging_db, &auth.grpc_url(), &users.grpc_url());
    events_settings(&mut config.service.outbox, &events);
    adjust(&mut config);
    let messaging = messaging::start(&config, messaging_parts)
        .await
        .expect("messaging starts");
    let gql = GraphqlClient::new(messaging.graphql_url());
    let auth_gql = GraphqlClient::new(auth.graphql_url());
    Stack {
        messaging,
        users,
        auth,
        auth_worker,
        gql,
        auth_gql,
        messaging_db,
        users_db,
        auth_db,
        events,
    }
}

pub fn messaging_config(db: &TestDatabase, auth_url: &str, users_url: &str) -> messaging::Config {
    let mut config = messaging::Config::defaults();
    config.service.database_url = db.url().to_owned();
    config.service.db_pool_size = 8;
    config.auth_grpc_url = auth_url.to_owned();
    config.users_grpc_url = users_url.to_owned();
    config.service.outbox.outbox_poll_interval_ms = 200;
    config
}

const REGISTER: &str = "mutation($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) { auth { accessToken userId } }
}";

const LOGIN: &str = "mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken }
}";

pub const PASSWORD: &str = "correct horse battery";

impl Stack {
    /// Registers `name@example.com` and waits until users knows the user.
    pub async fn user(&self, name: &str) -> TestUser {
        let email = format!("{name}@example.com");
        let resp = self
            .auth_gql
            .query(REGISTER, json!({"email": email, "password": PASSWORD}))
            .await;
        assert_no_errors(&resp);
        let auth = &resp["data"]["register"]["auth"];
        let id = auth["userId"].as_str().unwrap().to_owned();
        let access_token = auth["accessToken"].as_str().unwrap().to_owned();
        self.wait_until_known(&id).await;
        TestUser {
            gql: self.gql.with_token(&access_token),
            id,
            email,
            access_token,
        }
    }

    /// The same user signed in again: another device, another session.
    pub async fn another_device(&self, user: &TestUser) -> TestUser {
        let resp = self
            .auth_gql
            .query(LOGIN, json!({"email": user.email, "password": PASSWORD}))
            .await;
        assert_no_errors(&resp);
        let access_token = resp["data"]["login"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        TestUser {
            gql: self.gql.with_token(&access_token),
            access_token,
            ..user.clone()
        }
    }

    /// Auth creates the user in users through its outbox: wait for it.
    async fn wait_until_known(&self, id: &str) {
        let channel = grpc_api::channel::connect(
            &self.users.grpc_url(),
            &grpc_api::ServiceToken::ephemeral(),
        )
        .await
        .unwrap();
        let mut client = UsersClient::new(channel);
        for _ in 0..100 {
            let found = client
                .get_users(GetUsersRequest {
                    ids: vec![id.to_owned()],
                })
                .await
                .unwrap()
                .into_inner()
                .users;
            if !found.is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("users never learned about {id}");
    }

    /// A second messaging process on the same database.
    pub async fn second_messaging(&self) -> messaging::Running {
        let mut config = messaging_config(
            &self.messaging_db,
            &self.auth.grpc_url(),
            &self.users.grpc_url(),
        );
        events_settings(&mut config.service.outbox, &self.events);
        messaging::start(&config, messaging::Parts::ALL)
            .await
            .expect("second messaging starts")
    }

    /// Waits (up to 10 s) until messaging's outbox is empty: every message
    /// notification enqueued so far is in the feeds (`EVENTS=outbox`) or in
    /// JetStream.
    pub async fn outbox_drained(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let pending = self.count("outbox").await;
            if pending == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{pending} events stuck in the outbox"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Rows in a messaging table (to check that nothing was written).
    pub async fn count(&self, table: &str) -> i64 {
        let client = testkit::connect_pg(self.messaging_db.url()).await;
        let row = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap();
        row.get(0)
    }
}

pub const SEND: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) {
    id conversationId sender { id } recipient { id } text sentAt
  }
}";

pub const CONVERSATIONS: &str = "query($first: Int, $after: String) {
  conversations(first: $first, after: $after) {
    edges { cursor node { id peer { id } unreadCount lastMessage { id text sender { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}";

pub const CONVERSATION: &str = "query($id: ID!) {
  conversation(id: $id) { id peer { id } unreadCount lastMessage { id } }
}";

pub const MESSAGES: &str = "query($with: ID!, $first: Int, $before: String) {
  messages(with: $with, first: $first, before: $before) {
    edges { cursor node { id conversationId text sender { id } recipient { id } sentAt } }
    pageInfo { hasNextPage endCursor }
  }
}";

pub const MARK_READ: &str = "mutation($c: ID!, $m: ID!) {
  markRead(conversationId: $c, upTo: $m) { id unreadCount peer { id } lastMessage { id } }
}";

pub const EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) {
    cursor kind message { id conversationId text sender { id } recipient { id } }
  }
}";

impl TestUser {
    /// Sends and returns `sendMessage` (panics on errors).
    pub async fn send(&self, to: &TestUser, text: &str) -> Value {
        self.send_with_id(to, text, &uuid::Uuid::new_v4().to_string())
            .await
    }

    pub async fn send_with_id(&self, to: &TestUser, text: &str, cid: &str) -> Value {
        let resp = self
            .gql
            .query(SEND, json!({"to": to.id, "text": text, "cid": cid}))
            .await;
        assert_no_errors(&resp);
        resp["data"]["sendMessage"].clone()
    }

    /// All of the caller's conversations (one page of 100).
    pub async fn conversations(&self) -> Vec<Value> {
        let resp = self.gql.query(CONVERSATIONS, json!({"first": 100})).await;
        assert_no_errors(&resp);
        nodes(&resp["data"]["conversations"])
    }

    /// The whole history with `peer`, newest first, paged by `page`.
    pub async fn history(&self, peer: &TestUser, page: i64) -> Vec<Value> {
        let mut all = Vec::new();
        let mut before = Value::Null;
        loop {
            let resp = self
                .gql
                .query(
                    MESSAGES,
                    json!({"with": peer.id, "first": page, "before": before}),
                )
                .await;
            assert_no_errors(&resp);
            let connection = &resp["data"]["messages"];
            all.extend(nodes(connection));
            if connection["pageInfo"]["hasNextPage"] != true {
                return all;
            }
            before = connection["pageInfo"]["endCursor"].clone();
        }
    }

    pub async fn mark_read(&self, conversation: &Value, up_to: &Value) -> Value {
        let resp = self
            .gql
            .query(MARK_READ, json!({"c": conversation, "m": up_to}))
            .await;
        assert_no_errors(&resp);
        resp["data"]["markRead"].clone()
    }

    /// The cursor of this user's feed as it stands now.
    pub async fn events_cursor(&self) -> Value {
        let resp = self.gql.query("{ messageEventsCursor }", json!({})).await;
        assert_no_errors(&resp);
        resp["data"]["messageEventsCursor"].clone()
    }

    /// Subscribes `id` to `messageEvents` from now on, without a race with
    /// messages sent right after this returns.
    pub async fn subscribe_from_now(&self, ws: &mut WsClient, id: &str) {
        let after = self.events_cursor().await;
        ws.subscribe(id, EVENTS, json!({ "after": after })).await;
    }

    /// A subscription connection authenticated as this user.
    pub async fn ws(&self, ws_url: &str) -> WsClient {
        WsClient::connect(
            ws_url,
            json!({"Authorization": format!("Bearer {}", self.access_token)}),
        )
        .await
        .unwrap()
    }
}

/// `edges[].node` of a connection.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {connection}"))
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// Reads `n` subscription events of subscription `id` (panics on anything else).
pub async fn next_events(ws: &mut WsClient, id: &str, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let msg = ws
            .next_event(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("only {} of {n} events arrived: {out:?}", out.len()));
        assert_eq!(msg["id"], id, "{msg}");
        assert_eq!(msg["type"], "next", "{msg}");
        assert!(msg["payload"]["errors"].is_null(), "{msg}");
        out.push(msg["payload"]["data"]["messageEvents"].clone());
    }
    out
}

/// The error code a subscription was refused with: from a `next` carrying
/// only errors (resolver errors), or from an `error` message (validation).
pub fn refusal_code(msg: &Value) -> Option<String> {
    if msg["type"] == "next" && !msg["payload"]["data"].is_null() {
        return None;
    }
    testkit::ws_error(msg).0
}
