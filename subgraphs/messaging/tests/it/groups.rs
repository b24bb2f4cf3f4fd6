//! Group conversations through the API: friends only, the size limit,
//! roles, leaving and removal, SYSTEM messages in the timeline and the
//! feed, unread totals and read events, pagination both ways.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::{
    Chat as _, MessagingDb as _, SEND_IN, Stack, TestUser, next_events, nodes, spawn, spawn_live,
    spawn_with,
};
use serde_json::{Value, json};
use testkit::events::Mode;
use testkit::{TestEvents, WsClient, assert_no_errors, error_code};

const CONVERSATION_FIELDS: &str = "id kind title myRole memberCount unreadCount peer { id }
    lastMessage { id kind text }
    members(first: 100) { edges { node { user { id } role joinedAt readUpTo } } }";

fn create_group() -> String {
    format!(
        "mutation($title: String!, $ids: [ID!]!) {{
          createGroup(input: {{title: $title, memberIds: $ids}}) {{ conversation {{ {CONVERSATION_FIELDS} }} }}
        }}"
    )
}

fn add_members() -> String {
    format!(
        "mutation($c: ID!, $ids: [ID!]!) {{
          addMembers(input: {{conversationId: $c, userIds: $ids}}) {{ conversation {{ {CONVERSATION_FIELDS} }} }}
        }}"
    )
}

fn remove_member() -> String {
    format!(
        "mutation($c: ID!, $u: ID!) {{
          removeMember(input: {{conversationId: $c, userId: $u}}) {{ conversation {{ {CONVERSATION_FIELDS} }} }}
        }}"
    )
}

fn set_role() -> String {
    format!(
        "mutation($c: ID!, $u: ID!, $role: MemberRole!) {{
          setMemberRole(input: {{conversationId: $c, userId: $u, role: $role}}) {{
            conversation {{ {CONVERSATION_FIELDS} }} member {{ user {{ id }} role }}
          }}
        }}"
    )
}

fn rename() -> String {
    format!(
        "mutation($c: ID!, $title: String!) {{
          updateConversation(input: {{conversationId: $c, title: $title}}) {{ conversation {{ {CONVERSATION_FIELDS} }} }}
        }}"
    )
}

fn conversation() -> String {
    format!("query($id: ID!) {{ conversation(id: $id) {{ {CONVERSATION_FIELDS} }} }}")
}

const LEAVE: &str =
    "mutation($c: ID!) { leaveConversation(conversationId: $c) { conversationId } }";

const TIMELINE: &str = "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) {
    messages(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id kind text sender { id } clientMessageId
        system { action actor { id } users { id } title role } } }
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    }
  }
}";

const TOTALS: &str = "query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { id unreadTotal unreadConversations } }
}";

const MARK: &str = "mutation($c: ID!, $m: ID!) {
  markRead(input: {conversationId: $c, upTo: $m}) { conversation { id unreadCount } }
}";

/// Runs `query` as `user` and returns its `data` (panics on errors).
async fn ok(user: &TestUser, query: &str, vars: Value) -> Value {
    let resp = user.gql.query(query, vars).await;
    assert_no_errors(&resp);
    resp["data"].clone()
}

/// The first error of `query` as `user`: (code, extensions).
async fn refused(user: &TestUser, query: &str, vars: Value) -> (String, Value) {
    let resp = user.gql.query(query, vars.clone()).await;
    let code = error_code(&resp).unwrap_or_else(|| panic!("{vars} was accepted: {resp}"));
    (code, resp["errors"][0]["extensions"].clone())
}

