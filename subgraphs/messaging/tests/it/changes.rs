//! Messages that change after they were sent: `editMessage` and
//! `deleteMessage`, who may do what, tombstones, unread counts and
//! previews, events to the members and replays that show each message as
//! it is now, and concurrent changes of one message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::{
    Chat as _, MessagingDb as _, SEND, SEND_IN, Stack, TestUser, create_group, next_events, nodes,
    ok, refused, spawn, spawn_live,
};
use serde_json::{Value, json};
use testkit::{TestEvents, WsClient, assert_no_errors, error_code};

pub const MESSAGE_FIELDS: &str = "id kind text editedAt deletedAt sender { id } clientMessageId";

pub fn edit() -> String {
    format!(
        "mutation($m: ID!, $text: String!) {{
          editMessage(input: {{messageId: $m, text: $text}}) {{ message {{ {MESSAGE_FIELDS} }} }}
        }}"
    )
}

pub fn delete() -> String {
    format!(
        "mutation($m: ID!) {{ deleteMessage(messageId: $m) {{ message {{ {MESSAGE_FIELDS} }} }} }}"
    )
}

/// `messageEvents` with what changes of a message show.
pub fn events() -> String {
    format!(
        "subscription($after: String) {{
          messageEvents(after: $after) {{
            cursor kind conversationId user {{ id }} message {{ {MESSAGE_FIELDS} }}
          }}
        }}"
    )
}

fn conversation() -> String {
    format!(
        "query($id: ID!) {{
          conversation(id: $id) {{
            unreadCount lastMessage {{ id text }}
            messages(first: 100) {{ edges {{ node {{ {MESSAGE_FIELDS} }} }} }}
          }}
        }}"
    )
}

const REMOVE: &str = "mutation($c: ID!, $u: ID!) {
  removeMember(input: {conversationId: $c, userId: $u}) { conversation { id } }
}";

const ADD: &str = "mutation($c: ID!, $ids: [ID!]!) {
  addMembers(input: {conversationId: $c, userIds: $ids}) { conversation { id } }
}";

const TOTALS: &str = "query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { unreadTotal } }
}";

/// `user`'s view of conversation `id`: (unread count, last message, messages oldest first).
async fn view(user: &TestUser, id: &Value) -> (Value, Value, Vec<Value>) {
    let data = ok(user, &conversation(), json!({"id": id})).await;
    let c = &data["conversation"];
    (
        c["unreadCount"].clone(),
        c["lastMessage"].clone(),
        nodes(&c["messages"]),
    )
}

/// Message `message` as `user` sees it in conversation `id`.
async fn message_in(user: &TestUser, id: &Value, message: &Value) -> Value {
    view(user, id)
        .await
        .2
        .into_iter()
        .find(|m| m["id"] == *message)
        .unwrap_or_else(|| panic!("{message} is not in the timeline"))
}

async fn send_in(user: &TestUser, conversation: &Value, text: &str, cid: &str) -> Value {
    ok(
        user,
        SEND_IN,
        json!({"c": conversation, "text": text, "cid": cid}),
    )
    .await["sendMessage"]["message"]
        .clone()
}

async fn unread_total(user: &TestUser) -> Value {
    let reps = json!([{"__typename": "User", "id": user.id}]);
    ok(user, TOTALS, json!({"reps": reps})).await["_entities"][0]["unreadTotal"].clone()
}

