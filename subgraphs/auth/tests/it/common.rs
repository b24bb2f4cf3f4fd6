//! Starts a real auth service (HTTP + gRPC) on free ports over a fresh database.

#![allow(dead_code)]

use auth::{Config, Parts, Running};
use serde_json::{Value, json};
use testkit::{GraphqlClient, TestDatabase};

pub mod oauth_app;
pub mod oidc;
pub mod oidc_provider;
pub mod recording_users;
pub mod smtp;

pub const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/auth");

pub struct TestAuth {
    pub running: Running,
    pub gql: GraphqlClient,
    // Dropped last: the database outlives the service using it.
    pub db: TestDatabase,
}

pub async fn spawn() -> TestAuth {
    spawn_with(
        |_| {},
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config), parts: Parts) -> TestAuth {
    let db = TestDatabase::new(MIGRATIONS).await;
    let mut config = Config::defaults();
    config.service.database_url = db.url().to_owned();
    config.service.db_pool_size = 4;
    // Nothing listens there unless a test says otherwise.
    config.users_grpc_url = "http://127.0.0.1:9".to_owned();
    config.hash_concurrency = 2;
    adjust(&mut config);
    let running = auth::start(&config, parts).await.expect("auth starts");
    let gql = GraphqlClient::new(running.graphql_url());
    TestAuth { running, gql, db }
}

pub const REGISTER: &str = "mutation($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) {
    email emailVerificationRequired userId
    auth { accessToken refreshToken expiresAt refreshExpiresAt userId sessionId }
  }
}";

pub const LOGIN: &str = "mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken refreshToken expiresAt refreshExpiresAt userId sessionId
  }
}";

pub const REFRESH: &str = "mutation($t: String!) {
  refresh(refreshToken: $t) { accessToken refreshToken expiresAt userId sessionId }
}";

/// Registers and returns `register.auth`.
pub async fn register(gql: &GraphqlClient, email: &str, password: &str) -> Value {
    let resp = gql
        .query(REGISTER, json!({"email": email, "password": password}))
        .await;
    testkit::assert_no_errors(&resp);
    resp["data"]["register"]["auth"].clone()
}

pub async fn login(gql: &GraphqlClient, email: &str, password: &str) -> Value {
    let resp = gql
        .query(LOGIN, json!({"email": email, "password": password}))
        .await;
    testkit::assert_no_errors(&resp);
    resp["data"]["login"].clone()
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {value}"))
}
