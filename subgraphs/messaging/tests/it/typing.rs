//! Typing indicators: `setTyping` and the `typing` subscription, across
//! two replicas of messaging, lapsing, throttled, members only, nothing
//! stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::{
    Chat as _, MessagingDb as _, TestUser, create_group, ok, refusal_code, refused, spawn_with,
};
use futures::StreamExt as _;
use serde_json::{Value, json};
use testkit::WsClient;

const SET: &str = "mutation($c: ID!, $typing: Boolean!) {
  setTyping(input: {conversationId: $c, typing: $typing}) { conversationId }
}";

const TYPING: &str = "subscription($c: ID!) {
  typing(conversationId: $c) { conversationId typing expiresAt user { id } }
}";

async fn set(user: &TestUser, c: &Value, typing: bool) {
    let data = ok(user, SET, json!({"c": c, "typing": typing})).await;
    assert_eq!(data["setTyping"]["conversationId"], *c);
}

/// The next typing event of subscription `id` within `wait`.
async fn heard(ws: &mut WsClient, id: &str, wait: Duration) -> Option<Value> {
    let msg = ws.next_event(wait).await?;
    assert_eq!(
        (&msg["id"], &msg["type"]),
        (&json!(id), &json!("next")),
        "{msg}"
    );
    Some(msg["payload"]["data"]["typing"].clone())
}

#[tokio::test]
async fn typing_reaches_the_other_members_on_every_replica_and_lapses() {
    let t = spawn_with(|c| c.typing_expires_secs = 1).await;
    let replica = t.messaging_replica().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let mut bob_ws = t.ws(&bob).await;
    bob_ws.subscribe("b", TYPING, json!({"c": g})).await;
    let mut carol_ws = carol.ws(&replica.ws_url()).await;
    carol_ws.subscribe("c", TYPING, json!({"c": g})).await;
    let mut alice_ws = t.ws(&alice).await;
    alice_ws.subscribe("a", TYPING, json!({"c": g})).await;

    // Alice types (again and again, until both listen): Bob hears it here,
    // Carol on the other replica.
    let (mut to_bob, mut to_carol) = (None, None);
    for _ in 0..50 {
        set(&alice, &g, true).await;
        let wait = Duration::from_millis(200);
        if to_bob.is_none() {
            to_bob = heard(&mut bob_ws, "b", wait).await;
        }
        if to_carol.is_none() {
            to_carol = heard(&mut carol_ws, "c", wait).await;
        }
        if to_bob.is_some() && to_carol.is_some() {
            break;
        }
    }
    for event in [to_bob.unwrap(), to_carol.unwrap()] {
        assert_eq!(event["conversationId"], g);
        assert_eq!(event["user"]["id"], alice.id.as_str());
        assert_eq!(event["typing"], true);
        assert!(event["expiresAt"].is_string(), "{event}");
    }
    // Her last true lapses into a false.
    loop {
        let event = heard(&mut bob_ws, "b", Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(event["user"]["id"], alice.id.as_str());
        if event["typing"] == false {
            assert!(event["expiresAt"].is_null());
            break;
        }
    }

    // Bob types, then stops: Alice hears him (never herself) and the end
    // of it, whether his false passed the rate or his true lapsed.
    let mut to_alice = None;
    for _ in 0..50 {
        set(&bob, &g, true).await;
        to_alice = heard(&mut alice_ws, "a", Duration::from_millis(200)).await;
        if to_alice.is_some() {
            break;
        }
    }
    assert_eq!(to_alice.unwrap()["user"]["id"], bob.id.as_str());
    set(&bob, &g, false).await;
    loop {
        let event = heard(&mut alice_ws, "a", Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(event["user"]["id"], bob.id.as_str());
        if event["typing"] == false {
            break;
        }
    }
}

#[tokio::test]
async fn typing_is_throttled_for_members_only_and_stores_nothing() {
    let t = spawn_with(|c| {
        c.typing_rate = ratelimit::Rate::new(2, Duration::from_secs(3600));
    })
    .await;
    let (alice, bob, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("dave")
    );
    let c = alice.send(&bob, "hi").await["conversationId"].clone();
    // Listen on the channel as a replica does.
    let (client, mut connection) =
        tokio_postgres::connect(t.messaging_db().url(), tokio_postgres::NoTls)
            .await
            .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let tokio_postgres::AsyncMessage::Notification(n) = message {
                let _ = tx.send(n.payload().to_owned());
            }
        }
    });
    client.batch_execute("LISTEN typing").await.unwrap();
    let tables = ["messages", "outbox", "feed_events", "message_reactions"];
    let mut before = Vec::new();
    for table in tables {
        before.push(t.count(table).await);
    }

    // Two signals pass the member's rate; the rest are accepted and
    // ignored.
    for typing in [true, true, true, false] {
        set(&alice, &c, typing).await;
    }
    for _ in 0..2 {
        let payload = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        let signal: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(
            signal,
            json!({"conversationId": c, "userId": alice.id, "typing": true})
        );
    }
    // Strangers are refused, and nothing is said for them.
    let (code, ext) = refused(&dave, SET, json!({"c": c, "typing": true})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("NOT_FOUND", &json!("conversationId"))
    );
    let (code, _) = refused(&alice, SET, json!({"c": "nope", "typing": true})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let mut ws = t.ws(&dave).await;
    ws.subscribe("d", TYPING, json!({"c": c})).await;
    let msg = ws.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(refusal_code(&msg).as_deref(), Some("NOT_FOUND"), "{msg}");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err(),
        "nothing more was notified"
    );
    // Nothing is stored.
    for (table, count) in tables.into_iter().zip(before) {
        assert_eq!(t.count(table).await, count, "{table}");
    }
}