async fn group(t: &Stack, owner: &TestUser, title: &str, members: &[&TestUser]) -> Value {
    for member in members {
        t.befriend(owner, member).await;
    }
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    ok(owner, &create_group(), json!({"title": title, "ids": ids})).await["createGroup"]
        ["conversation"]
        .clone()
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

/// The whole timeline `user` may see, oldest first.
async fn timeline(user: &TestUser, conversation: &Value) -> Vec<Value> {
    let data = ok(user, TIMELINE, json!({"id": conversation, "first": 100})).await;
    nodes(&data["conversation"]["messages"])
}

/// (user id, role) of the members, by user id (members who joined at the
/// same moment, as at a group's creation, are listed in id order).
fn member_ids(conversation: &Value) -> Vec<(String, String)> {
    let mut members: Vec<(String, String)> = nodes(&conversation["members"])
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    members.sort();
    members
}

/// `pairs` sorted, to compare with [`member_ids`].
fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

fn actions(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            m["system"]["action"]
                .as_str()
                .unwrap_or_else(|| m["kind"].as_str().unwrap())
                .to_owned()
        })
        .collect()
}

async fn subscribed(user: &TestUser, t: &Stack, id: &str) -> WsClient {
    let mut ws = t.ws(user).await;
    user.subscribe_from_now(&mut ws, id).await;
    ws
}

async fn nothing_more(ws: &mut WsClient) {
    assert!(
        ws.next_event(Duration::from_millis(500)).await.is_none(),
        "no further event"
    );
}

#[tokio::test]
async fn a_group_as_large_as_the_default_limit_is_created() {
    // MAX_GROUP_MEMBERS defaults to 1,024: more friends to check than
    // users answers in one AreFriends call (1,000 ids).
    let t = spawn().await;
    let alice = t.seed_user("alice").await;
    let max = i64::from(t.messaging_config().max_group_members);
    assert!(max > 1001, "the default limit is {max}");
    let users = t.users_sql().await;
    let others: Vec<String> = users
        .query(
            "INSERT INTO users (id, nickname) \
             SELECT gen_random_uuid(), 'member' || n FROM generate_series(1, $1::int8) AS n \
             RETURNING id::text",
            &[&(max - 1)],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    users
        .execute(
            "INSERT INTO friendships (user_a, user_b, state, requested_by, accepted_at) \
             SELECT LEAST(a, o), GREATEST(a, o), 'accepted', a, now() \
             FROM (SELECT $1::text::uuid AS a) AS w, unnest($2::text[]::uuid[]) AS o",
            &[&alice.id, &others],
        )
        .await
        .unwrap();

    let created = ok(
        &alice,
        "mutation($title: String!, $ids: [ID!]!) {
           createGroup(input: {title: $title, memberIds: $ids}) { conversation { memberCount } }
         }",
        json!({"title": "Everyone", "ids": others}),
    )
    .await;
    assert_eq!(created["createGroup"]["conversation"]["memberCount"], max);
}

