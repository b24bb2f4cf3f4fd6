//! What a chat app does, through the router only: two users sign up and
//! name themselves, become friends and hear about it live, exchange
//! messages that arrive live with the sender's nickname resolved from
//! another subgraph, and list their conversations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::{System, TestUser};
use serde_json::{Value, json};
use testkit::{WsClient, assert_no_errors};

const FRIEND_EVENTS: &str = "subscription { friendEvents { kind user { id nickname } } }";
const MESSAGE_EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) {
    kind message { id text conversationId sender { id nickname } recipient { nickname } }
  }
}";

/// Subscriptions start asynchronously (client → router → subgraph): give
/// them a moment before causing the first event. (Message events need no
/// pause: subscribing after `messageEventsCursor` misses nothing.)
const SETTLE: Duration = Duration::from_millis(1500);

/// `query` as `user`: its `data` (panics on errors).
pub(crate) async fn ok(user: &TestUser, query: &str, variables: Value) -> Value {
    let resp = user.gql.query(query, variables).await;
    assert_no_errors(&resp);
    resp["data"].clone()
}

/// The payload data of the next `next` message of subscription `id`.
pub(crate) async fn next_data(ws: &mut WsClient, id: &str) -> Value {
    let msg = ws
        .next_event(Duration::from_secs(15))
        .await
        .unwrap_or_else(|| panic!("no event for subscription {id}: {:?}", ws.close_frame()));
    assert_eq!(msg["type"], "next", "{msg}");
    assert_eq!(msg["id"], id, "{msg}");
    let payload = &msg["payload"];
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"].clone()
}

pub(crate) async fn set_nickname(user: &TestUser, nickname: &str) {
    let data = ok(
        user,
        "mutation($n: String!) { updateProfile(input: {nickname: $n}) { user { nickname } } }",
        json!({"n": nickname}),
    )
    .await;
    assert_eq!(data["updateProfile"]["user"]["nickname"], nickname);
}

