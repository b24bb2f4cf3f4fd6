//! A message's life after sending, through the router only: a reply, an
//! edit, reactions, a deletion by the group's owner and typing signals
//! reach every member live, each with who made the change (users'
//! nicknames on messaging's events); outsiders and other members change
//! nothing; and a replay from before it all shows each message as it is
//! now: never a text it had before an edit, never a deleted text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{System, TestUser};
use serde_json::{Value, json};
use std::time::Duration;

use testkit::{error_code, ws_error};

use crate::flows::{next_data, ok, set_nickname};
use crate::groups::{CREATE_GROUP, Device, announced, arrives, befriend, say};

const EDIT: &str = "mutation($m: ID!, $text: String!) {
  editMessage(input: {messageId: $m, text: $text}) { message { id text editedAt } }
}";

const DELETE: &str = "mutation($m: ID!) {
  deleteMessage(messageId: $m) { message { id text deletedAt } }
}";

const REACT: &str = "mutation($m: ID!, $e: String!) {
  addReaction(input: {messageId: $m, emoji: $e}) { message { reactions { emoji count reactedByMe } } }
}";

const UNREACT: &str = "mutation($m: ID!, $e: String!) {
  removeReaction(input: {messageId: $m, emoji: $e}) { message { reactions { emoji count reactedByMe } } }
}";

const TYPING: &str = "mutation($c: ID!, $t: Boolean!) {
  setTyping(input: {conversationId: $c, typing: $t}) { conversationId }
}";

/// Each device's next event is a change of `kind` to message `id` made by
/// `by` (nickname): the events, in the devices' order.
async fn changed(devices: &mut [&mut Device], kind: &str, id: &Value, by: &str) -> Vec<Value> {
    let mut events = Vec::new();
    for device in devices {
        let event = device.next().await;
        assert_eq!(event["kind"], kind, "{event}");
        assert_eq!(event["message"]["id"], *id, "{event}");
        assert_eq!(event["user"]["nickname"], by, "{event}");
        events.push(event);
    }
    events
}

/// `query` as `user` fails with `code` (in `extensions.code`).
async fn refused(user: &TestUser, query: &str, variables: Value, code: &str) {
    let resp = user.gql.query(query, variables).await;
    assert_eq!(error_code(&resp).as_deref(), Some(code), "{resp}");
}

