//! Reactions: `addReaction`, `removeReaction`, `Message.reactions`; one
//! emoji each per member, at most 20 different per message, idempotent,
//! REACTIONS_CHANGED to every member with their own `reactedByMe`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::changes::delete;
use crate::common::{
    Chat as _, MessagingDb as _, SEND_IN, TestUser, create_group, next_events, nodes, ok, refused,
    spawn, spawn_live,
};
use serde_json::{Value, json};
use testkit::TestEvents;

const REACTIONS: &str = "reactions { emoji count reactedByMe }";

fn add() -> String {
    format!(
        "mutation($m: ID!, $e: String!) {{
          addReaction(input: {{messageId: $m, emoji: $e}}) {{ message {{ id {REACTIONS} }} }}
        }}"
    )
}

fn remove() -> String {
    format!(
        "mutation($m: ID!, $e: String!) {{
          removeReaction(input: {{messageId: $m, emoji: $e}}) {{ message {{ id {REACTIONS} }} }}
        }}"
    )
}

const REMOVE_MEMBER: &str = "mutation($c: ID!, $u: ID!) {
  removeMember(input: {conversationId: $c, userId: $u}) { conversation { id } }
}";

/// The reactions `user` gets back from `query` (add or remove).
async fn react(user: &TestUser, query: &str, message: &Value, emoji: &str) -> Value {
    let data = ok(user, query, json!({"m": message, "e": emoji})).await;
    let payload = data.as_object().unwrap().values().next().unwrap().clone();
    payload["message"]["reactions"].clone()
}

/// Message `id`'s reactions in `user`'s timeline of conversation `c`.
async fn seen(user: &TestUser, c: &Value, id: &Value) -> Value {
    let data = ok(
        user,
        &format!(
            "query($id: ID!) {{ conversation(id: $id) {{
              messages(first: 100) {{ edges {{ node {{ id {REACTIONS} }} }} }} }} }}"
        ),
        json!({"id": c}),
    )
    .await;
    nodes(&data["conversation"]["messages"])
        .into_iter()
        .find(|m| m["id"] == *id)
        .unwrap()["reactions"]
        .clone()
}

async fn send_in(user: &TestUser, c: &Value, text: &str, cid: &str) -> Value {
    ok(user, SEND_IN, json!({"c": c, "text": text, "cid": cid})).await["sendMessage"]["message"]
        ["id"]
        .clone()
}

fn summary(emoji: &str, count: i64, mine: bool) -> Value {
    json!({"emoji": emoji, "count": count, "reactedByMe": mine})
}

