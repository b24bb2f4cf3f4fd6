//! Auth stopped: messaging refuses reads and writes with `UNAVAILABLE`
//! (never lets one through, never calls the caller signed out), writes
//! nothing, and serves again on its own once auth is back on its address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::{Duration, Instant};

use crate::common::Chat as _;
use serde_json::json;
use stack::Service;
use testkit::{FaultFigures, error_code};

#[tokio::test]
async fn auth_stopped_refuses_with_unavailable_and_recovers() {
    let mut stack = crate::common::spawn().await;
    let alice = stack.seed_user("alice").await;
    let bob = stack.seed_user("bob").await;
    alice.send(&bob, "before").await;
    // Stop auth.
    stack.stop(Service::Auth).await;
    let send = alice
        .gql
        .query(
            crate::common::SEND,
            json!({"to": bob.id, "text": "while auth was down", "cid": "down-1"}),
        )
        .await;
    assert_eq!(error_code(&send).as_deref(), Some("UNAVAILABLE"), "{send}");
    let read = alice
        .gql
        .query(crate::common::CONVERSATIONS, json!({"first": 10}))
        .await;
    assert_eq!(error_code(&read).as_deref(), Some("UNAVAILABLE"), "{read}");
    let mut refused = 2_u64;

    // Back on the same addresses, over the same database.
    let restarted = Instant::now();
    stack.restart(Service::Auth).await;
    let recovery = loop {
        let resp = alice
            .gql
            .query(crate::common::CONVERSATIONS, json!({"first": 10}))
            .await;
        if resp["errors"].is_null() {
            // The refused send did not happen.
            let last = &resp["data"]["conversations"]["edges"][0]["node"]["lastMessage"]["text"];
            assert_eq!(last, "before", "{resp}");
            break restarted.elapsed();
        }
        assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
        refused += 1;
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "no recovery: {resp}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let messages: i64 = testkit::connect_pg(stack.messaging_db().url())
        .await
        .query_one("SELECT count(*) FROM messages", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(messages, 1, "nothing written meanwhile");
    FaultFigures {
        test: "auth_stopped/messaging".to_owned(),
        sent: refused,
        received: refused,
        recovery,
        note: format!(
            "{refused} requests refused with UNAVAILABLE while auth was down, none let through"
        ),
        ..FaultFigures::default()
    }
    .report();
}
