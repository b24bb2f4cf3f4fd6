//! Messaging's own limits: messages per user per period (edits, deletions
//! and reactions counted with them), query aliases, subscription
//! connections per user.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::Duration;

use crate::changes::{delete, edit};
use crate::common::{Chat as _, MessagingDb as _, SEND, ok, refused, spawn_with};
use serde_json::{Value, json};
use testkit::{WsClient, assert_no_errors, error_code};

#[tokio::test]
async fn messages_per_user_are_limited_but_retries_are_free() {
    let t = spawn_with(|c| {
        c.message_rate = ratelimit::Rate::new(3, Duration::from_secs(3));
    })
    .await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    for i in 0..3 {
        alice
            .send_with_id(&bob, &format!("m{i}"), &format!("c{i}"))
            .await;
    }
    let resp = alice
        .gql
        .query(
            SEND,
            json!({"to": bob.id, "text": "one too many", "cid": "c3"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = resp
        .pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap();
    assert!((1..=2).contains(&wait), "{resp}");
    // A retry of a sent message returns it, limit or not.
    let again = alice.send_with_id(&bob, "m0", "c0").await;
    assert_eq!(again["text"], "m0");
    // Bob is not limited by Alice's sending.
    bob.send(&alice, "hi").await;
    assert_eq!(t.count("messages").await, 4);

    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    alice.send_with_id(&bob, "finally", "c3").await;
}

const REACT: &str = "mutation($m: ID!, $e: String!) {
  addReaction(input: {messageId: $m, emoji: $e}) { message { id } }
}";

#[tokio::test]
async fn edits_deletions_and_reactions_count_with_messages() {
    let t = spawn_with(|c| {
        c.message_rate = ratelimit::Rate::new(3, Duration::from_secs(3));
    })
    .await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let m = alice.send(&bob, "one").await["id"].clone();
    ok(&alice, &edit(), json!({"m": m, "text": "two"})).await;
    ok(&alice, REACT, json!({"m": m, "e": "👍"})).await;
    let outbox = t.count("outbox").await;

    // The fourth change of the period is refused and changes nothing…
    let (code, ext) = refused(&alice, &delete(), json!({"m": m})).await;
    assert_eq!(code, "RATE_LIMITED");
    let wait = ext["retryAfter"].as_u64().unwrap();
    assert!((1..=3).contains(&wait), "{ext}");
    for (query, vars) in [
        (edit(), json!({"m": m, "text": "three"})),
        (REACT.to_owned(), json!({"m": m, "e": "🎉"})),
    ] {
        assert_eq!(refused(&alice, &query, vars).await.0, "RATE_LIMITED");
    }
    assert_eq!(t.count("outbox").await, outbox);
    assert_eq!(t.count("message_reactions").await, 1);
    let seen = alice.history(&bob, 10).await;
    assert_eq!(seen[0]["text"], "two");
    // …while changes that change nothing are free, and Bob has his own
    // allowance.
    ok(&alice, &edit(), json!({"m": m, "text": "two"})).await;
    ok(&alice, REACT, json!({"m": m, "e": "👍"})).await;
    ok(&bob, REACT, json!({"m": m, "e": "👍"})).await;

    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    let gone = ok(&alice, &delete(), json!({"m": m})).await;
    assert!(gone["deleteMessage"]["message"]["deletedAt"].is_string());
}

#[tokio::test]
async fn aliases_and_connections_per_user_are_limited() {
    let t = spawn_with(|c| {
        c.service.http.max_query_aliases = 2;
        c.service.http.ws_max_connections_per_user = 1;
    })
    .await;
    let alice = t.seed_user("alice").await;
    assert_no_errors(
        &alice
            .gql
            .query(
                "{ a: messageEventsCursor b: messageEventsCursor }",
                json!({}),
            )
            .await,
    );
    let resp = alice
        .gql
        .query(
            "{ a: messageEventsCursor b: messageEventsCursor c: messageEventsCursor }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"], "MAX_ALIASES_EXCEEDED",
        "{resp}"
    );

    let ws_url = t.messaging().ws_url();
    let _open = alice.ws(&ws_url).await;
    let refused = WsClient::connect(
        &ws_url,
        json!({"Authorization": format!("Bearer {}", alice.access_token)}),
    )
    .await
    .unwrap_err();
    assert!(
        refused.starts_with("4429: TOO_MANY_CONNECTIONS"),
        "{refused}"
    );
}