#[tokio::test]
async fn two_users_befriend_and_chat_through_the_router() {
    let system = System::start().await;
    let alice = system.register("alice").await;
    let bob = system.register("bob").await;
    set_nickname(&alice, "Alice_W").await;
    set_nickname(&bob, "bobby").await;

    // One query, two subgraphs: nickname from users, email from auth.
    let me = ok(&alice, "{ me { id nickname email } }", json!({})).await;
    assert_eq!(
        me["me"],
        json!({"id": alice.id, "nickname": "Alice_W", "email": "alice@example.com"})
    );
    // Emails are private: bob sees alice's nickname but not her email.
    let other = ok(
        &bob,
        "query($id: ID!) { user(id: $id) { nickname email } }",
        json!({"id": alice.id}),
    )
    .await;
    assert_eq!(other["user"], json!({"nickname": "Alice_W", "email": null}));

    // Friend notifications over the router's WebSocket.
    let mut alice_ws = system.ws(&alice).await;
    let mut bob_ws = system.ws(&bob).await;
    alice_ws
        .subscribe("friends", FRIEND_EVENTS, json!({}))
        .await;
    bob_ws.subscribe("friends", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(SETTLE).await;

    ok(
        &alice,
        "mutation($id: ID!) { sendFriendRequest(userId: $id) { user { id } relationship } }",
        json!({"id": bob.id}),
    )
    .await;
    let event = next_data(&mut bob_ws, "friends").await;
    assert_eq!(event["friendEvents"]["kind"], "REQUEST_RECEIVED");
    assert_eq!(
        event["friendEvents"]["user"],
        json!({"id": alice.id, "nickname": "Alice_W"})
    );
    // The sender's own sessions hear of it too.
    let event = next_data(&mut alice_ws, "friends").await;
    assert_eq!(event["friendEvents"]["kind"], "REQUEST_SENT");
    assert_eq!(event["friendEvents"]["user"]["nickname"], "bobby");

    let accepted = ok(
        &bob,
        "mutation($id: ID!) { acceptFriendRequest(userId: $id) { relationship } }",
        json!({"id": alice.id}),
    )
    .await;
    assert_eq!(accepted["acceptFriendRequest"]["relationship"], "FRIENDS");
    let event = next_data(&mut alice_ws, "friends").await;
    assert_eq!(event["friendEvents"]["kind"], "REQUEST_ACCEPTED");
    assert_eq!(event["friendEvents"]["user"]["nickname"], "bobby");
    // And the acceptor's own sessions.
    let event = next_data(&mut bob_ws, "friends").await;
    assert_eq!(event["friendEvents"]["kind"], "REQUEST_ACCEPTED");
    assert_eq!(event["friendEvents"]["user"]["nickname"], "Alice_W");

    // Messages, live, with the sender's nickname resolved from users on
    // every event.
    let cursor = ok(&bob, "{ messageEventsCursor }", json!({})).await;
    bob_ws
        .subscribe(
            "messages",
            MESSAGE_EVENTS,
            json!({"after": cursor["messageEventsCursor"]}),
        )
        .await;
    // Alice hears of her own message too, and the sender's email comes from
    // auth, which shows it only to its owner: proof that her token reached
    // auth for the entity fetch made while resolving the event.
    let cursor = ok(&alice, "{ messageEventsCursor }", json!({})).await;
    alice_ws
        .subscribe(
            "mine",
            "subscription($after: String) {
               messageEvents(after: $after) { kind message { text sender { nickname email } } }
             }",
            json!({"after": cursor["messageEventsCursor"]}),
        )
        .await;
    let sent = ok(
        &alice,
        "mutation($to: ID!, $text: String!) {
           sendMessage(input: {to: $to, text: $text, clientMessageId: \"m-1\"}) {
             message { id conversationId text sender { nickname } recipient { nickname } }
           }
         }",
        json!({"to": bob.id, "text": "hi bob"}),
    )
    .await;
    let sent = &sent["sendMessage"]["message"];
    assert_eq!(sent["sender"]["nickname"], "Alice_W");
    assert_eq!(sent["recipient"]["nickname"], "bobby");

    let event = next_data(&mut bob_ws, "messages").await;
    let event = &event["messageEvents"];
    assert_eq!(event["kind"], "MESSAGE_RECEIVED");
    assert_eq!(event["message"]["id"], sent["id"]);
    assert_eq!(event["message"]["text"], "hi bob");
    assert_eq!(
        event["message"]["sender"],
        json!({"id": alice.id, "nickname": "Alice_W"})
    );
    assert_eq!(event["message"]["recipient"]["nickname"], "bobby");
    let own = next_data(&mut alice_ws, "mine").await;
    assert_eq!(own["messageEvents"]["kind"], "MESSAGE_SENT");
    assert_eq!(
        own["messageEvents"]["message"]["sender"],
        json!({"nickname": "Alice_W", "email": "alice@example.com"})
    );

    // A second message, to see events keep resolving.
    ok(
        &alice,
        "mutation($to: ID!) {
           sendMessage(input: {to: $to, text: \"are you there?\", clientMessageId: \"m-2\"}) { message { id } }
         }",
        json!({"to": bob.id}),
    )
    .await;
    let event = next_data(&mut bob_ws, "messages").await;
    assert_eq!(event["messageEvents"]["message"]["text"], "are you there?");
    assert_eq!(
        event["messageEvents"]["message"]["sender"]["nickname"],
        "Alice_W"
    );

    // Bob's inbox: the conversation with alice's nickname and two unread.
    let inbox = ok(
        &bob,
        "{ conversations(first: 10) {
             edges { node { id peer { id nickname } unreadCount lastMessage { text sender { nickname } } } }
           } }",
        json!({}),
    )
    .await;
    let edges = inbox["conversations"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{inbox}");
    let conversation = &edges[0]["node"];
    assert_eq!(conversation["id"], sent["conversationId"]);
    assert_eq!(
        conversation["peer"],
        json!({"id": alice.id, "nickname": "Alice_W"})
    );
    assert_eq!(conversation["unreadCount"], 2);
    assert_eq!(conversation["lastMessage"]["text"], "are you there?");
    assert_eq!(conversation["lastMessage"]["sender"]["nickname"], "Alice_W");

    // Alice's side: bob's nickname, nothing unread (she sent both).
    let inbox = ok(
        &alice,
        "{ conversations(first: 10) { edges { node { peer { nickname } unreadCount } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        inbox["conversations"]["edges"][0]["node"],
        json!({"peer": {"nickname": "bobby"}, "unreadCount": 0})
    );

    alice_ws.close().await;
    bob_ws.close().await;
}

