//! Blocks and privacy settings through the router (issue 22): users owns
//! them, messaging enforces them on messages, and the answers a blocked
//! user gets are those of a privacy setting, extensions included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use e2e::{System, TestUser};
use serde_json::{Value, json};
use testkit::assert_no_errors;

use crate::flows::{ok, set_nickname};
use crate::groups::SEND_IN;

const SEND_TO: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) { message { id } }
}";

/// A client message id not used before in this process.
fn cid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("privacy-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn send_vars(to: &TestUser, text: &str) -> Value {
    json!({"to": to.id, "text": text, "cid": cid()})
}

/// The error of `resp`: its message and extensions, less those naming
/// where it came from.
fn refusal(resp: &Value) -> (Value, Value) {
    let error = &resp["errors"][0];
    assert!(!error.is_null(), "accepted: {resp}");
    let mut extensions = error["extensions"].clone();
    if let Some(e) = extensions.as_object_mut() {
        // Which subgraph refused differs (the router names it); what it
        // says must not.
        e.remove("service");
        e.remove("userIds");
    }
    (error["message"].clone(), extensions)
}

async fn befriend(a: &TestUser, b: &TestUser) {
    let request = "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }";
    ok(a, request, json!({"id": b.id})).await;
    let accept = "mutation($id: ID!) { acceptFriendRequest(userId: $id) { relationship } }";
    ok(b, accept, json!({"id": a.id})).await;
}

#[tokio::test]
async fn a_block_and_a_privacy_setting_look_alike_through_the_router() {
    let system = System::start().await;
    let alice = system.user("alice").await;
    let bob = system.user("bob").await;
    let carol = system.user("carol").await;
    set_nickname(&bob, "Bobby").await;
    ok(&bob, SEND_TO, send_vars(&alice, "hi Alice")).await;
    befriend(&carol, &alice).await;
    befriend(&carol, &bob).await;
    let group = ok(
        &carol,
        "mutation($ids: [ID!]!) { createGroup(input: {title: \"All\", memberIds: $ids}) { conversation { id } } }",
        json!({"ids": [alice.id, bob.id]}),
    )
    .await["createGroup"]["conversation"]["id"]
        .clone();

    // Alice blocks Bob; Carol takes messages from friends only.
    let blocked = ok(
        &alice,
        "mutation($id: ID!) { blockUser(userId: $id) { user { nickname relationship } } }",
        json!({"id": bob.id}),
    )
    .await;
    assert_eq!(
        blocked["blockUser"]["user"],
        json!({"nickname": "Bobby", "relationship": "BLOCKED"})
    );
    let privacy = ok(
        &carol,
        "mutation { updatePrivacy(input: {whoMayMessage: FRIENDS}) { privacy { whoMayMessage readReceipts } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        privacy["updatePrivacy"]["privacy"],
        json!({"whoMayMessage": "FRIENDS", "readReceipts": true})
    );
    let dave = system.user("dave").await;

    // Bob writing to Alice is answered as Dave writing to Carol.
    let by_block = bob.gql.query(SEND_TO, send_vars(&alice, "?")).await;
    let by_setting = dave.gql.query(SEND_TO, send_vars(&carol, "?")).await;
    let (message, extensions) = refusal(&by_block);
    assert_eq!(extensions["code"], "FORBIDDEN", "{by_block}");
    assert_eq!(extensions["reason"], "RECIPIENT_UNAVAILABLE", "{by_block}");
    assert_eq!((message, extensions), refusal(&by_setting));
    let request = bob
        .gql
        .query(
            "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
            json!({"id": alice.id}),
        )
        .await;
    assert_eq!(refusal(&request), refusal(&by_setting));

    // In the group both stay; Alice's app may hide Bob, sender resolved.
    ok(
        &bob,
        SEND_IN,
        json!({"c": group, "text": "from Bobby", "cid": cid()}),
    )
    .await;
    let seen = ok(
        &alice,
        "query($c: ID!) { conversation(id: $c) { messages(last: 1) { edges { node {
            text senderBlockedByMe sender { nickname relationship } } } } } }",
        json!({"c": group}),
    )
    .await;
    assert_eq!(
        seen["conversation"]["messages"]["edges"][0]["node"],
        json!({"text": "from Bobby", "senderBlockedByMe": true,
               "sender": {"nickname": "Bobby", "relationship": "BLOCKED"}})
    );

    // Alice's own view: her list and her settings, across subgraphs.
    let mine = ok(
        &alice,
        "{ me { privacy { whoMayMessage whoMayAddToGroups readReceipts showLastSeen } unreadTotal }
           blockedUsers { edges { blockedAt node { nickname } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        mine["me"]["privacy"],
        json!({"whoMayMessage": "EVERYONE", "whoMayAddToGroups": "FRIENDS",
               "readReceipts": true, "showLastSeen": "EVERYONE"})
    );
    assert_eq!(
        mine["blockedUsers"]["edges"][0]["node"]["nickname"],
        "Bobby"
    );

    // Unblocked: Bob writes again.
    ok(
        &alice,
        "mutation($id: ID!) { unblockUser(userId: $id) { user { relationship } } }",
        json!({"id": bob.id}),
    )
    .await;
    let resp = bob.gql.query(SEND_TO, send_vars(&alice, "sorry")).await;
    assert_no_errors(&resp);
}
