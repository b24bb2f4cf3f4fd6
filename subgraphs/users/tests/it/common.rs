//! A real auth service (HTTP + gRPC, and its outbox worker calling
//! CreateUser) and a real users service, each on free ports over a fresh
//! database of its own.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use grpc_api::ServiceChannel;
use grpc_api::users::v1::users_client::UsersClient;
use serde_json::{Value, json};
use testkit::events::Mode;
use testkit::{GraphqlClient, TestDatabase, TestEvents, WsClient};

pub const USERS_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/users");
pub const AUTH_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/auth");

/// Every field of `User`, for queries.
pub const USER_FIELDS: &str = "id nickname about avatarUrl createdAt relationship";

pub struct Stack {
    pub users: users::Running,
    /// The users GraphQL endpoint, without a token.
    pub gql: GraphqlClient,
    pub auth: auth::Running,
    /// The auth GraphQL endpoint, without a token.
    pub auth_gql: GraphqlClient,
    /// Auth's outbox worker, delivering CreateUser to `users`.
    pub auth_worker: auth::Running,
    // Dropped last: the databases outlive the services using them.
    pub users_db: TestDatabase,
    pub auth_db: TestDatabase,
    /// The `EVENTS` mode of every process of the stack (and its stream).
    pub events: TestEvents,
}

/// A registered user with a token, as seen through both services.
#[derive(Clone)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub token: String,
    /// Users GraphQL with this person's token.
    pub gql: GraphqlClient,
    /// Auth GraphQL with this person's token.
    pub auth_gql: GraphqlClient,
}

pub async fn auth_only(users_grpc_url: &str, worker: bool) -> (auth::Running, TestDatabase) {
    let db = TestDatabase::new(AUTH_MIGRATIONS).await;
    let running = auth::start(
        &auth_config(db.url(), users_grpc_url),
        auth::Parts {
            worker,
            ..auth::Parts::ALL
        },
    )
    .await
    .expect("auth starts");
    (running, db)
}

pub fn auth_config(database_url: &str, users_grpc_url: &str) -> auth::Config {
    let mut config = auth::Config::defaults();
    database_url.clone_into(&mut config.service.database_url);
    config.service.db_pool_size = 4;
    users_grpc_url.clone_into(&mut config.users_grpc_url);
    config.hash_concurrency = 2;
    config
}

