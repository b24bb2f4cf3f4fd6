//! `friendEvents` over real WebSockets: live delivery, replay after a
//! reconnect without loss or duplicates, two processes on one database,
//! and the end of a signed-out session. The notifications are outbox
//! events: the tests about their delivery run in both `EVENTS` modes
//! (`<test>::outbox`, `<test>::broker`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::{
    FRIEND_EVENTS, PersonExt as _, next_friend_event, start, start_live, ws_error_code,
};
use serde_json::{Value, json};
use testkit::{TestEvents, WsClient};

const SEND: &str = "sendFriendRequest";
const CANCEL: &str = "cancelFriendRequest";
const ACCEPT: &str = "acceptFriendRequest";

/// Nothing more arrives within a short while.
async fn assert_quiet(ws: &mut WsClient) {
    if let Some(msg) = ws.next_event(Duration::from_millis(300)).await {
        panic!("unexpected message: {msg}");
    }
}

async fn events_arrive_live(events: TestEvents) {
    let s = start_live(events).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    bob.set_nickname("bob").await;
    let mut alice_ws = s.ws(&alice).await;
    let mut bob_ws = s.ws(&bob).await;
    alice_ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
    bob_ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
    // Subscriptions start asynchronously; give them a moment to register.
    tokio::time::sleep(Duration::from_millis(200)).await;

    bob.act_ok(SEND, &alice.id).await;
    let received = next_friend_event(&mut alice_ws).await;
    assert_eq!(received["kind"], "REQUEST_RECEIVED");
    assert_eq!(received["user"]["id"], bob.id.as_str());
    assert_eq!(received["user"]["nickname"], "bob");
    assert_eq!(received["user"]["relationship"], "REQUEST_RECEIVED");
    assert!(received["at"].as_str().unwrap().contains('T'));
    // The sender's own sessions hear of it too (issue 19).
    let sent = next_friend_event(&mut bob_ws).await;
    assert_eq!(sent["kind"], "REQUEST_SENT");
    assert_eq!(sent["user"]["id"], alice.id.as_str());

    alice.act_ok(ACCEPT, &bob.id).await;
    let accepted = next_friend_event(&mut bob_ws).await;
    assert_eq!(accepted["kind"], "REQUEST_ACCEPTED");
    assert_eq!(accepted["user"]["id"], alice.id.as_str());
    assert_eq!(accepted["user"]["relationship"], "FRIENDS");
    let own = next_friend_event(&mut alice_ws).await;
    assert_eq!(own["kind"], "REQUEST_ACCEPTED");
    assert_eq!(own["user"]["id"], bob.id.as_str());

    // Each hears only about itself.
    assert_quiet(&mut alice_ws).await;
    assert_quiet(&mut bob_ws).await;
}

async fn reconnecting_with_a_cursor_loses_and_repeats_nothing(events: TestEvents) {
    let s = start_live(events).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let carol = s.seed_user("carol@example.com").await;
    bob.set_nickname("bob").await;
    carol.set_nickname("carol").await;

    let mut ws = s.ws(&alice).await;
    ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    bob.act_ok(SEND, &alice.id).await;
    let first = next_friend_event(&mut ws).await;
    ws.close().await;

    // While alice is away.
    carol.act_ok(SEND, &alice.id).await;
    bob.act_ok(CANCEL, &alice.id).await;
    bob.act_ok(SEND, &alice.id).await;

    let mut ws = s.ws(&alice).await;
    ws.subscribe("2", FRIEND_EVENTS, json!({ "after": first["cursor"] }))
        .await;
    let replayed: Vec<Value> = [
        next_friend_event(&mut ws).await,
        next_friend_event(&mut ws).await,
        next_friend_event(&mut ws).await,
    ]
    .into();
    let seen: Vec<(&str, &str)> = replayed
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["user"]["nickname"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("REQUEST_RECEIVED", "carol"),
            ("REQUEST_CANCELLED", "bob"),
            ("REQUEST_RECEIVED", "bob"),
        ]
    );
    // Then live.
    let dave = s.seed_user("dave@example.com").await;
    dave.set_nickname("dave").await;
    dave.act_ok(SEND, &alice.id).await;
    let live = next_friend_event(&mut ws).await;
    assert_eq!(live["user"]["nickname"], "dave");
    assert_quiet(&mut ws).await;

    // Cursors only move forward.
    let cursors: Vec<&str> = std::iter::once(&first)
        .chain(replayed.iter())
        .chain(std::iter::once(&live))
        .map(|e| e["cursor"].as_str().unwrap())
        .collect();
    let distinct: std::collections::HashSet<&&str> = cursors.iter().collect();
    assert_eq!(distinct.len(), cursors.len());
}