#[tokio::test]
async fn subscriptions_need_a_valid_token() {
    let system = System::start().await;
    let alice = system.user("alice").await;

    // No token: the subscription fails with UNAUTHENTICATED.
    let mut ws = WsClient::connect(&system.router.ws_url(), Value::Null)
        .await
        .unwrap();
    ws.subscribe("1", MESSAGE_EVENTS, json!({})).await;
    let msg = ws.next_event(Duration::from_secs(15)).await.unwrap();
    assert!(
        msg.to_string().contains("UNAUTHENTICATED"),
        "without a token: {msg}"
    );

    // With alice's token it is accepted (no error before the first event).
    let mut ws = system.ws(&alice).await;
    ws.subscribe("1", MESSAGE_EVENTS, json!({})).await;
    assert!(
        ws.next_event(Duration::from_millis(1500)).await.is_none(),
        "nothing to report yet"
    );
}

/// The attack: a WebSocket opened before `logout` keeps reading, and a new
/// `subscribe` on it replays history. Through the router, both subgraphs'
/// streams end with SESSION_REVOKED, and the replay is refused.
#[tokio::test]
async fn signing_out_ends_subscriptions_through_the_router() {
    let system = System::start().await;
    let alice = system.user("alice").await;
    let bob = system.user("bob").await;
    let cursor =
        ok(&bob, "{ messageEventsCursor }", json!({})).await["messageEventsCursor"].clone();
    let mut ws = system.ws(&bob).await;
    ws.subscribe("messages", MESSAGE_EVENTS, json!({"after": cursor}))
        .await;
    ws.subscribe("friends", FRIEND_EVENTS, json!({})).await;
    tokio::time::sleep(SETTLE).await;
    ok(
        &alice,
        "mutation($to: ID!) { sendMessage(input: {to: $to, text: \"psst\", clientMessageId: \"p-1\"}) { message { id } } }",
        json!({"to": bob.id}),
    )
    .await;
    let event = next_data(&mut ws, "messages").await;
    assert_eq!(event["messageEvents"]["message"]["text"], "psst");

    let signed_out = std::time::Instant::now();
    ok(&bob, "mutation { logout { sessionId } }", json!({})).await;
    // Each stream: the error, then `complete`.
    let mut ended = std::collections::HashMap::new();
    let mut completed = Vec::new();
    while completed.len() < 2 {
        let msg = ws
            .next_event(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| {
                panic!("streams still open: ended {ended:?}, completed {completed:?}")
            });
        let id = msg["id"].as_str().unwrap().to_owned();
        if msg["type"] == "complete" {
            assert!(ended.contains_key(&id), "{id} completed without the error");
            completed.push(id);
        } else {
            let (code, reason) = testkit::ws_error(&msg);
            assert_eq!(code.as_deref(), Some("UNAUTHENTICATED"), "{msg}");
            assert_eq!(reason.as_deref(), Some("SESSION_REVOKED"), "{msg}");
            ended.insert(id, signed_out.elapsed());
        }
    }
    println!("through the router, streams ended after logout: {ended:?}");

    // A new subscribe on the same socket, replaying from the old cursor.
    ws.subscribe("replay", MESSAGE_EVENTS, json!({"after": cursor}))
        .await;
    let msg = ws.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(msg["id"], "replay", "{msg}");
    let (code, reason) = testkit::ws_error(&msg);
    assert_eq!(code.as_deref(), Some("UNAUTHENTICATED"), "{msg}");
    assert_eq!(reason.as_deref(), Some("SESSION_REVOKED"), "{msg}");
    assert!(
        !msg.to_string().contains("psst"),
        "history was replayed: {msg}"
    );
    // Nothing of the history follows.
    while let Some(msg) = ws.next_event(Duration::from_millis(1000)).await {
        assert_ne!(msg["type"], "next", "{msg}");
    }
}