#[tokio::test]
async fn groups_take_friends_only_and_up_to_the_limit() {
    let t = spawn_with(|config| config.max_group_members = 3).await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    t.befriend(&alice, &bob).await;
    t.befriend(&alice, &carol).await;

    let (code, ext) = refused(
        &alice,
        &create_group(),
        json!({"title": "Trip", "ids": [bob.id, dave.id]}),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");
    assert_eq!(ext["reason"], "RECIPIENT_UNAVAILABLE");
    assert_eq!(ext["userIds"], json!([dave.id]));
    assert_eq!(t.count("conversations").await, 0);

    for (vars, field) in [
        (json!({"title": "  ", "ids": [bob.id]}), "title"),
        (json!({"title": "x".repeat(101), "ids": [bob.id]}), "title"),
        (json!({"title": "Trip", "ids": ["nope"]}), "memberIds"),
    ] {
        let (code, ext) = refused(&alice, &create_group(), vars).await;
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("BAD_USER_INPUT", &json!(field))
        );
    }

    let created = ok(
        &alice,
        &create_group(),
        json!({"title": "  Trip ", "ids": [bob.id, carol.id, bob.id]}),
    )
    .await["createGroup"]["conversation"]
        .clone();
    assert_eq!(created["kind"], "GROUP");
    assert_eq!(created["title"], "Trip");
    assert_eq!(created["myRole"], "OWNER");
    assert_eq!(created["memberCount"], 3);
    assert!(created["peer"].is_null());
    assert_eq!(created["unreadCount"], 0, "the creator's own message");
    assert_eq!(
        member_ids(&created),
        sorted(vec![
            (alice.id.clone(), "OWNER".to_owned()),
            (bob.id.clone(), "MEMBER".to_owned()),
            (carol.id.clone(), "MEMBER".to_owned()),
        ])
    );
    let id = created["id"].clone();
    let messages = timeline(&bob, &id).await;
    assert_eq!(messages.len(), 1);
    let system = &messages[0];
    assert_eq!(system["kind"], "SYSTEM");
    assert!(system["sender"].is_null());
    assert_eq!(system["system"]["action"], "GROUP_CREATED");
    assert_eq!(system["system"]["actor"]["id"], alice.id.as_str());
    assert_eq!(
        system["system"]["users"],
        json!([{"id": bob.id}, {"id": carol.id}])
    );
    assert_eq!(system["system"]["title"], "Trip");
    assert!(
        system["text"]
            .as_str()
            .unwrap()
            .contains("created the group \"Trip\""),
        "{system}"
    );

    // A fourth member is one too many.
    t.befriend(&alice, &dave).await;
    let (code, ext) = refused(&alice, &add_members(), json!({"c": id, "ids": [dave.id]})).await;
    assert_eq!(
        (code.as_str(), &ext["reason"]),
        ("BAD_USER_INPUT", &json!("GROUP_FULL"))
    );
    assert_eq!(ext["field"], "userIds");
    // Current members are ignored: nothing to add, no message.
    let same = ok(&alice, &add_members(), json!({"c": id, "ids": [bob.id]})).await;
    assert_eq!(same["addMembers"]["conversation"]["memberCount"], 3);
    assert_eq!(timeline(&alice, &id).await.len(), 1);

    // Strangers and direct conversations.
    let (code, _) = refused(&dave, &conversation(), json!({"id": id})).await;
    assert_eq!(code, "NOT_FOUND");
    let (code, _) = refused(&dave, SEND_IN, json!({"c": id, "text": "hi", "cid": "d1"})).await;
    assert_eq!(code, "NOT_FOUND");
    let direct = alice.send(&bob, "hi").await["conversationId"].clone();
    let (code, ext) = refused(&alice, LEAVE, json!({"c": direct})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("BAD_USER_INPUT", &json!("conversationId"))
    );
}