async fn subscribed_after(t: &Stack, user: &TestUser, after: &Value, id: &str) -> WsClient {
    let mut ws = t.ws(user).await;
    ws.subscribe(id, &events(), json!({ "after": after })).await;
    ws
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_the_sender_edits_and_the_same_text_changes_nothing() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let sent = alice.send_with_id(&bob, "hello", "a1").await;
    let (m, c) = (sent["id"].clone(), sent["conversationId"].clone());
    t.run_pending().await;
    let feed = t.count("feed_events").await;

    // Nobody else edits it, and a refusal changes nothing.
    let (code, _) = refused(&bob, &edit(), json!({"m": m, "text": "bob's"})).await;
    assert_eq!(code, "FORBIDDEN");
    for (user, id) in [
        (&carol, m.clone()),
        (&alice, json!(uuid::Uuid::new_v4().to_string())),
    ] {
        let (code, ext) = refused(user, &edit(), json!({"m": id, "text": "x"})).await;
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("NOT_FOUND", &json!("messageId"))
        );
    }
    for (vars, field) in [
        (json!({"m": m, "text": "  "}), "text"),
        (json!({"m": m, "text": "x".repeat(4001)}), "text"),
        (json!({"m": m, "text": "a\u{0}b"}), "text"),
        (json!({"m": "nope", "text": "x"}), "messageId"),
    ] {
        let (code, ext) = refused(&alice, &edit(), vars).await;
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("BAD_USER_INPUT", &json!(field))
        );
    }
    assert_eq!(t.count("outbox").await, 0);
    let seen = message_in(&bob, &c, &m).await;
    assert_eq!(seen["text"], "hello");
    assert!(seen["editedAt"].is_null());

    // The sender edits it, trimmed as when sending.
    let edited = ok(&alice, &edit(), json!({"m": m, "text": " hello, Bob "})).await["editMessage"]
        ["message"]
        .clone();
    assert_eq!(edited["text"], "hello, Bob");
    assert!(edited["editedAt"].is_string());
    assert!(edited["deletedAt"].is_null());
    assert_eq!(edited["clientMessageId"], "a1");
    assert_eq!(t.count("outbox").await, 1);
    // The same text again changes nothing and tells nobody.
    let again =
        ok(&alice, &edit(), json!({"m": m, "text": "hello, Bob"})).await["editMessage"]["message"]
            .clone();
    assert_eq!(again, edited);
    assert_eq!(t.count("outbox").await, 1);
    t.run_pending().await;
    assert_eq!(t.count("feed_events").await, feed + 2, "each member once");
    let seen = message_in(&bob, &c, &m).await;
    assert_eq!(seen["text"], "hello, Bob");
    assert_eq!(seen["editedAt"], edited["editedAt"]);
    assert!(seen["clientMessageId"].is_null());

    // A retry of the send gets the message as it is now, not a second one.
    let retry = alice.send_with_id(&bob, "hello", "a1").await;
    assert_eq!(retry["id"], m);
    assert_eq!(retry["text"], "hello, Bob");
    assert_eq!(t.count("messages").await, 1);
}

#[tokio::test]
async fn deleting_leaves_a_tombstone_and_counts_and_previews_follow() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let created = view(&alice, &g).await.2[0].clone();
    let c1 = send_in(&carol, &g, "three", "c1").await;
    let b1 = send_in(&bob, &g, "one", "b1").await;
    let b2 = send_in(&bob, &g, "two", "b2").await;
    t.run_pending().await;
    let (unread, last, _) = view(&carol, &g).await;
    assert_eq!((unread, &last["id"]), (json!(2), &b2["id"]));

    // A MEMBER deletes only her own messages, strangers see nothing, and
    // SYSTEM messages stay; refusals change nothing.
    let refusals = [
        (&carol, &b2, "FORBIDDEN"),
        (&dave, &b2, "NOT_FOUND"),
        (&alice, &created, "FORBIDDEN"),
    ];
    for (user, message, expected) in refusals {
        let (code, _) = refused(user, &delete(), json!({"m": message["id"]})).await;
        assert_eq!(code, expected, "{message}");
    }
    assert_eq!(t.count("outbox").await, 0);
    assert_eq!(message_in(&carol, &g, &b2["id"]).await["text"], "two");

    // The OWNER deletes Bob's newest: a tombstone in its place, no longer
    // unread nor the preview.
    let gone =
        ok(&alice, &delete(), json!({"m": b2["id"]})).await["deleteMessage"]["message"].clone();
    assert_eq!(gone["text"], "");
    assert!(gone["deletedAt"].is_string());
    assert_eq!(gone["sender"]["id"], bob.id.as_str());
    let (unread, last, messages) = view(&carol, &g).await;
    assert_eq!((unread, &last["id"]), (json!(1), &b1["id"]));
    assert_eq!(unread_total(&carol).await, 1);
    let texts: Vec<&Value> = messages.iter().map(|m| &m["text"]).collect();
    assert_eq!(texts[1..], [&json!("three"), &json!("one"), &json!("")]);
    assert_eq!(messages[3]["deletedAt"], gone["deletedAt"]);
    assert_eq!(t.count("outbox").await, 1);
    // Deleting it again changes nothing; editing a tombstone is a conflict.
    let again =
        ok(&bob, &delete(), json!({"m": b2["id"]})).await["deleteMessage"]["message"].clone();
    assert_eq!(again["deletedAt"], gone["deletedAt"]);
    let (code, ext) = refused(&bob, &edit(), json!({"m": b2["id"], "text": "back"})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("CONFLICT", &json!("messageId"))
    );
    assert_eq!(t.count("outbox").await, 1);

    // The sender deletes his other one: Carol has nothing left to read,
    // and her own message is the preview.
    ok(&bob, &delete(), json!({"m": b1["id"]})).await;
    let (unread, last, _) = view(&carol, &g).await;
    assert_eq!((unread, &last["id"]), (json!(0), &c1["id"]));
    assert_eq!(view(&alice, &g).await.0, 1, "Alice has Carol's left");

    // A removed member changes nothing, even her own; a member added later
    // does not see what came before him.
    ok(&alice, REMOVE, json!({"c": g, "u": carol.id})).await;
    for query in [delete(), edit()] {
        let vars = json!({"m": c1["id"], "text": "mine"});
        assert_eq!(refused(&carol, &query, vars).await.0, "FORBIDDEN");
    }
    t.befriend(&alice, &dave).await;
    ok(&alice, ADD, json!({"c": g, "ids": [dave.id]})).await;
    for query in [delete(), edit()] {
        let vars = json!({"m": c1["id"], "text": "his"});
        assert_eq!(refused(&dave, &query, vars).await.0, "NOT_FOUND");
    }
    assert_eq!(message_in(&alice, &g, &c1["id"]).await["text"], "three");
    // The preview of a conversation whose every message is deleted, as
    // its member sees it.
    t.run_pending().await;
    let direct = alice.send(&bob, "only").await;
    ok(&alice, &delete(), json!({"m": direct["id"]})).await;
    let (unread, last, _) = view(&bob, &direct["conversationId"]).await;
    assert_eq!((unread, last), (json!(0), Value::Null));
}

