//! A group, through the router only: three users name themselves and
//! become friends with the friend-request mutations, one creates a group,
//! every message reaches every member live with the sender's nickname
//! (users) on the event (messaging), one member reads on one of their two
//! devices (the other device learns the counts, the others the marker),
//! and a removed member hears of the removal and then nothing more.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{System, TestUser};
use serde_json::{Value, json};
use testkit::{WsClient, error_code};

use crate::flows::{next_data, ok, set_nickname};

/// Every field of the event and the message an app shows, users' fields
/// (nicknames) included.
const MESSAGE_EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) {
    cursor at kind conversationId readUpTo unreadCount unreadTotal user { id nickname }
    message {
      id kind text clientMessageId sender { id nickname } editedAt deletedAt
      system { action actor { nickname } users { nickname } title }
      replyTo { id text deletedAt sender { nickname } }
      reactions { emoji count reactedByMe }
    }
  }
}";

pub(crate) const CREATE_GROUP: &str = "mutation($title: String!, $ids: [ID!]!) {
  createGroup(input: {title: $title, memberIds: $ids}) {
    conversation { id kind title myRole memberCount members { nodes { role user { nickname } } } }
  }
}";

pub(crate) const SEND_IN: &str = "mutation($c: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {conversationId: $c, text: $text, clientMessageId: $cid}) {
    message { id kind text clientMessageId sender { nickname } }
    conversation { id unreadCount }
  }
}";

const SEND_TO: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) {
    message { id kind text clientMessageId sender { nickname } }
    conversation { id kind peer { nickname } }
  }
}";

const UNREAD: &str = "{ me { nickname unreadTotal unreadConversations } }";

/// A signed-in app: one session of a user, its `messageEvents` stream
/// open from the moment it was opened (nothing after is missed).
pub(crate) struct Device {
    pub(crate) user: TestUser,
    pub(crate) ws: WsClient,
}

impl Device {
    pub(crate) async fn open(system: &System, user: &TestUser) -> Device {
        let cursor = ok(user, "{ messageEventsCursor }", json!({})).await;
        let mut ws = system.ws(user).await;
        ws.subscribe(
            "messages",
            MESSAGE_EVENTS,
            json!({"after": cursor["messageEventsCursor"]}),
        )
        .await;
        Device {
            user: user.clone(),
            ws,
        }
    }

    /// The next event of the stream (waits up to `next_data`'s timeout).
    pub(crate) async fn next(&mut self) -> Value {
        let event = next_data(&mut self.ws, "messages").await["messageEvents"].clone();
        assert!(event["cursor"].is_string(), "{event}");
        assert!(event["at"].is_string(), "{event}");
        event
    }
}

pub(crate) async fn befriend(user: &TestUser, other: &TestUser) {
    let sent = ok(
        user,
        "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
        json!({"id": other.id}),
    )
    .await;
    assert_eq!(sent["sendFriendRequest"]["relationship"], "REQUEST_SENT");
    let accepted = ok(
        other,
        "mutation($id: ID!) { acceptFriendRequest(userId: $id) { relationship user { id } } }",
        json!({"id": user.id}),
    )
    .await;
    assert_eq!(
        accepted["acceptFriendRequest"],
        json!({"relationship": "FRIENDS", "user": {"id": user.id}})
    );
}

/// `user` writes `text` into conversation `conversation`: the message.
pub(crate) async fn say(user: &TestUser, conversation: &Value, text: &str, cid: &str) -> Value {
    let sent = ok(
        user,
        SEND_IN,
        json!({"c": conversation, "text": text, "cid": cid}),
    )
    .await;
    let payload = &sent["sendMessage"];
    assert_eq!(payload["conversation"]["id"], *conversation, "{sent}");
    // Sending reads the conversation for the sender.
    assert_eq!(payload["conversation"]["unreadCount"], 0, "{sent}");
    assert_eq!(payload["message"]["clientMessageId"], cid, "{sent}");
    payload["message"].clone()
}