async fn a_stream_of_events_survives_many_reconnects_exactly_once(events: TestEvents) {
    let s = start_live(events).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    const ROUNDS: usize = 25;
    // Bob keeps asking and withdrawing: two events for alice per round.
    let producer = {
        let bob = bob.clone();
        let alice_id = alice.id.clone();
        tokio::spawn(async move {
            for _ in 0..ROUNDS {
                bob.act_ok(SEND, &alice_id).await;
                bob.act_ok(CANCEL, &alice_id).await;
            }
        })
    };
    // Alice reads a few events at a time, disconnecting in between, always
    // resuming from the last cursor she saw. The first subscription replays
    // from the beginning of her log.
    let mut kinds = Vec::new();
    let mut after = Value::Null;
    let mut first_connection = true;
    while kinds.len() < 2 * ROUNDS {
        let mut ws = s.ws(&alice).await;
        let vars = if first_connection {
            first_connection = false;
            json!({ "after": users::service::notifications::CURSORS.encode(0) })
        } else {
            json!({ "after": after })
        };
        ws.subscribe("events", FRIEND_EVENTS, vars).await;
        for _ in 0..3 {
            if kinds.len() == 2 * ROUNDS {
                break;
            }
            let event = next_friend_event(&mut ws).await;
            kinds.push(event["kind"].as_str().unwrap().to_owned());
            after = event["cursor"].clone();
        }
        ws.close().await;
    }
    producer.await.unwrap();
    let expected: Vec<&str> = (0..ROUNDS)
        .flat_map(|_| ["REQUEST_RECEIVED", "REQUEST_CANCELLED"])
        .collect();
    assert_eq!(kinds, expected);
    // Nothing is left after the last cursor.
    let mut ws = s.ws(&alice).await;
    ws.subscribe("tail", FRIEND_EVENTS, json!({ "after": after }))
        .await;
    assert_quiet(&mut ws).await;
}

