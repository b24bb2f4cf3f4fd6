//! Users' own limits: friend requests per user (shared by replicas), query
//! aliases and depth, subscription connections per user.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::Duration;

use crate::common::{PersonExt as _, start_with};
use serde_json::{Value, json};
use testkit::{WsClient, assert_no_errors, error_code};

fn reason(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/reason")
        .and_then(Value::as_str)
}

#[tokio::test]
async fn friend_requests_per_user_are_limited_on_every_replica() {
    let s = start_with(|c| {
        c.friend_request_rate = ratelimit::Rate::new(2, Duration::from_secs(3));
    })
    .await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let carol = s.seed_user("carol@example.com").await;
    let dave = s.seed_user("dave@example.com").await;
    alice.act_ok("sendFriendRequest", &bob.id).await;
    alice.act_ok("sendFriendRequest", &carol.id).await;
    let resp = alice.act("sendFriendRequest", &dave.id).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = resp
        .pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap();
    assert!((1..=2).contains(&wait), "{resp}");
    // A second replica shares the count (the state is in the database).
    let mut config = s.users_config();
    config.friend_request_rate = ratelimit::Rate::new(2, Duration::from_secs(3));
    let replica = users::start(&config, users::Parts::ALL).await.unwrap();
    let via_replica =
        testkit::GraphqlClient::new(replica.graphql_url()).with_token(&alice.access_token);
    let resp = via_replica
        .query(
            "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
            json!({"id": dave.id}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    // Others are not affected; nothing was written for the refused request.
    bob.act_ok("sendFriendRequest", &dave.id).await;
    assert_eq!(dave.relationship(&alice.id).await, "NONE");

    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    alice.act_ok("sendFriendRequest", &dave.id).await;
    replica.stop().await;
}

#[tokio::test]
async fn aliases_and_depth_are_limited() {
    let s = start_with(|c| c.service.http.max_query_aliases = 5).await;
    let alice = s.seed_user("alice@example.com").await;
    let five = (0..5)
        .map(|i| format!("a{i}: me {{ id }}"))
        .collect::<Vec<_>>();
    assert_no_errors(
        &alice
            .query(&format!("{{ {} }}", five.join(" ")), json!({}))
            .await,
    );
    let six = (0..6)
        .map(|i| format!("a{i}: me {{ id }}"))
        .collect::<Vec<_>>();
    let resp = alice
        .query(&format!("{{ {} }}", six.join(" ")), json!({}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("MAX_ALIASES_EXCEEDED"), "{resp}");

    // Deeper than the default 12 levels.
    let deep = (0..13).fold("id".to_owned(), |inner, i| format!("f{i} {{ {inner} }}"));
    let resp = alice.query(&format!("{{ {deep} }}"), json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert!(
        resp["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["extensions"]["reason"] == "MAX_DEPTH_EXCEEDED"),
        "{resp}"
    );
}

#[tokio::test]
async fn subscription_connections_per_user_are_limited() {
    let s = start_with(|c| c.service.http.ws_max_connections_per_user = 1).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let _first = s.ws(&alice).await;
    let refused = WsClient::connect(
        &s.users().ws_url(),
        json!({ "Authorization": format!("Bearer {}", alice.access_token) }),
    )
    .await
    .unwrap_err();
    assert!(
        refused.starts_with("4429: TOO_MANY_CONNECTIONS"),
        "{refused}"
    );
    let _bob = s.ws(&bob).await;
}