/// Each device's next event is `message` (TEXT, in `conversation`), sent
/// by `sender`: MESSAGE_SENT on the sender's devices, with their
/// `clientMessageId`; MESSAGE_RECEIVED on everybody else's, without it.
pub(crate) async fn arrives(
    devices: &mut [&mut Device],
    conversation: &Value,
    sender: &TestUser,
    message: &Value,
) {
    for device in devices {
        let event = device.next().await;
        let own = device.user.id == sender.id;
        let kind = if own {
            "MESSAGE_SENT"
        } else {
            "MESSAGE_RECEIVED"
        };
        assert_eq!(event["kind"], kind, "{event}");
        assert_eq!(event["conversationId"], *conversation, "{event}");
        let got = &event["message"];
        assert_eq!(got["id"], message["id"], "{event}");
        assert_eq!(got["kind"], "TEXT", "{event}");
        assert_eq!(got["text"], message["text"], "{event}");
        assert_eq!(
            got["sender"],
            json!({"id": sender.id, "nickname": message["sender"]["nickname"]}),
            "{event}"
        );
        let cid = if own {
            message["clientMessageId"].clone()
        } else {
            Value::Null
        };
        assert_eq!(got["clientMessageId"], cid, "{event}");
        assert!(
            event["readUpTo"].is_null() && event["user"].is_null(),
            "{event}"
        );
    }
}

/// Each device's next event is the SYSTEM message announcing `action` by
/// `actor` (nickname) about `users` (nicknames) in `conversation`; the
/// actor's devices get it as MESSAGE_SENT. Returns the message.
pub(crate) async fn announced(
    devices: &mut [&mut Device],
    conversation: &Value,
    actor: &TestUser,
    action: &str,
    users: &[&str],
) -> Value {
    let mut announcement = Value::Null;
    for device in devices {
        let event = device.next().await;
        let own = device.user.id == actor.id;
        let kind = if own {
            "MESSAGE_SENT"
        } else {
            "MESSAGE_RECEIVED"
        };
        assert_eq!(event["kind"], kind, "{event}");
        assert_eq!(event["conversationId"], *conversation, "{event}");
        let message = &event["message"];
        assert_eq!(message["kind"], "SYSTEM", "{event}");
        assert!(message["sender"].is_null(), "{event}");
        assert_eq!(message["system"]["action"], action, "{event}");
        let nicknames: Vec<Value> = users.iter().map(|n| json!({"nickname": n})).collect();
        assert_eq!(message["system"]["users"], json!(nicknames), "{event}");
        assert!(!message["text"].as_str().unwrap().is_empty(), "{event}");
        if announcement.is_null() {
            announcement = message.clone();
        } else {
            assert_eq!(message["id"], announcement["id"], "one message: {event}");
        }
    }
    announcement
}

/// `(nickname, field)` of a conversation's members, sorted by nickname.
fn members_by_nickname(conversation: &Value, field: &str) -> Vec<(String, Value)> {
    let mut members: Vec<(String, Value)> = conversation["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["nickname"].as_str().unwrap().to_owned(),
                m[field].clone(),
            )
        })
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    members
}

fn pairs(members: &[(&str, Value)]) -> Vec<(String, Value)> {
    members
        .iter()
        .map(|(nickname, value)| ((*nickname).to_owned(), value.clone()))
        .collect()
}

async fn unread(user: &TestUser) -> Value {
    ok(user, UNREAD, json!({})).await["me"].clone()
}