#[tokio::test]
async fn a_removed_member_stops_hearing_typing_at_once() {
    let t = spawn_with(|_| {}).await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let mut bob_ws = t.ws(&bob).await;
    bob_ws.subscribe("b", TYPING, json!({"c": g})).await;
    let mut carol_ws = t.ws(&carol).await;
    carol_ws.subscribe("c", TYPING, json!({"c": g})).await;
    // Both listen (Alice types until both have heard her).
    let (mut to_bob, mut to_carol) = (None, None);
    for _ in 0..50 {
        set(&alice, &g, true).await;
        let wait = Duration::from_millis(200);
        if to_bob.is_none() {
            to_bob = heard(&mut bob_ws, "b", wait).await;
        }
        if to_carol.is_none() {
            to_carol = heard(&mut carol_ws, "c", wait).await;
        }
        if to_bob.is_some() && to_carol.is_some() {
            break;
        }
    }
    assert!(to_bob.is_some() && to_carol.is_some());

    // Bob is removed: his subscription ends with the error a new one gets,
    // and Carol, still a member, keeps hearing Alice.
    ok(
        &alice,
        "mutation($c: ID!, $u: ID!) { removeMember(input: {conversationId: $c, userId: $u}) { conversation { id } } }",
        json!({"c": g, "u": bob.id}),
    )
    .await;
    loop {
        let msg = bob_ws
            .next_event(Duration::from_secs(10))
            .await
            .expect("the removed member's stream ends with an error");
        if msg["type"] == "next" && msg["payload"]["errors"].is_null() {
            // A signal from before the removal.
            continue;
        }
        assert_eq!(refusal_code(&msg).as_deref(), Some("NOT_FOUND"), "{msg}");
        break;
    }
    let end = bob_ws.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(end["type"], "complete", "{end}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    set(&alice, &g, false).await;
    loop {
        let event = heard(&mut carol_ws, "c", Duration::from_secs(10))
            .await
            .unwrap();
        if event["typing"] == false {
            break;
        }
    }

    // Carol leaves on another device: her subscription here ends too.
    ok(
        &carol,
        "mutation($c: ID!) { leaveConversation(conversationId: $c) { conversationId } }",
        json!({"c": g}),
    )
    .await;
    let msg = carol_ws.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(refusal_code(&msg).as_deref(), Some("NOT_FOUND"), "{msg}");
}