async fn replays_show_each_message_as_it_is_now(events: TestEvents) {
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let alice_phone = t.sign_in_again(&alice).await;
    let (bob_cursor, phone_cursor) = (bob.events_cursor().await, alice_phone.events_cursor().await);
    let kept = alice.send_with_id(&bob, "kept", "k1").await;
    let secret = alice.send_with_id(&bob, "a secret", "s1").await;
    ok(
        &alice,
        &edit(),
        json!({"m": kept["id"], "text": "kept, edited"}),
    )
    .await;
    ok(&alice, &delete(), json!({"m": secret["id"]})).await;
    t.outbox_drained().await;

    // The deleted text is kept nowhere, not even in the feeds.
    let sql = t.messaging_sql().await;
    for table in ["messages", "feed_events", "outbox"] {
        let row = sql
            .query_one(
                &format!("SELECT count(*) FROM {table} t WHERE t::text LIKE '%secret%'"),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 0, "{table}");
    }

    // Bob replays from before: every event shows each message as it is now.
    let mut ws = subscribed_after(&t, &bob, &bob_cursor, "b").await;
    let replayed = next_events(&mut ws, "b", 4).await;
    let mut sorted = kinds(&replayed);
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "MESSAGE_DELETED",
            "MESSAGE_EDITED",
            "MESSAGE_RECEIVED",
            "MESSAGE_RECEIVED"
        ]
    );
    for event in &replayed {
        let message = &event["message"];
        if message["id"] == kept["id"] {
            assert_eq!(message["text"], "kept, edited", "{event}");
            assert!(message["editedAt"].is_string(), "{event}");
        } else {
            assert_eq!(message["id"], secret["id"], "{event}");
            assert_eq!(message["text"], "", "{event}");
            assert!(message["deletedAt"].is_string(), "{event}");
        }
        assert!(message["clientMessageId"].is_null());
        if event["kind"] != "MESSAGE_RECEIVED" {
            assert_eq!(event["user"]["id"], alice.id.as_str(), "{event}");
        }
        assert_eq!(event["conversationId"], kept["conversationId"]);
    }
    // Alice's other device: her sends and her changes.
    let mut phone = subscribed_after(&t, &alice_phone, &phone_cursor, "p").await;
    let echoed = next_events(&mut phone, "p", 4).await;
    let mut sorted = kinds(&echoed);
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "MESSAGE_DELETED",
            "MESSAGE_EDITED",
            "MESSAGE_SENT",
            "MESSAGE_SENT"
        ]
    );
    assert!(
        echoed
            .iter()
            .all(|e| !e["message"]["clientMessageId"].is_null())
    );

    // Live, then: the next edit arrives with its text.
    ok(&alice, &edit(), json!({"m": kept["id"], "text": "final"})).await;
    let live = &next_events(&mut ws, "b", 1).await[0];
    assert_eq!(live["kind"], "MESSAGE_EDITED");
    assert_eq!(live["message"]["text"], "final");
    assert!(ws.next_event(Duration::from_millis(300)).await.is_none());
}