#[tokio::test]
async fn a_group_chat_through_the_router() {
    let system = System::start().await;
    let (alice, bob, carol) = tokio::join!(
        system.user("alice"),
        system.user("bob"),
        system.user("carol")
    );
    set_nickname(&alice, "Alice_W").await;
    set_nickname(&bob, "bobby").await;
    set_nickname(&carol, "caro").await;
    befriend(&alice, &bob).await;
    befriend(&alice, &carol).await;

    // Bob has a laptop and a phone; every app reads its stream from now on.
    let bob_phone = system.sign_in_again(&bob).await;
    assert_ne!(bob_phone.access_token, bob.access_token);
    let mut alice_app = Device::open(&system, &alice).await;
    let mut laptop = Device::open(&system, &bob).await;
    let mut phone = Device::open(&system, &bob_phone).await;
    let mut carol_app = Device::open(&system, &carol).await;

    let created = ok(
        &alice,
        CREATE_GROUP,
        json!({"title": "Saturday hike", "ids": [bob.id, carol.id]}),
    )
    .await["createGroup"]["conversation"]
        .clone();
    assert_eq!(created["kind"], "GROUP");
    assert_eq!(created["title"], "Saturday hike");
    assert_eq!(created["myRole"], "OWNER");
    assert_eq!(created["memberCount"], 3);
    assert_eq!(
        members_by_nickname(&created, "role"),
        pairs(&[
            ("Alice_W", json!("OWNER")),
            ("bobby", json!("MEMBER")),
            ("caro", json!("MEMBER")),
        ])
    );
    let group = created["id"].clone();
    let mut everyone = [&mut alice_app, &mut laptop, &mut phone, &mut carol_app];
    let opening = announced(
        &mut everyone,
        &group,
        &alice,
        "GROUP_CREATED",
        &["bobby", "caro"],
    )
    .await;
    assert_eq!(opening["system"]["actor"]["nickname"], "Alice_W");
    assert_eq!(opening["system"]["title"], "Saturday hike");

    // Messages fan out live to every member's every device.
    let m1 = say(&alice, &group, "Who's in for Saturday?", "a-1").await;
    arrives(&mut everyone, &group, &alice, &m1).await;
    let m2 = say(&carol, &group, "Me! I'll bring snacks", "c-1").await;
    arrives(&mut everyone, &group, &carol, &m2).await;
    let m3 = say(&bob, &group, "Count me in", "b-1").await;
    arrives(&mut everyone, &group, &bob, &m3).await;
    let m4 = say(&alice, &group, "Meet at 8 at the station", "a-2").await;
    arrives(&mut everyone, &group, &alice, &m4).await;
    // A direct message on the side: only its two users hear of it.
    let direct = ok(
        &carol,
        SEND_TO,
        json!({"to": bob.id, "text": "psst, bring water", "cid": "c-2"}),
    )
    .await["sendMessage"]
        .clone();
    assert_eq!(direct["conversation"]["kind"], "DIRECT");
    assert_eq!(direct["conversation"]["peer"]["nickname"], "bobby");
    let psst = direct["message"].clone();
    for device in [&mut laptop, &mut phone, &mut carol_app] {
        let event = device.next().await;
        assert_eq!(event["conversationId"], direct["conversation"]["id"]);
        assert_eq!(event["message"]["id"], psst["id"]);
        assert_eq!(event["message"]["sender"]["nickname"], "caro");
    }
    let m5 = say(&alice, &group, "And bring water", "a-3").await;
    let mut everyone = [&mut alice_app, &mut laptop, &mut phone, &mut carol_app];
    arrives(&mut everyone, &group, &alice, &m5).await;

    // Bob's unread messages, the same on both devices: the group's two
    // since his own message, and the direct one. Nobody else sees his.
    for session in [&bob, &bob_phone] {
        assert_eq!(
            unread(session).await,
            json!({"nickname": "bobby", "unreadTotal": 3, "unreadConversations": 2})
        );
    }
    let seen_by_alice = ok(
        &alice,
        "query($id: ID!) { user(id: $id) { nickname unreadTotal unreadConversations } }",
        json!({"id": bob.id}),
    )
    .await;
    assert_eq!(
        seen_by_alice["user"],
        json!({"nickname": "bobby", "unreadTotal": null, "unreadConversations": null})
    );
    assert_eq!(
        unread(&alice).await,
        json!({"nickname": "Alice_W", "unreadTotal": 0, "unreadConversations": 0})
    );

    // Bob reads the group on his laptop: both his devices learn the new
    // counts, Alice and Carol his marker.
    let read = ok(
        &bob,
        "mutation($c: ID!, $m: ID!) {
           markRead(input: {conversationId: $c, upTo: $m}) { conversation { id unreadCount } }
         }",
        json!({"c": group, "m": m5["id"]}),
    )
    .await;
    assert_eq!(
        read["markRead"]["conversation"],
        json!({"id": group, "unreadCount": 0})
    );
    for device in [&mut laptop, &mut phone] {
        let event = device.next().await;
        assert_eq!(event["kind"], "CONVERSATION_READ", "{event}");
        assert_eq!(event["conversationId"], group);
        assert_eq!(event["readUpTo"], m5["id"]);
        assert_eq!(event["unreadCount"], 0, "{event}");
        assert_eq!(event["unreadTotal"], 1, "the direct message: {event}");
        assert!(event["message"].is_null(), "{event}");
    }
    for device in [&mut alice_app, &mut carol_app] {
        let event = device.next().await;
        assert_eq!(event["kind"], "MEMBER_READ", "{event}");
        assert_eq!(event["conversationId"], group);
        assert_eq!(event["readUpTo"], m5["id"]);
        assert_eq!(
            event["user"],
            json!({"id": bob.id, "nickname": "bobby"}),
            "{event}"
        );
        assert!(event["unreadTotal"].is_null(), "{event}");
    }
    assert_eq!(
        unread(&bob_phone).await,
        json!({"nickname": "bobby", "unreadTotal": 1, "unreadConversations": 1})
    );
    // Every member's marker, as the others see it: each sender's own
    // message reads the group for them.
    let markers = ok(
        &carol,
        "query($id: ID!) { conversation(id: $id) { members { nodes { readUpTo user { nickname } } } } }",
        json!({"id": group}),
    )
    .await;
    assert_eq!(
        members_by_nickname(&markers["conversation"], "readUpTo"),
        pairs(&[
            ("Alice_W", m5["id"].clone()),
            ("bobby", m5["id"].clone()),
            ("caro", m2["id"].clone()),
        ])
    );

    // Alice removes Carol: Carol hears of it, as everyone does…
    let removed = ok(
        &alice,
        "mutation($c: ID!, $u: ID!) {
           removeMember(input: {conversationId: $c, userId: $u}) {
             conversation { memberCount members { nodes { role user { nickname } } } }
           }
         }",
        json!({"c": group, "u": carol.id}),
    )
    .await;
    let conversation = &removed["removeMember"]["conversation"];
    assert_eq!(conversation["memberCount"], 2);
    assert_eq!(
        members_by_nickname(conversation, "role"),
        pairs(&[("Alice_W", json!("OWNER")), ("bobby", json!("MEMBER"))])
    );
    let mut everyone = [&mut alice_app, &mut laptop, &mut phone, &mut carol_app];
    let removal = announced(&mut everyone, &group, &alice, "MEMBER_REMOVED", &["caro"]).await;
    assert_eq!(removal["system"]["actor"]["nickname"], "Alice_W");

    // …and then nothing more of the group. The group's next message
    // reaches the members; a direct message to Carol after it is the next
    // thing she hears (her stream is in order: it would come second).
    let m6 = say(&alice, &group, "Just us two then", "a-4").await;
    let mut members = [&mut alice_app, &mut laptop, &mut phone];
    arrives(&mut members, &group, &alice, &m6).await;
    let sorry = ok(
        &alice,
        SEND_TO,
        json!({"to": carol.id, "text": "Sorry, the car is full", "cid": "a-5"}),
    )
    .await["sendMessage"]["message"]
        .clone();
    let event = carol_app.next().await;
    assert_eq!(event["kind"], "MESSAGE_RECEIVED", "{event}");
    assert_ne!(event["conversationId"], group, "{event}");
    assert_eq!(event["message"]["id"], sorry["id"], "{event}");
    assert_eq!(event["message"]["sender"]["nickname"], "Alice_W");

    // She may not write into it, and sees it up to her removal.
    let resp = carol
        .gql
        .query(SEND_IN, json!({"c": group, "text": "wait!", "cid": "c-3"}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    let hers = ok(
        &carol,
        "query($id: ID!) { conversation(id: $id) {
           myRole memberCount lastMessage { id } messages(last: 20) { nodes { id kind text } }
         } }",
        json!({"id": group}),
    )
    .await["conversation"]
        .clone();
    assert!(hers["myRole"].is_null(), "{hers}");
    assert_eq!(hers["lastMessage"]["id"], removal["id"]);
    let timeline: Vec<&Value> = hers["messages"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    // Newest first.
    assert_eq!(
        timeline,
        [
            &removal["id"],
            &m5["id"],
            &m4["id"],
            &m3["id"],
            &m2["id"],
            &m1["id"],
            &opening["id"]
        ]
    );

    // Bob's phone pages back from the newest message.
    let page = ok(
        &bob_phone,
        "query($id: ID!) { conversation(id: $id) {
           unreadCount messages(last: 2) { nodes { id } pageInfo { hasPreviousPage endCursor } }
         } }",
        json!({"id": group}),
    )
    .await["conversation"]
        .clone();
    assert_eq!(page["unreadCount"], 2, "the removal and Alice's last");
    assert_eq!(
        page["messages"]["nodes"],
        json!([{"id": m6["id"]}, {"id": removal["id"]}])
    );
    assert_eq!(page["messages"]["pageInfo"]["hasPreviousPage"], true);
    let older = ok(
        &bob_phone,
        "query($id: ID!, $before: String) { conversation(id: $id) {
           messages(last: 2, before: $before) { nodes { id } }
         } }",
        json!({"id": group, "before": page["messages"]["pageInfo"]["endCursor"]}),
    )
    .await;
    assert_eq!(
        older["conversation"]["messages"]["nodes"],
        json!([{"id": m5["id"]}, {"id": m4["id"]}])
    );

    for device in [alice_app, laptop, phone, carol_app] {
        device.ws.close().await;
    }
}