pub fn users_config(database_url: &str, auth_grpc_url: &str) -> users::Config {
    let mut config = users::Config::defaults();
    database_url.clone_into(&mut config.service.database_url);
    config.service.db_pool_size = 8;
    auth_grpc_url.clone_into(&mut config.auth_grpc_url);
    // Short, so that tests see a signed-out subscription end quickly.
    config
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

impl Stack {
    pub async fn start() -> Stack {
        Self::start_with(|_| {}).await
    }

    /// The stack with every process in `events`' mode.
    pub async fn start_in(events: TestEvents) -> Stack {
        Self::start_full(events, |_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut users::Config)) -> Stack {
        Self::start_full(TestEvents::new(Mode::Outbox), adjust).await
    }

    /// Auth first (its gRPC address is needed by users), then users, then
    /// auth's outbox worker pointed at users' gRPC address.
    pub async fn start_full(events: TestEvents, adjust: impl FnOnce(&mut users::Config)) -> Stack {
        let (auth, auth_db) = auth_only("http://127.0.0.1:9", false).await;
        let users_db = TestDatabase::new(USERS_MIGRATIONS).await;
        let mut config = users_config(users_db.url(), &auth.grpc_url());
        events_settings(&mut config.service.outbox, &events);
        adjust(&mut config);
        let users = users::start(&config, users::Parts::ALL)
            .await
            .expect("users starts");
        let mut worker_config = auth_config(auth_db.url(), &users.grpc_url());
        events_settings(&mut worker_config.service.outbox, &events);
        let auth_worker = auth::start(&worker_config, auth::Parts::WORKER_ONLY)
            .await
            .expect("auth worker starts");
        Stack {
            gql: GraphqlClient::new(users.graphql_url()),
            auth_gql: GraphqlClient::new(auth.graphql_url()),
            users,
            auth,
            auth_worker,
            users_db,
            auth_db,
            events,
        }
    }

    /// A second users process on the same database (and the same events).
    pub async fn users_replica(&self) -> users::Running {
        let mut config = users_config(self.users_db.url(), &self.auth.grpc_url());
        events_settings(&mut config.service.outbox, &self.events);
        users::start(&config, users::Parts::ALL)
            .await
            .expect("users replica starts")
    }

    /// Registers in auth and waits until users has created the user.
    pub async fn signup(&self, email: &str) -> Person {
        let person = register(&self.auth_gql, &self.gql, email).await;
        wait_for_me(&person).await;
        person
    }

    pub async fn grpc(&self) -> UsersClient<ServiceChannel> {
        grpc_client(&self.users.grpc_url()).await
    }

    /// A subscriber connection for `person`.
    pub async fn ws(&self, person: &Person) -> WsClient {
        ws_connect(&self.users.ws_url(), &person.token).await
    }

    /// A direct connection to the users database, to check what was written.
    pub async fn sql(&self) -> tokio_postgres::Client {
        testkit::connect_pg(self.users_db.url()).await
    }

    /// Waits (up to 10 s) until users' outbox is empty: every notification
    /// enqueued so far is in the feed (`EVENTS=outbox`) or in JetStream.
    pub async fn outbox_drained(&self) {
        let sql = self.sql().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let pending: i64 = sql
                .query_one("SELECT count(*) FROM outbox", &[])
                .await
                .expect("count outbox")
                .get(0);
            if pending == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{pending} events stuck in the outbox"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A users client that proves itself as our services do (the credential
/// `Config::defaults()` gives every service of this test process).
pub async fn grpc_client(url: &str) -> UsersClient<ServiceChannel> {
    let channel = grpc_api::channel::connect(url, &grpc_api::ServiceToken::ephemeral())
        .await
        .expect("users gRPC connects");
    UsersClient::new(channel)
}

pub async fn ws_connect(url: &str, token: &str) -> WsClient {
    WsClient::connect(url, json!({ "Authorization": format!("Bearer {token}") }))
        .await
        .expect("WebSocket connects")
}

/// Registers through auth's GraphQL; the users side may not exist yet.
pub async fn register(auth_gql: &GraphqlClient, users_gql: &GraphqlClient, email: &str) -> Person {
    let resp = auth_gql
        .query(
            "mutation($email: String!) {
               register(input: {email: $email, password: \"password-1\"}) {
                 auth { accessToken userId }
               }
             }",
            json!({ "email": email }),
        )
        .await;
    testkit::assert_no_errors(&resp);
    let auth = &resp["data"]["register"]["auth"];
    let token = auth["accessToken"].as_str().unwrap().to_owned();
    Person {
        id: auth["userId"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        gql: users_gql.with_token(&token),
        auth_gql: auth_gql.with_token(&token),
        token,
    }
}

/// Waits (up to 10 s) until `me` answers for `person`; returns it.
pub async fn wait_for_me(person: &Person) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let resp = person
            .gql
            .query(&format!("{{ me {{ {USER_FIELDS} }} }}"), json!({}))
            .await;
        if resp["errors"].is_null() {
            return resp["data"]["me"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared in users: {resp}",
            person.email
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

impl Person {
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        self.gql.query(query, variables).await
    }

    /// `me`, asserting success.
    pub async fn me(&self) -> Value {
        let resp = self
            .query(&format!("{{ me {{ {USER_FIELDS} }} }}"), json!({}))
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"]["me"].clone()
    }

    /// Runs a friendship mutation (`sendFriendRequest`, …) on `user_id`;
    /// returns the whole response.
    pub async fn act(&self, mutation: &str, user_id: &str) -> Value {
        self.query(
            &format!("mutation($id: ID!) {{ {mutation}(userId: $id) {{ id relationship }} }}"),
            json!({ "id": user_id }),
        )
        .await
    }

    /// Like [`act`](Self::act), asserting success; returns the new relationship.
    pub async fn act_ok(&self, mutation: &str, user_id: &str) -> String {
        let resp = self.act(mutation, user_id).await;
        testkit::assert_no_errors(&resp);
        assert_eq!(resp["data"][mutation]["id"], user_id);
        resp["data"][mutation]["relationship"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// How `user_id` stands to this person.
    pub async fn relationship(&self, user_id: &str) -> String {
        let resp = self
            .query(
                "query($id: ID!) { user(id: $id) { relationship } }",
                json!({ "id": user_id }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"]["user"]["relationship"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// All of one list (`friends`, `incomingFriendRequests`,
    /// `outgoingFriendRequests`), as user ids, following the cursors.
    pub async fn list_all(&self, list: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = self.page(list, 2, &after).await;
            for edge in page["edges"].as_array().unwrap() {
                ids.push(edge["node"]["id"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                return ids;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    }

    /// One page of a list, asserting success.
    pub async fn page(&self, list: &str, first: i32, after: &Value) -> Value {
        let resp = self
            .query(
                &format!(
                    "query($first: Int, $after: String) {{ {list}(first: $first, after: $after) {{
                       edges {{ cursor node {{ id nickname relationship }} }}
                       pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                     }} }}"
                ),
                json!({ "first": first, "after": after }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"][list].clone()
    }

    /// Signs this session out in auth.
    pub async fn logout(&self) {
        let resp = self.auth_gql.query("mutation { logout }", json!({})).await;
        testkit::assert_no_errors(&resp);
    }
}

/// The error code of a WebSocket `next`/`error` message, if it carries one.
pub fn ws_error_code(msg: &Value) -> Option<String> {
    testkit::ws_error(msg).0
}

pub const FRIEND_EVENTS: &str = "subscription($after: String) {
  friendEvents(after: $after) { cursor kind at user { id nickname relationship } }
}";

/// The next `friendEvents` payload on `ws` (within 5 s), asserting it is one.
pub async fn next_friend_event(ws: &mut WsClient) -> Value {
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("a friend event within 5 s");
    assert_eq!(msg["type"], "next", "{msg}");
    assert!(msg["payload"]["errors"].is_null(), "{msg}");
    msg["payload"]["data"]["friendEvents"].clone()
}