#[tokio::test]
async fn one_of_each_emoji_per_member_and_again_changes_nothing() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let m = send_in(&alice, &g, "hi", "a1").await;
    t.run_pending().await;

    let mine = react(&bob, &add(), &m, "👍").await;
    assert_eq!(mine, json!([summary("👍", 1, true)]));
    let hers = react(&carol, &add(), &m, "👍").await;
    assert_eq!(hers, json!([summary("👍", 2, true)]));
    assert_eq!(t.count("outbox").await, 2);
    // The same again, or another spelling of the same emoji: no change,
    // no event.
    react(&bob, &add(), &m, "👍").await;
    react(&bob, &add(), &m, "\u{2764}").await;
    react(&bob, &add(), &m, "❤️").await;
    assert_eq!(t.count("outbox").await, 3);
    assert_eq!(
        seen(&alice, &g, &m).await,
        json!([summary("👍", 2, false), summary("❤️", 1, false)])
    );

    // Refusals change nothing.
    for (emoji, id) in [("a", &m), ("👍👍", &m), ("", &m), ("👍", &json!("nope"))] {
        let (code, ext) = refused(&bob, &add(), json!({"m": id, "e": emoji})).await;
        let field = if emoji == "👍" {
            "messageId"
        } else {
            "emoji"
        };
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("BAD_USER_INPUT", &json!(field)),
            "{emoji}"
        );
    }
    for query in [add(), remove()] {
        let (code, _) = refused(&dave, &query, json!({"m": m, "e": "👍"})).await;
        assert_eq!(code, "NOT_FOUND");
    }
    assert_eq!(t.count("outbox").await, 3);

    // Taking back: once, then nothing to take back.
    let after = react(&bob, &remove(), &m, "👍").await;
    assert_eq!(
        after,
        json!([summary("👍", 1, false), summary("❤️", 1, true)])
    );
    react(&bob, &remove(), &m, "👍").await;
    react(&bob, &remove(), &m, "😀").await;
    assert_eq!(t.count("outbox").await, 4);

    // A removed member changes nothing; her reaction stays.
    ok(&alice, REMOVE_MEMBER, json!({"c": g, "u": carol.id})).await;
    for query in [add(), remove()] {
        let (code, _) = refused(&carol, &query, json!({"m": m, "e": "👍"})).await;
        assert_eq!(code, "FORBIDDEN");
    }
    assert_eq!(seen(&carol, &g, &m).await[0], summary("👍", 1, true));

    // Twenty different emoji, not one more; those used already still go.
    let other = send_in(&bob, &g, "vote", "b1").await;
    let twenty = [
        "😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰",
        "😗", "😙", "😚", "🙂", "🤗",
    ];
    for emoji in twenty {
        react(&bob, &add(), &other, emoji).await;
    }
    let (code, ext) = refused(&alice, &add(), json!({"m": other, "e": "🤩"})).await;
    assert_eq!(
        (code.as_str(), &ext["field"], &ext["reason"]),
        (
            "BAD_USER_INPUT",
            &json!("emoji"),
            &json!("TOO_MANY_REACTIONS")
        )
    );
    let all = react(&alice, &add(), &other, "😀").await;
    assert_eq!(all.as_array().unwrap().len(), 20);
    assert_eq!(all[0], summary("😀", 2, true));

    // A deleted message has none and takes none.
    ok(&alice, &delete(), json!({"m": m})).await;
    assert_eq!(seen(&bob, &g, &m).await, json!([]));
    let (code, _) = refused(&bob, &add(), json!({"m": m, "e": "👍"})).await;
    assert_eq!(code, "CONFLICT");
    assert_eq!(t.count("message_reactions").await, 21);
}

async fn every_member_is_told_with_their_own_view(events: TestEvents) {
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let alice_phone = t.sign_in_again(&alice).await;
    let query = format!(
        "subscription($after: String) {{
          messageEvents(after: $after) {{ kind user {{ id }} message {{ id text {REACTIONS} }} }}
        }}"
    );
    let bob_cursor = bob.events_cursor().await;
    let sent = alice.send(&bob, "lunch?").await;
    let m = sent["id"].clone();
    let mut bob_ws = t.ws(&bob).await;
    bob_ws
        .subscribe("b", &query, json!({"after": bob_cursor}))
        .await;
    assert_eq!(
        next_events(&mut bob_ws, "b", 1).await[0]["kind"],
        "MESSAGE_RECEIVED"
    );
    // Her phone from now on (her MESSAGE_SENT went in with his entry).
    let phone_cursor = alice_phone.events_cursor().await;
    let mut phone_ws = t.ws(&alice_phone).await;
    phone_ws
        .subscribe("p", &query, json!({"after": phone_cursor}))
        .await;

    react(&alice, &add(), &m, "🎉").await;
    let told = &next_events(&mut bob_ws, "b", 1).await[0];
    assert_eq!(told["kind"], "REACTIONS_CHANGED");
    assert_eq!(told["user"]["id"], alice.id.as_str());
    assert_eq!(
        told["message"]["reactions"],
        json!([summary("🎉", 1, false)])
    );
    let own = &next_events(&mut phone_ws, "p", 1).await[0];
    assert_eq!(own["kind"], "REACTIONS_CHANGED");
    assert_eq!(own["message"]["reactions"], json!([summary("🎉", 1, true)]));

    // A replay shows the reactions as they are now, in every event.
    react(&bob, &add(), &m, "🎉").await;
    next_events(&mut bob_ws, "b", 1).await;
    let mut again = t.ws(&bob).await;
    again
        .subscribe("r", &query, json!({"after": bob_cursor}))
        .await;
    let replayed = next_events(&mut again, "r", 3).await;
    for event in &replayed {
        assert_eq!(
            event["message"]["reactions"],
            json!([summary("🎉", 2, true)]),
            "{event}"
        );
    }
}

testkit::in_both_modes!(every_member_is_told_with_their_own_view);
