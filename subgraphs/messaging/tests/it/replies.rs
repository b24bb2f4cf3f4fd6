//! Replies: `sendMessage`'s `replyToId` and `Message.replyTo`, in groups
//! and direct conversations, with deleted originals and members who
//! joined after the original.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::changes::delete;
use crate::common::{Chat as _, MessagingDb as _, create_group, nodes, ok, refused, spawn};
use serde_json::{Value, json};

const REPLY: &str = "mutation($c: ID, $to: ID, $text: String!, $cid: String!, $r: ID) {
  sendMessage(input: {conversationId: $c, to: $to, text: $text, clientMessageId: $cid, replyToId: $r}) {
    message { id text replyTo { id text deletedAt replyTo { id } } }
  }
}";

const TIMELINE: &str = "query($id: ID!) {
  conversation(id: $id) {
    lastMessage { id replyTo { id } }
    messages(first: 100) { edges { node { id text replyTo { id text deletedAt } } } }
  }
}";

const ADD: &str = "mutation($c: ID!, $ids: [ID!]!) {
  addMembers(input: {conversationId: $c, userIds: $ids}) { conversation { id } }
}";

fn vars(c: Option<&Value>, to: Option<&str>, text: &str, cid: &str, r: &Value) -> Value {
    json!({"c": c, "to": to, "text": text, "cid": cid, "r": r})
}

/// Message `id` of `user`'s timeline of conversation `c`.
async fn seen(user: &crate::common::TestUser, c: &Value, id: &Value) -> Value {
    let data = ok(user, TIMELINE, json!({"id": c})).await;
    nodes(&data["conversation"]["messages"])
        .into_iter()
        .find(|m| m["id"] == *id)
        .unwrap_or_else(|| panic!("{id} not in {data}"))
}

#[tokio::test]
async fn replies_answer_earlier_messages_of_their_conversation() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let question = ok(
        &alice,
        REPLY,
        vars(Some(&g), None, "question?", "a1", &Value::Null),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert!(question["replyTo"].is_null());

    // Bob answers it; everyone sees what it answers.
    let answer = ok(
        &bob,
        REPLY,
        vars(Some(&g), None, "answer", "b1", &question["id"]),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(answer["replyTo"]["id"], question["id"]);
    assert_eq!(answer["replyTo"]["text"], "question?");
    assert!(answer["replyTo"]["replyTo"].is_null());
    let carols = seen(&carol, &g, &answer["id"]).await;
    assert_eq!(carols["replyTo"]["id"], question["id"]);

    // Only messages of the same conversation the sender may see; refusals
    // write nothing.
    let direct = alice.send(&bob, "elsewhere").await;
    let messages = t.count("messages").await;
    let unknown = json!(uuid::Uuid::new_v4().to_string());
    for (user, c, to, r) in [
        (&bob, Some(&g), None, &direct["id"]),
        (&bob, Some(&g), None, &unknown),
        (&carol, None, Some(alice.id.as_str()), &direct["id"]),
        (&bob, None, Some(carol.id.as_str()), &question["id"]),
    ] {
        let (code, ext) = refused(user, REPLY, vars(c, to, "x", "r1", r)).await;
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("NOT_FOUND", &json!("replyToId")),
            "{r}"
        );
    }
    let (code, ext) = refused(&bob, REPLY, vars(Some(&g), None, "x", "r1", &json!("nope"))).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("BAD_USER_INPUT", &json!("replyToId"))
    );
    let (code, _) = refused(
        &dave,
        REPLY,
        vars(Some(&g), None, "x", "r1", &question["id"]),
    )
    .await;
    assert_eq!(code, "NOT_FOUND");
    assert_eq!(t.count("messages").await, messages);

    // In a direct conversation, by `to` as well.
    let back = ok(
        &bob,
        REPLY,
        vars(None, Some(alice.id.as_str()), "back", "b2", &direct["id"]),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(back["replyTo"]["text"], "elsewhere");
    // A retry is the original; the same client id with another original
    // is a conflict.
    let retry = ok(
        &bob,
        REPLY,
        vars(None, Some(alice.id.as_str()), "back", "b2", &direct["id"]),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(retry["id"], back["id"]);
    let (code, _) = refused(
        &bob,
        REPLY,
        vars(None, Some(alice.id.as_str()), "back", "b2", &Value::Null),
    )
    .await;
    assert_eq!(code, "CONFLICT");

    // A deleted original stays a tombstone for its replies.
    ok(&alice, &delete(), json!({"m": question["id"]})).await;
    let answer_now = seen(&carol, &g, &answer["id"]).await;
    assert_eq!(answer_now["replyTo"]["id"], question["id"]);
    assert_eq!(answer_now["replyTo"]["text"], "");
    assert!(answer_now["replyTo"]["deletedAt"].is_string());
    // …and may still be answered.
    let late = ok(
        &carol,
        REPLY,
        vars(Some(&g), None, "too late", "c1", &question["id"]),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(late["replyTo"]["text"], "");

    // A member added later sees replies, not what they answer from before
    // his time.
    t.befriend(&alice, &dave).await;
    ok(&alice, ADD, json!({"c": g, "ids": [dave.id]})).await;
    let again = ok(
        &carol,
        REPLY,
        vars(Some(&g), None, "remember?", "c2", &answer["id"]),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(again["replyTo"]["id"], answer["id"]);
    let his = seen(&dave, &g, &again["id"]).await;
    assert!(his["replyTo"].is_null(), "{his}");
    let data = ok(&dave, TIMELINE, json!({"id": g})).await;
    assert_eq!(data["conversation"]["lastMessage"]["id"], again["id"]);
    assert!(data["conversation"]["lastMessage"]["replyTo"].is_null());
    // Dave may answer what he sees, not what came before him.
    let (code, _) = refused(&dave, REPLY, vars(Some(&g), None, "x", "d1", &answer["id"])).await;
    assert_eq!(code, "NOT_FOUND");
    ok(
        &dave,
        REPLY,
        vars(Some(&g), None, "hi all", "d1", &again["id"]),
    )
    .await;
}