#[tokio::test]
async fn a_message_lives_through_the_router() {
    let system = System::start().await;
    let (alice, bob, carol, dave) = tokio::join!(
        system.user("alice"),
        system.user("bob"),
        system.user("carol"),
        system.user("dave"),
    );
    set_nickname(&alice, "Alice_W").await;
    set_nickname(&bob, "bobby").await;
    set_nickname(&carol, "caro").await;
    befriend(&alice, &bob).await;
    befriend(&alice, &carol).await;
    // Where Bob's replay will start: before the group existed.
    let start = ok(&bob, "{ messageEventsCursor }", json!({})).await["messageEventsCursor"].clone();

    let mut alice_app = Device::open(&system, &alice).await;
    let mut bob_app = Device::open(&system, &bob).await;
    let mut carol_app = Device::open(&system, &carol).await;
    let group = ok(
        &alice,
        CREATE_GROUP,
        json!({"title": "Saturday hike", "ids": [bob.id, carol.id]}),
    )
    .await["createGroup"]["conversation"]["id"]
        .clone();
    let mut everyone = [&mut alice_app, &mut bob_app, &mut carol_app];
    announced(
        &mut everyone,
        &group,
        &alice,
        "GROUP_CREATED",
        &["bobby", "caro"],
    )
    .await;

    // Alice proposes a time; Bob answers it with a reply.
    let plan = say(&alice, &group, "Saturday at 8", "a-1").await;
    arrives(&mut everyone, &group, &alice, &plan).await;
    let reply = ok(
        &bob,
        "mutation($c: ID!, $r: ID!) {
           sendMessage(input: {conversationId: $c, text: \"8 is early\", clientMessageId: \"b-1\", replyToId: $r}) {
             message { id text replyTo { id text sender { nickname } } }
           }
         }",
        json!({"c": group, "r": plan["id"]}),
    )
    .await["sendMessage"]["message"]
        .clone();
    assert_eq!(
        reply["replyTo"],
        json!({"id": plan["id"], "text": "Saturday at 8", "sender": {"nickname": "Alice_W"}})
    );
    for device in &mut everyone {
        let event = device.next().await;
        assert_eq!(event["message"]["id"], reply["id"], "{event}");
        assert_eq!(event["message"]["replyTo"]["id"], plan["id"], "{event}");
        assert_eq!(event["message"]["replyTo"]["sender"]["nickname"], "Alice_W");
    }

    // Alice moves the time: every member sees the new text, edited by her.
    let edited = ok(
        &alice,
        EDIT,
        json!({"m": plan["id"], "text": "Saturday at 9"}),
    )
    .await;
    let edited_at = edited["editMessage"]["message"]["editedAt"].clone();
    assert!(edited_at.is_string(), "{edited}");
    for event in changed(&mut everyone, "MESSAGE_EDITED", &plan["id"], "Alice_W").await {
        assert_eq!(event["message"]["text"], "Saturday at 9", "{event}");
        assert_eq!(event["message"]["editedAt"], edited_at, "{event}");
    }
    // The same text again changes nothing and tells nobody (the next
    // event every device gets is the reaction below).
    let again = ok(
        &alice,
        EDIT,
        json!({"m": plan["id"], "text": "Saturday at 9"}),
    )
    .await;
    assert_eq!(again["editMessage"]["message"]["editedAt"], edited_at);
    // Nobody else may edit it; an outsider does not even learn it exists.
    refused(
        &bob,
        EDIT,
        json!({"m": plan["id"], "text": "Sunday"}),
        "FORBIDDEN",
    )
    .await;
    refused(
        &dave,
        EDIT,
        json!({"m": plan["id"], "text": "Sunday"}),
        "NOT_FOUND",
    )
    .await;
    refused(
        &dave,
        REACT,
        json!({"m": plan["id"], "e": "👎"}),
        "NOT_FOUND",
    )
    .await;
    refused(&dave, DELETE, json!({"m": plan["id"]}), "NOT_FOUND").await;
    refused(&bob, DELETE, json!({"m": plan["id"]}), "FORBIDDEN").await;

    // Carol likes it: each member's event says whether it is theirs.
    ok(&carol, REACT, json!({"m": plan["id"], "e": "👍"})).await;
    let events = changed(&mut everyone, "REACTIONS_CHANGED", &plan["id"], "caro").await;
    for (event, mine) in events.iter().zip([false, false, true]) {
        assert_eq!(
            event["message"]["reactions"],
            json!([{"emoji": "👍", "count": 1, "reactedByMe": mine}]),
            "{event}"
        );
    }
    // Bob too, twice (the second changes nothing), then takes a 🎉 back.
    ok(&bob, REACT, json!({"m": plan["id"], "e": "👍"})).await;
    ok(&bob, REACT, json!({"m": plan["id"], "e": "👍"})).await;
    let events = changed(&mut everyone, "REACTIONS_CHANGED", &plan["id"], "bobby").await;
    assert_eq!(
        events[1]["message"]["reactions"],
        json!([{"emoji": "👍", "count": 2, "reactedByMe": true}])
    );
    ok(&bob, REACT, json!({"m": plan["id"], "e": "🎉"})).await;
    changed(&mut everyone, "REACTIONS_CHANGED", &plan["id"], "bobby").await;
    let back = ok(&bob, UNREACT, json!({"m": plan["id"], "e": "🎉"})).await;
    assert_eq!(
        back["removeReaction"]["message"]["reactions"],
        json!([{"emoji": "👍", "count": 2, "reactedByMe": true}])
    );
    changed(&mut everyone, "REACTIONS_CHANGED", &plan["id"], "bobby").await;

    // The owner deletes Bob's reply: a tombstone for everyone, and the
    // counts follow (Carol's unread messages: the plan only).
    let deleted = ok(&alice, DELETE, json!({"m": reply["id"]})).await;
    let tombstone = &deleted["deleteMessage"]["message"];
    assert_eq!(tombstone["text"], "");
    assert!(tombstone["deletedAt"].is_string(), "{deleted}");
    for event in changed(&mut everyone, "MESSAGE_DELETED", &reply["id"], "Alice_W").await {
        assert_eq!(event["message"]["text"], "", "{event}");
        assert_eq!(event["message"]["deletedAt"], tombstone["deletedAt"]);
    }
    let carols = ok(
        &carol,
        "query($c: ID!) { conversation(id: $c) { unreadCount lastMessage { id } } }",
        json!({"c": group}),
    )
    .await;
    assert_eq!(
        carols["conversation"],
        json!({"unreadCount": 2, "lastMessage": {"id": plan["id"]}}),
        "the creation and the plan"
    );
    // Deleting it again changes nothing and tells nobody: the next event
    // is a message.
    ok(&alice, DELETE, json!({"m": reply["id"]})).await;
    let later = say(&carol, &group, "9 works", "c-1").await;
    arrives(&mut everyone, &group, &carol, &later).await;

    // Typing, on its own subscription: Carol starts and stops, Bob hears
    // it; an outsider may neither listen nor tell.
    let mut bob_typing = system.ws(&bob).await;
    bob_typing
        .subscribe(
            "typing",
            "subscription($c: ID!) { typing(conversationId: $c) { conversationId typing user { nickname } } }",
            json!({"c": group}),
        )
        .await;
    let mut dave_typing = system.ws(&dave).await;
    dave_typing
        .subscribe(
            "typing",
            "subscription($c: ID!) { typing(conversationId: $c) { typing } }",
            json!({"c": group}),
        )
        .await;
    let refusal = dave_typing
        .next_event(Duration::from_secs(15))
        .await
        .expect("an answer to an outsider's typing subscription");
    assert_eq!(
        ws_error(&refusal).0.as_deref(),
        Some("NOT_FOUND"),
        "{refusal}"
    );
    // The subscription goes live asynchronously (client, router,
    // messaging): Carol types until Bob hears it, a signal a second (the
    // rate lets one a second through).
    let mut heard = None;
    for _ in 0..20 {
        ok(&carol, TYPING, json!({"c": group, "t": true})).await;
        if let Some(msg) = bob_typing.next_event(Duration::from_millis(1100)).await {
            heard = Some(msg);
            break;
        }
    }
    let heard = heard.expect("Bob hears Carol type");
    assert_eq!(
        heard["payload"]["data"]["typing"],
        json!({"conversationId": group, "typing": true, "user": {"nickname": "caro"}}),
        "{heard}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    ok(&carol, TYPING, json!({"c": group, "t": false})).await;
    // Her stop, after any true still on its way.
    loop {
        let typing = next_data(&mut bob_typing, "typing").await;
        assert_eq!(typing["typing"]["user"]["nickname"], "caro", "{typing}");
        if typing["typing"]["typing"] == false {
            break;
        }
    }
    refused(&dave, TYPING, json!({"c": group, "t": true}), "NOT_FOUND").await;
    bob_typing.close().await;
    dave_typing.close().await;

    // Bob replays everything from before the group: each message as it is
    // now. The plan has its edited text, the reply no text at all.
    let mut from_start = system.ws(&bob).await;
    from_start
        .subscribe(
            "replay",
            "subscription($after: String) { messageEvents(after: $after) {
               kind message { id text editedAt deletedAt reactions { emoji count } }
             } }",
            json!({"after": start}),
        )
        .await;
    let mut seen = Vec::new();
    loop {
        let event = next_data(&mut from_start, "replay").await["messageEvents"].clone();
        let last = event["message"]["id"] == later["id"];
        seen.push(event);
        if last {
            break;
        }
    }
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("Saturday at 8"),
        "an old text replayed: {text}"
    );
    assert!(
        !text.contains("8 is early"),
        "a deleted text replayed: {text}"
    );
    let kinds: Vec<&str> = seen.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "MESSAGE_RECEIVED", // the group's creation
            "MESSAGE_RECEIVED", // the plan
            "MESSAGE_SENT",     // the reply
            "MESSAGE_EDITED",
            "REACTIONS_CHANGED",
            "REACTIONS_CHANGED",
            "REACTIONS_CHANGED",
            "REACTIONS_CHANGED",
            "MESSAGE_DELETED",
            "MESSAGE_RECEIVED", // "9 works"
        ]
    );
    for event in seen.iter().filter(|e| e["message"]["id"] == plan["id"]) {
        assert_eq!(event["message"]["text"], "Saturday at 9", "{event}");
        assert_eq!(
            event["message"]["reactions"],
            json!([{"emoji": "👍", "count": 2}]),
            "{event}"
        );
    }
    for event in seen.iter().filter(|e| e["message"]["id"] == reply["id"]) {
        assert_eq!(event["message"]["text"], "", "{event}");
        assert!(event["message"]["deletedAt"].is_string(), "{event}");
    }
    from_start.close().await;
    for device in [alice_app, bob_app, carol_app] {
        device.ws.close().await;
    }
}
