//! A whole session of use — register, sign in (and fail to), refresh (and
//! reuse), message, subscribe, befriend, change the password, sign out —
//! through real auth, users and messaging, with every log line of the
//! process captured at TRACE: no password, access token or refresh token
//! may appear in it, in the clear or hex-encoded.
//!
//! One test in this file: the log subscriber is process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

#[path = "it/common.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use common::{Chat as _, PASSWORD, next_events, spawn};
use serde_json::{Value, json};
use testkit::{GraphqlClient, assert_no_errors};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

const LOGIN: &str = "mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken refreshToken }
}";
const REFRESH: &str = "mutation($t: String!) {
  refresh(refreshToken: $t) { accessToken refreshToken }
}";

fn tokens(resp: &Value, field: &str) -> (String, String) {
    assert_no_errors(resp);
    let payload = &resp["data"][field];
    (
        payload["accessToken"].as_str().unwrap().to_owned(),
        payload["refreshToken"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_full_session_leaves_no_secret_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    assert!(
        service_runtime::telemetry::init_with("trace", false, move || writer.clone()),
        "the capturing subscriber must be the first"
    );

    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.register("alice"), t.register("bob"));
    t.run_pending().await;
    let mut secrets = vec![
        PASSWORD.to_owned(),
        alice.access_token.clone(),
        bob.access_token.clone(),
    ];

    // Sign in, fail to, refresh, and present a spent refresh token again.
    let resp = t
        .auth_gql()
        .query(LOGIN, json!({"email": alice.email, "password": PASSWORD}))
        .await;
    let (access, refresh) = tokens(&resp, "login");
    let wrong = "not-the-password-at-all";
    t.auth_gql()
        .query(LOGIN, json!({"email": alice.email, "password": wrong}))
        .await;
    let resp = t.auth_gql().query(REFRESH, json!({"t": refresh})).await;
    let (access2, refresh2) = tokens(&resp, "refresh");
    t.auth_gql().query(REFRESH, json!({"t": refresh})).await;
    secrets.extend([wrong.to_owned(), access, refresh, access2, refresh2]);

    // Messages, live, over a subscription authenticated in connection_init.
    let ws_url = t.messaging().ws_url();
    let mut bob_ws = bob.ws(&ws_url).await;
    bob.subscribe_from_now(&mut bob_ws, "b").await;
    alice.send(&bob, "hello").await;
    t.run_pending().await;
    next_events(&mut bob_ws, "b", 1).await;

    // Users, over its own gRPC token check.
    let users = GraphqlClient::new(t.users().graphql_url()).with_token(&alice.access_token);
    let resp = users
        .query(
            "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
            json!({"id": bob.id}),
        )
        .await;
    assert_no_errors(&resp);

    // A new password, a sign-in with it, and sign-out.
    let new_password = "a brand new passphrase";
    let me = t.auth_gql().with_token(&alice.access_token);
    let resp = me
        .query(
            "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { sessionsEnded } }",
            json!({"c": PASSWORD, "n": new_password}),
        )
        .await;
    assert_no_errors(&resp);
    let resp = t
        .auth_gql()
        .query(
            LOGIN,
            json!({"email": alice.email, "password": new_password}),
        )
        .await;
    let (access3, refresh3) = tokens(&resp, "login");
    assert_no_errors(
        &me.query("mutation { logout { sessionId } }", json!({}))
            .await,
    );
    secrets.extend([new_password.to_owned(), access3, refresh3]);
    bob_ws.close().await;
    // Let late log lines (closing connections) arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let log = captured.text();
    assert!(
        log.contains("TRACE") && log.lines().count() > 100,
        "the log was not captured at TRACE: {} lines",
        log.lines().count()
    );
    let lowercase = log.to_lowercase();
    for secret in &secrets {
        let hex = hex_of(secret);
        assert!(
            !log.contains(secret.as_str()) && !lowercase.contains(&hex),
            "a secret ({}…) is in the log:\n{}",
            &secret[..6],
            log.lines()
                .filter(|line| line.contains(secret.as_str()) || line.to_lowercase().contains(&hex))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn hex_of(secret: &str) -> String {
    use std::fmt::Write as _;
    secret.bytes().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