async fn events_caused_through_another_process_arrive(events: TestEvents) {
    let s = start_live(events).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let replica = s.users_replica().await;
    let bob_on_replica =
        testkit::GraphqlClient::new(replica.graphql_url()).with_token(&bob.access_token);

    let mut ws = s.ws(&alice).await;
    ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    for round in 0..3 {
        let started = std::time::Instant::now();
        let resp = bob_on_replica
            .query(
                "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
                json!({ "id": alice.id }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        let event = next_friend_event(&mut ws).await;
        println!(
            "EVENTS={:?} round {round}: event across processes after {:?}",
            s.events.mode,
            started.elapsed()
        );
        assert_eq!(event["kind"], "REQUEST_RECEIVED");
        assert_eq!(event["user"]["id"], bob.id.as_str());
        let resp = bob_on_replica
            .query(
                "mutation($id: ID!) { cancelFriendRequest(userId: $id) { relationship } }",
                json!({ "id": alice.id }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        assert_eq!(
            next_friend_event(&mut ws).await["kind"],
            "REQUEST_CANCELLED"
        );
    }
    // And the other way round: a subscriber on the replica.
    let mut on_replica = bob.ws(&replica.ws_url()).await;
    on_replica.subscribe("1", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    alice.act_ok(SEND, &bob.id).await;
    let event = next_friend_event(&mut on_replica).await;
    assert_eq!(event["user"]["id"], alice.id.as_str());
    replica.stop().await;
}

testkit::in_both_modes!(
    events_arrive_live,
    reconnecting_with_a_cursor_loses_and_repeats_nothing,
    a_stream_of_events_survives_many_reconnects_exactly_once,
    events_caused_through_another_process_arrive,
);

#[tokio::test]
async fn signing_out_ends_the_subscription() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let mut ws = s.ws(&alice).await;
    ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    bob.act_ok(SEND, &alice.id).await;
    s.run_pending().await;
    next_friend_event(&mut ws).await;

    alice.logout().await;
    // Pushed by auth: the error (UNAUTHENTICATED, SESSION_REVOKED), then
    // `complete`.
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("the subscription ends");
    assert_eq!(
        (&msg["id"], &msg["type"]),
        (&json!("1"), &json!("next")),
        "{msg}"
    );
    assert_eq!(
        ws_error_code(&msg).as_deref(),
        Some("UNAUTHENTICATED"),
        "{msg}"
    );
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["reason"], "SESSION_REVOKED",
        "{msg}"
    );
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("complete");
    assert_eq!(
        (&msg["id"], &msg["type"]),
        (&json!("1"), &json!("complete")),
        "{msg}"
    );
    // Events after that are not delivered.
    bob.act_ok(CANCEL, &alice.id).await;
    s.run_pending().await;
    assert_quiet(&mut ws).await;
    // Nor is anything replayed to a new subscribe on the same socket.
    ws.subscribe("2", FRIEND_EVENTS, json!({ "after": null }))
        .await;
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("refused");
    assert_eq!(
        (&msg["id"], &msg["type"]),
        (&json!("2"), &json!("error")),
        "{msg}"
    );
    assert_eq!(
        ws_error_code(&msg).as_deref(),
        Some("UNAUTHENTICATED"),
        "{msg}"
    );
    assert_quiet(&mut ws).await;
}

#[tokio::test]
async fn subscribing_needs_a_valid_token_and_cursor() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;

    for init in [json!({}), json!({ "Authorization": "Bearer junk" })] {
        let mut ws = WsClient::connect(&s.users().ws_url(), init).await.unwrap();
        ws.subscribe("1", FRIEND_EVENTS, json!({})).await;
        let msg = ws
            .next_event(Duration::from_secs(5))
            .await
            .expect("an answer");
        assert_eq!(
            ws_error_code(&msg).as_deref(),
            Some("UNAUTHENTICATED"),
            "{msg}"
        );
        // And nothing else can be done on that connection either.
        ws.send_json(&json!({
            "id": "2", "type": "subscribe", "payload": { "query": "{ me { id } }" }
        }))
        .await
        .unwrap();
        loop {
            let msg = ws
                .next_event(Duration::from_secs(5))
                .await
                .expect("an answer");
            if msg["id"] == "2" {
                assert_eq!(
                    ws_error_code(&msg).as_deref(),
                    Some("UNAUTHENTICATED"),
                    "{msg}"
                );
                break;
            }
        }
    }

    let mut ws = s.ws(&alice).await;
    // Not even a valid document: still a coded error.
    ws.subscribe("x", "subscription { friendEvents { nope } }", json!({}))
        .await;
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(
        ws_error_code(&msg).as_deref(),
        Some("BAD_USER_INPUT"),
        "{msg}"
    );
    ws.next_event(Duration::from_secs(5))
        .await
        .expect("the end");
    for (id, after) in [
        ("a", json!("not-a-cursor")),
        ("b", json!("")),
        ("c", json!("x".repeat(10_000))),
        ("d", json!(42)),
        ("e", json!(["v1:1"])),
    ] {
        ws.subscribe(id, FRIEND_EVENTS, json!({ "after": after }))
            .await;
        let msg = ws
            .next_event(Duration::from_secs(5))
            .await
            .expect("an answer");
        assert_eq!(
            ws_error_code(&msg).as_deref(),
            Some("BAD_USER_INPUT"),
            "{msg}"
        );
        let done = ws
            .next_event(Duration::from_secs(5))
            .await
            .expect("the end");
        assert_eq!(done, json!({ "id": id, "type": "complete" }));
    }
}