testkit::in_both_modes!(replays_show_each_message_as_it_is_now);

#[tokio::test]
async fn concurrent_edits_and_a_delete_of_one_message_end_in_the_tombstone() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let sent = alice.send(&bob, "draft").await;
    let (m, c) = (sent["id"].clone(), sent["conversationId"].clone());
    t.run_pending().await;
    let cursor = bob.events_cursor().await;

    let edits = (0..6).map(|i| {
        let (alice, m) = (alice.clone(), m.clone());
        async move {
            alice
                .gql
                .query(&edit(), json!({"m": m, "text": format!("edit {i}")}))
                .await
        }
    });
    let delete = delete();
    let (edits, deleted) = tokio::join!(
        futures::future::join_all(edits),
        alice.gql.query(&delete, json!({"m": m}))
    );
    assert_no_errors(&deleted);
    let mut applied = 0;
    for resp in &edits {
        match error_code(resp) {
            None => applied += 1,
            Some(code) => assert_eq!(code, "CONFLICT", "{resp}"),
        }
    }
    // Whatever the order, the tombstone is what stays.
    let seen = message_in(&bob, &c, &m).await;
    assert_eq!(seen["text"], "");
    assert_eq!(
        seen["deletedAt"],
        deleted["data"]["deleteMessage"]["message"]["deletedAt"]
    );
    assert_eq!(t.count("outbox").await, applied + 1, "one event per change");

    // Bob is told of every change that happened, the deletion last, each
    // showing the tombstone.
    t.run_pending().await;
    let mut ws = subscribed_after(&t, &bob, &cursor, "b").await;
    let told = next_events(&mut ws, "b", usize::try_from(applied).unwrap() + 1).await;
    assert_eq!(told.last().unwrap()["kind"], "MESSAGE_DELETED");
    assert!(
        told.iter()
            .all(|e| e["message"]["text"] == "" && e["message"]["id"] == m)
    );
    assert!(ws.next_event(Duration::from_millis(300)).await.is_none());
}

/// Sends and changes of one member in one conversation take the rate's
/// row and the conversation's in the same order: at once, none waits on
/// another in a circle (PostgreSQL would abort one as a deadlock).
#[tokio::test]
async fn sends_and_changes_of_one_member_at_once_all_succeed() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let m = alice.send(&bob, "first").await["id"].clone();
    let sends = (0..8).map(|i| {
        let (alice, to) = (alice.clone(), bob.id.clone());
        async move {
            let vars = json!({"to": to, "text": format!("s{i}"), "cid": format!("c{i}")});
            alice.gql.query(SEND, vars).await
        }
    });
    let changes = (0..8).map(|i| {
        let (alice, m) = (alice.clone(), m.clone());
        async move {
            if i % 2 == 0 {
                let vars = json!({"m": m, "text": format!("e{i}")});
                alice.gql.query(&edit(), vars).await
            } else {
                let emoji = ["👍", "🎉", "👀", "🙂"][i / 2];
                let vars = json!({"m": m, "e": emoji});
                alice.gql.query(REACT, vars).await
            }
        }
    });
    let (sent, edited) = tokio::join!(
        futures::future::join_all(sends),
        futures::future::join_all(changes)
    );
    for resp in sent.iter().chain(&edited) {
        assert_no_errors(resp);
    }
    assert_eq!(t.count("messages").await, 9);
    assert_eq!(t.count("message_reactions").await, 4);
}

const REACT: &str = "mutation($m: ID!, $e: String!) {
  addReaction(input: {messageId: $m, emoji: $e}) { message { id } }
}";