#[tokio::test]
async fn roles_decide_who_may_change_a_group() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    let id = group(&t, &alice, "Team", &[&bob, &carol]).await["id"].clone();
    let (c, u) = (&id, &carol.id);

    // A MEMBER may not rename, remove or set roles…
    for (query, vars) in [
        (rename(), json!({"c": c, "title": "Mine"})),
        (remove_member(), json!({"c": c, "u": u})),
        (set_role(), json!({"c": c, "u": u, "role": "ADMIN"})),
    ] {
        assert_eq!(refused(&bob, &query, vars).await.0, "FORBIDDEN");
    }
    // …but adds their own friends.
    t.befriend(&bob, &dave).await;
    let (code, ext) = refused(&carol, &add_members(), json!({"c": c, "ids": [dave.id]})).await;
    assert_eq!(
        (code.as_str(), &ext["reason"]),
        ("FORBIDDEN", &json!("RECIPIENT_UNAVAILABLE"))
    );
    let added = ok(&bob, &add_members(), json!({"c": c, "ids": [dave.id]})).await;
    assert_eq!(added["addMembers"]["conversation"]["memberCount"], 4);

    // The OWNER makes Bob an ADMIN: he renames and removes MEMBERs, not the OWNER.
    let set = ok(
        &alice,
        &set_role(),
        json!({"c": c, "u": bob.id, "role": "ADMIN"}),
    )
    .await;
    assert_eq!(set["setMemberRole"]["member"]["role"], "ADMIN");
    let renamed = ok(&bob, &rename(), json!({"c": c, "title": " Team B "})).await;
    assert_eq!(
        renamed["updateConversation"]["conversation"]["title"],
        "Team B"
    );
    ok(&bob, &remove_member(), json!({"c": c, "u": dave.id})).await;
    let (code, _) = refused(&bob, &remove_member(), json!({"c": c, "u": alice.id})).await;
    assert_eq!(code, "FORBIDDEN");
    let (code, ext) = refused(&alice, &remove_member(), json!({"c": c, "u": alice.id})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("BAD_USER_INPUT", &json!("userId"))
    );
    let (code, ext) = refused(&alice, &remove_member(), json!({"c": c, "u": dave.id})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("NOT_FOUND", &json!("userId"))
    );

    // Handing over: Carol becomes OWNER, Alice an ADMIN.
    let handed = ok(
        &alice,
        &set_role(),
        json!({"c": c, "u": carol.id, "role": "OWNER"}),
    )
    .await;
    let conversation = &handed["setMemberRole"]["conversation"];
    assert_eq!(conversation["myRole"], "ADMIN");
    assert_eq!(
        member_ids(conversation),
        sorted(vec![
            (alice.id.clone(), "ADMIN".to_owned()),
            (bob.id.clone(), "ADMIN".to_owned()),
            (carol.id.clone(), "OWNER".to_owned()),
        ])
    );
    assert_eq!(
        refused(
            &alice,
            &set_role(),
            json!({"c": c, "u": bob.id, "role": "MEMBER"})
        )
        .await
        .0,
        "FORBIDDEN"
    );

    let messages = timeline(&carol, c).await;
    assert_eq!(
        actions(&messages),
        [
            "GROUP_CREATED",
            "MEMBERS_ADDED",
            "ROLE_CHANGED",
            "TITLE_CHANGED",
            "MEMBER_REMOVED",
            "OWNER_CHANGED"
        ]
    );
    assert_eq!(messages[1]["system"]["actor"]["id"], bob.id.as_str());
    assert_eq!(messages[2]["system"]["role"], "ADMIN");
    assert_eq!(messages[3]["system"]["title"], "Team B");
    assert_eq!(messages[5]["system"]["users"], json!([{"id": carol.id}]));
    // Dave saw from his joining to his removal, nothing before or after.
    assert_eq!(
        actions(&timeline(&dave, c).await),
        [
            "MEMBERS_ADDED",
            "ROLE_CHANGED",
            "TITLE_CHANGED",
            "MEMBER_REMOVED"
        ]
    );
}

#[tokio::test]
async fn the_last_owner_leaving_hands_the_group_over() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let id = group(&t, &alice, "Club", &[&bob, &carol]).await["id"].clone();
    ok(
        &alice,
        &set_role(),
        json!({"c": id, "u": carol.id, "role": "ADMIN"}),
    )
    .await;

    let left = ok(&alice, LEAVE, json!({"c": id})).await;
    assert_eq!(left["leaveConversation"]["conversationId"], id);
    // The ADMIN, not the longer-standing MEMBER, takes over.
    let seen = ok(&bob, &conversation(), json!({"id": id})).await["conversation"].clone();
    assert_eq!(
        member_ids(&seen),
        sorted(vec![
            (bob.id.clone(), "MEMBER".to_owned()),
            (carol.id.clone(), "OWNER".to_owned()),
        ])
    );
    let messages = timeline(&bob, &id).await;
    assert_eq!(
        actions(&messages[messages.len() - 2..]),
        ["MEMBER_LEFT", "OWNER_CHANGED"]
    );
    // Alice still sees the group up to her leaving, and can do nothing.
    let hers = ok(&alice, &conversation(), json!({"id": id})).await["conversation"].clone();
    assert!(hers["myRole"].is_null());
    assert_eq!(hers["lastMessage"]["kind"], "SYSTEM");
    assert_eq!(
        actions(&timeline(&alice, &id).await).last().unwrap(),
        "MEMBER_LEFT"
    );
    assert_eq!(
        refused(&alice, SEND_IN, json!({"c": id, "text": "hi", "cid": "a1"}))
            .await
            .0,
        "NOT_FOUND"
    );
    assert_eq!(
        refused(&alice, LEAVE, json!({"c": id})).await.0,
        "NOT_FOUND"
    );

    // Without admins, the longest-standing member; the last one leaves it empty.
    ok(&carol, LEAVE, json!({"c": id})).await;
    let seen = ok(&bob, &conversation(), json!({"id": id})).await["conversation"].clone();
    assert_eq!(member_ids(&seen), [(bob.id.clone(), "OWNER".to_owned())]);
    ok(&bob, LEAVE, json!({"c": id})).await;
    let seen = ok(&bob, &conversation(), json!({"id": id})).await["conversation"].clone();
    assert_eq!(seen["memberCount"], 0);
    assert!(seen["myRole"].is_null());
}

#[tokio::test]
async fn a_removed_member_sees_and_sends_nothing_new() {
    let t = spawn_live(TestEvents::new(Mode::Outbox)).await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let mut bob_ws = subscribed(&bob, &t, "b").await;
    let id = group(&t, &alice, "Plans", &[&bob, &carol]).await["id"].clone();
    let before = send_in(&alice, &id, "before", "a1").await;
    ok(&alice, &remove_member(), json!({"c": id, "u": bob.id})).await;
    let after = send_in(&alice, &id, "after", "a2").await;

    let events = next_events(&mut bob_ws, "b", 3).await;
    let kinds: Vec<&Value> = events.iter().map(|e| &e["kind"]).collect();
    assert_eq!(kinds, [&json!("MESSAGE_RECEIVED"); 3]);
    assert_eq!(events[0]["message"]["kind"], "SYSTEM");
    assert_eq!(events[1]["message"]["id"], before["id"]);
    assert!(
        events[2]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("removed")
    );
    assert_eq!(events[2]["conversationId"], id);
    nothing_more(&mut bob_ws).await;

    let mine = timeline(&bob, &id).await;
    assert_eq!(actions(&mine), ["GROUP_CREATED", "TEXT", "MEMBER_REMOVED"]);
    let seen = ok(&bob, &conversation(), json!({"id": id})).await["conversation"].clone();
    assert!(seen["myRole"].is_null());
    assert_eq!(seen["lastMessage"]["id"], mine[2]["id"]);
    assert_eq!(
        refused(&bob, SEND_IN, json!({"c": id, "text": "hey", "cid": "b1"}))
            .await
            .0,
        "NOT_FOUND"
    );
    let (code, ext) = refused(&bob, MARK, json!({"c": id, "m": after["id"]})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("NOT_FOUND", &json!("upTo"))
    );

    // Added again, he sees from then on only.
    ok(&alice, &add_members(), json!({"c": id, "ids": [bob.id]})).await;
    let back = timeline(&bob, &id).await;
    assert_eq!(actions(&back), ["MEMBERS_ADDED"]);
    assert!(back.iter().all(|m| m["id"] != after["id"]));
    let event = &next_events(&mut bob_ws, "b", 1).await[0];
    assert_eq!(event["message"]["kind"], "SYSTEM");
    assert!(
        event["message"]["text"].as_str().unwrap().contains("added"),
        "{event}"
    );
}

#[tokio::test]
async fn unread_totals_and_read_markers_across_devices() {
    let t = spawn_live(TestEvents::new(Mode::Outbox)).await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let bob_phone = t.sign_in_again(&bob).await;
    let alice_phone = t.sign_in_again(&alice).await;
    let id = group(&t, &alice, "Dinner", &[&bob, &carol]).await["id"].clone();
    // Subscribe after GROUP_CREATED is in the feeds.
    t.outbox_drained().await;
    let mut phone_ws = subscribed(&bob_phone, &t, "p").await;
    let mut alice_ws = subscribed(&alice_phone, &t, "a").await;

    let first = send_in(&alice, &id, "one", "cid-1").await;
    assert_eq!(first["clientMessageId"], "cid-1", "the sender sees her id");
    let second = send_in(&alice, &id, "two", "cid-2").await;
    alice.send(&bob, "direct").await;
    let totals = |user: &TestUser| {
        let reps = json!([{"__typename": "User", "id": bob.id}]);
        let user = user.clone();
        async move { ok(&user, TOTALS, json!({"reps": reps})).await["_entities"][0].clone() }
    };
    let own = totals(&bob).await;
    assert_eq!(
        (
            own["unreadTotal"].clone(),
            own["unreadConversations"].clone()
        ),
        (json!(4), json!(2))
    );
    let others = totals(&alice).await;
    assert!(others["unreadTotal"].is_null() && others["unreadConversations"].is_null());

    // Others never see a sender's client id; her other device does.
    let bobs = timeline(&bob, &id).await;
    assert!(bobs.iter().all(|m| m["clientMessageId"].is_null()));
    let echoed = next_events(&mut alice_ws, "a", 3).await;
    assert_eq!(echoed[0]["kind"], "MESSAGE_SENT");
    assert_eq!(echoed[0]["message"]["clientMessageId"], "cid-1");
    let received = next_events(&mut phone_ws, "p", 3).await;
    assert_eq!(received[0]["kind"], "MESSAGE_RECEIVED");
    assert!(received[0]["message"]["clientMessageId"].is_null());
    assert!(received[0]["at"].is_string());

    // Bob reads the group on one device: his phone learns the new counts,
    // Alice learns his marker.
    let read = ok(&bob, MARK, json!({"c": id, "m": second["id"]})).await;
    assert_eq!(read["markRead"]["conversation"]["unreadCount"], 0);
    let event = &next_events(&mut phone_ws, "p", 1).await[0];
    assert_eq!(event["kind"], "CONVERSATION_READ");
    assert_eq!(event["conversationId"], id);
    assert_eq!(event["readUpTo"], second["id"]);
    assert_eq!(
        (event["unreadCount"].clone(), event["unreadTotal"].clone()),
        (json!(0), json!(1))
    );
    assert!(event["message"].is_null());
    let event = &next_events(&mut alice_ws, "a", 1).await[0];
    assert_eq!(event["kind"], "MEMBER_READ");
    assert_eq!(event["user"]["id"], bob.id.as_str());
    assert_eq!(event["readUpTo"], second["id"]);
    let own = totals(&bob_phone).await;
    assert_eq!(
        (
            own["unreadTotal"].clone(),
            own["unreadConversations"].clone()
        ),
        (json!(1), json!(1))
    );
    let members =
        ok(&alice, &conversation(), json!({"id": id})).await["conversation"]["members"].clone();
    let bob_member = nodes(&members)
        .into_iter()
        .find(|m| m["user"]["id"] == bob.id.as_str())
        .unwrap();
    assert_eq!(bob_member["readUpTo"], second["id"]);

    // Reading backwards changes nothing and tells nobody.
    ok(&bob, MARK, json!({"c": id, "m": first["id"]})).await;
    nothing_more(&mut phone_ws).await;
    // Bob's own message is never unread; it reads the group for him.
    send_in(&bob, &id, "three", "b-1").await;
    let own = totals(&bob).await;
    assert_eq!(own["unreadTotal"], 1, "the direct message only");
    let alices = ok(&alice, &conversation(), json!({"id": id})).await;
    assert_eq!(alices["conversation"]["unreadCount"], 1);
}

#[tokio::test]
async fn messages_page_both_ways() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(alice.send(&bob, &format!("m{i}")).await["id"].clone());
    }
    let direct = ok(
        &bob,
        "query($w: ID!) { directConversation(with: $w) { id kind peer { id } } }",
        json!({"w": alice.id}),
    )
    .await;
    let conversation = direct["directConversation"].clone();
    assert_eq!(conversation["kind"], "DIRECT");
    assert_eq!(conversation["peer"]["id"], alice.id.as_str());
    let id = conversation["id"].clone();
    let none = ok(
        &bob,
        "query($w: ID!) { directConversation(with: $w) { id } }",
        json!({"w": carol.id}),
    )
    .await;
    assert!(none["directConversation"].is_null());

    let page = |vars: Value| {
        let bob = bob.clone();
        let id = id.clone();
        async move {
            let mut vars = vars;
            vars["id"] = id;
            ok(&bob, TIMELINE, vars).await["conversation"]["messages"].clone()
        }
    };
    let ids_of = |connection: &Value| -> Vec<Value> {
        nodes(connection).iter().map(|m| m["id"].clone()).collect()
    };
    // Backward: newest first.
    let p1 = page(json!({"last": 3})).await;
    assert_eq!(
        ids_of(&p1),
        [ids[6].clone(), ids[5].clone(), ids[4].clone()]
    );
    assert_eq!(p1["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(p1["pageInfo"]["hasNextPage"], false);
    let p2 = page(json!({"last": 3, "before": p1["pageInfo"]["endCursor"]})).await;
    assert_eq!(
        ids_of(&p2),
        [ids[3].clone(), ids[2].clone(), ids[1].clone()]
    );
    assert_eq!(p2["pageInfo"]["hasNextPage"], true);
    let p3 = page(json!({"last": 3, "before": p2["pageInfo"]["endCursor"]})).await;
    assert_eq!(ids_of(&p3), [ids[0].clone()]);
    assert_eq!(p3["pageInfo"]["hasPreviousPage"], false);
    // Forward: oldest first.
    let f1 = page(json!({"first": 4})).await;
    assert_eq!(ids_of(&f1), ids[..4].to_vec());
    assert_eq!(f1["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(f1["pageInfo"]["hasNextPage"], true);
    let f2 = page(json!({"first": 4, "after": f1["pageInfo"]["endCursor"]})).await;
    assert_eq!(ids_of(&f2), ids[4..].to_vec());
    assert_eq!(f2["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(f2["pageInfo"]["hasNextPage"], false);

    // Bad input names its field.
    let member_cursor = messaging::cursor::encode(messaging::cursor::Kind::Member, 1);
    for (vars, field) in [
        (json!({"id": id, "first": 2, "last": 2}), "first"),
        (json!({"id": id, "after": member_cursor}), "after"),
        (json!({"id": id, "last": 0}), "last"),
        (json!({"id": id, "first": 101}), "first"),
    ] {
        let (code, ext) = refused(&bob, TIMELINE, vars).await;
        assert_eq!(
            (code.as_str(), &ext["field"]),
            ("BAD_USER_INPUT", &json!(field))
        );
    }
    const BOTH: &str = "mutation($c: ID, $to: ID) {
      sendMessage(input: {conversationId: $c, to: $to, text: \"x\", clientMessageId: \"x\"}) { message { id } }
    }";
    let (code, ext) = refused(&bob, BOTH, json!({"c": id, "to": alice.id})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("BAD_USER_INPUT", &json!("to"))
    );
    let (code, ext) = refused(&bob, BOTH, json!({})).await;
    assert_eq!(
        (code.as_str(), &ext["field"]),
        ("BAD_USER_INPUT", &json!("conversationId"))
    );
    // The direct conversation takes `conversationId` as well as `to`.
    let reply = send_in(&bob, &id, "by id", "b1").await;
    assert_eq!(reply["conversationId"], id);
    assert_eq!(reply["recipient"]["id"], alice.id.as_str());
}
