//! Blocks and privacy settings as messaging enforces them (issue 22):
//! users owns them and tells messaging (before `blockUser` /
//! `updatePrivacy` answer, and by events); the send statement refuses what
//! they forbid; refusals of a block and of a setting look alike.

use std::time::{Duration, Instant};

use grpc_api::messaging::v1::ApplyBlockRequest;
use grpc_api::messaging::v1::messaging_client::MessagingClient;
use serde_json::{Value, json};
use stack::Service;
use testkit::{GraphqlClient, assert_no_errors};

use crate::common::*;

const BLOCK: &str = "mutation($id: ID!) { blockUser(userId: $id) { user { id relationship } } }";
const UNBLOCK: &str =
    "mutation($id: ID!) { unblockUser(userId: $id) { user { id relationship } } }";
const PRIVACY: &str = "mutation($input: UpdatePrivacyInput!) {
  updatePrivacy(input: $input) {
    privacy { whoMayMessage whoMayAddToGroups readReceipts showLastSeen }
  }
}";
const FRIEND_REQUEST: &str =
    "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }";
const CREATE_GROUP: &str = "mutation($title: String!, $ids: [ID!]!) {
  createGroup(input: {title: $title, memberIds: $ids}) { conversation { id } }
}";
const ADD_MEMBERS: &str = "mutation($c: ID!, $ids: [ID!]!) {
  addMembers(input: {conversationId: $c, userIds: $ids}) { conversation { memberCount } }
}";
const MEMBERS: &str = "query($c: ID!) {
  conversation(id: $c) { members { edges { node { user { id } readUpTo } } } }
}";
const GROUP_MESSAGES: &str = "query($c: ID!) {
  conversation(id: $c) { messages(last: 20) { edges { node { id text sender { id } senderBlockedByMe } } } }
}";

/// `user`'s client of users' GraphQL endpoint (the stack's `gql` is
/// messaging's).
fn users_gql(t: &Stack, user: &TestUser) -> GraphqlClient {
    GraphqlClient::new(t.users().graphql_url()).with_token(&user.access_token)
}

async fn users_ok(t: &Stack, user: &TestUser, query: &str, vars: Value) -> Value {
    let resp = users_gql(t, user).query(query, vars).await;
    assert_no_errors(&resp);
    resp["data"].clone()
}

async fn block(t: &Stack, by: &TestUser, whom: &TestUser) -> Value {
    users_ok(t, by, BLOCK, json!({"id": whom.id})).await
}

async fn unblock(t: &Stack, by: &TestUser, whom: &TestUser) {
    users_ok(t, by, UNBLOCK, json!({"id": whom.id})).await;
}

async fn set_privacy(t: &Stack, user: &TestUser, input: Value) -> Value {
    users_ok(t, user, PRIVACY, json!({"input": input})).await["updatePrivacy"]["privacy"].clone()
}

/// The whole first error of `resp` (message and extensions), for
/// comparing refusals; panics if there is none.
fn first_error(resp: &Value) -> (Value, Value) {
    let error = &resp["errors"][0];
    assert!(!error.is_null(), "accepted: {resp}");
    (error["message"].clone(), error["extensions"].clone())
}

fn send_vars(to: &TestUser, text: &str) -> Value {
    json!({"to": to.id, "text": text, "cid": uuid::Uuid::now_v7().to_string()})
}

fn send_in_vars(conversation: &Value, text: &str) -> Value {
    json!({"c": conversation, "text": text, "cid": uuid::Uuid::now_v7().to_string()})
}

fn assert_unavailable(resp: &Value) {
    let (_, ext) = first_error(resp);
    assert_eq!(ext["code"], "FORBIDDEN", "{resp}");
    assert_eq!(ext["reason"], "RECIPIENT_UNAVAILABLE", "{resp}");
}

#[tokio::test]
async fn a_blocked_user_cannot_write_into_the_direct_conversation() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let sent = bob.send(&alice, "hi").await;
    let conversation = sent["conversationId"].clone();

    let answer = block(&t, &alice, &bob).await;
    assert_eq!(answer["blockUser"]["user"]["relationship"], "BLOCKED");
    let messages = t.count("messages").await;

    // Both ways of addressing it, and the blocker too.
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "still there?")).await);
    assert_unavailable(
        &bob.gql
            .query(SEND_IN, send_in_vars(&conversation, "still there?"))
            .await,
    );
    assert_unavailable(&alice.gql.query(SEND, send_vars(&bob, "go away")).await);
    assert_eq!(t.count("messages").await, messages, "nothing was written");

    // A retry of a message sent before the block still gets its original.
    let retry = bob
        .gql
        .query(
            SEND,
            json!({"to": alice.id, "text": "hi", "cid": sent["clientMessageId"]}),
        )
        .await;
    assert_no_errors(&retry);
    assert_eq!(retry["data"]["sendMessage"]["message"]["id"], sent["id"]);

    unblock(&t, &alice, &bob).await;
    bob.send(&alice, "sorry").await;
    alice.send(&bob, "ok").await;
}

#[tokio::test]
async fn blocking_twice_and_unblocking_a_stranger_change_nothing() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    block(&t, &alice, &bob).await;
    let again = block(&t, &alice, &bob).await;
    assert_eq!(again["blockUser"]["user"]["relationship"], "BLOCKED");
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "x")).await);

    let answer = users_ok(&t, &alice, UNBLOCK, json!({"id": carol.id})).await;
    assert_eq!(answer["unblockUser"]["user"]["relationship"], "NONE");
    carol.send(&alice, "hello").await;
    // Unblocking a stranger left Bob's block alone.
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "x")).await);
    t.run_pending().await;
    let rows = t
        .messaging_sql()
        .await
        .query_one(
            "SELECT count(*) FILTER (WHERE blocked), count(*) FROM blocks",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((rows.get::<_, i64>(0), rows.get::<_, i64>(1)), (1, 2));
}

/// The blocked user tries every write that reaches the blocker and gets the
/// answer a privacy setting gives a stranger, to the letter.
#[tokio::test]
async fn a_blocked_users_probes_get_the_answer_of_a_privacy_setting() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    // Bob was Alice's friend and wrote to her; she blocks him. Carol lets
    // only friends message or add her; Dave is no friend of hers.
    t.befriend(&alice, &bob).await;
    let direct = bob.send(&alice, "hi").await["conversationId"].clone();
    let dave_carol = dave.send(&carol, "hi").await["conversationId"].clone();
    block(&t, &alice, &bob).await;
    set_privacy(
        &t,
        &carol,
        json!({"whoMayMessage": "FRIENDS", "whoMayAddToGroups": "FRIENDS"}),
    )
    .await;
    let group_of_bob = create_group(&t, &bob, "Bob's", &[&dave]).await;
    let group_of_dave = ok(
        &dave,
        CREATE_GROUP,
        json!({"title": "Dave's", "ids": [bob.id]}),
    )
    .await["createGroup"]["conversation"]["id"]
        .clone();

    let pairs: Vec<(Value, Value)> = vec![
        (
            bob.gql.query(SEND, send_vars(&alice, "x")).await,
            dave.gql.query(SEND, send_vars(&carol, "x")).await,
        ),
        (
            bob.gql.query(SEND_IN, send_in_vars(&direct, "x")).await,
            dave.gql
                .query(SEND_IN, send_in_vars(&dave_carol, "x"))
                .await,
        ),
        (
            users_gql(&t, &bob)
                .query(FRIEND_REQUEST, json!({"id": alice.id}))
                .await,
            // A stranger's friend request is no privacy matter: the same
            // answer comes from a user Dave blocked himself.
            {
                block(&t, &dave, &carol).await;
                let resp = users_gql(&t, &carol)
                    .query(FRIEND_REQUEST, json!({"id": dave.id}))
                    .await;
                unblock(&t, &dave, &carol).await;
                resp
            },
        ),
        (
            bob.gql
                .query(CREATE_GROUP, json!({"title": "x", "ids": [alice.id]}))
                .await,
            dave.gql
                .query(CREATE_GROUP, json!({"title": "x", "ids": [carol.id]}))
                .await,
        ),
        (
            bob.gql
                .query(ADD_MEMBERS, json!({"c": group_of_bob, "ids": [alice.id]}))
                .await,
            dave.gql
                .query(ADD_MEMBERS, json!({"c": group_of_dave, "ids": [carol.id]}))
                .await,
        ),
    ];
    for (by_block, by_setting) in pairs {
        let (message, mut ext) = first_error(&by_block);
        let (setting_message, mut setting_ext) = first_error(&by_setting);
        assert_eq!(ext["code"], "FORBIDDEN", "{by_block}");
        assert_eq!(ext["reason"], "RECIPIENT_UNAVAILABLE", "{by_block}");
        // The refused ids name whoever was refused; nothing else differs.
        assert_eq!(
            ext["userIds"].as_array().map(Vec::len),
            setting_ext["userIds"].as_array().map(Vec::len)
        );
        for e in [&mut ext, &mut setting_ext] {
            if let Some(e) = e.as_object_mut() {
                e.remove("userIds");
            }
        }
        assert_eq!((message, ext), (setting_message, setting_ext));
    }
}

#[tokio::test]
async fn who_may_message_friends_lets_friends_through_only() {
    let t = spawn().await;
    let (carol, dave, erin) = tokio::join!(
        t.seed_user("carol"),
        t.seed_user("dave"),
        t.seed_user("erin")
    );
    t.befriend(&carol, &erin).await;
    let settings = set_privacy(&t, &carol, json!({"whoMayMessage": "FRIENDS"})).await;
    assert_eq!(
        settings,
        json!({"whoMayMessage": "FRIENDS", "whoMayAddToGroups": "FRIENDS",
               "readReceipts": true, "showLastSeen": "EVERYONE"})
    );
    assert_unavailable(&dave.gql.query(SEND, send_vars(&carol, "hi")).await);
    erin.send(&carol, "hi, friend").await;
    // Carol herself writes to anyone, but Dave may not answer: the
    // setting holds for every direct message to her.
    let to_dave = carol.send(&dave, "hello Dave").await;
    let conversation = to_dave["conversationId"].clone();
    assert_unavailable(
        &dave
            .gql
            .query(SEND_IN, send_in_vars(&conversation, "hi"))
            .await,
    );
    // A friend now: through.
    t.befriend(&carol, &dave).await;
    dave.send(&carol, "friends now").await;
    set_privacy(&t, &carol, json!({"whoMayMessage": "EVERYONE"})).await;
    let frank = t.seed_user("frank").await;
    frank.send(&carol, "hi").await;
}

#[tokio::test]
async fn who_may_add_everyone_admits_strangers_but_never_a_blocked_user() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    // By default only friends may add Carol.
    let (code, ext) = refused(&bob, CREATE_GROUP, json!({"title": "x", "ids": [carol.id]})).await;
    assert_eq!(
        (code.as_str(), &ext["reason"]),
        ("FORBIDDEN", &json!("RECIPIENT_UNAVAILABLE"))
    );
    assert_eq!(ext["userIds"], json!([carol.id]));
    set_privacy(&t, &carol, json!({"whoMayAddToGroups": "EVERYONE"})).await;
    ok(&bob, CREATE_GROUP, json!({"title": "x", "ids": [carol.id]})).await;

    // Alice lets everyone add her, and blocks Bob: he may not, Carol may.
    set_privacy(&t, &alice, json!({"whoMayAddToGroups": "EVERYONE"})).await;
    block(&t, &alice, &bob).await;
    let (code, ext) = refused(
        &bob,
        CREATE_GROUP,
        json!({"title": "y", "ids": [alice.id, carol.id]}),
    )
    .await;
    assert_eq!(
        (code.as_str(), &ext["reason"]),
        ("FORBIDDEN", &json!("RECIPIENT_UNAVAILABLE"))
    );
    assert_eq!(ext["userIds"], json!([alice.id]));
    let group = ok(
        &carol,
        CREATE_GROUP,
        json!({"title": "z", "ids": [alice.id]}),
    )
    .await;
    let group = group["createGroup"]["conversation"]["id"].clone();
    // …and Alice may not add Bob, whom she blocks.
    let (_, ext) = refused(&alice, ADD_MEMBERS, json!({"c": group, "ids": [bob.id]})).await;
    assert_eq!(ext["reason"], "RECIPIENT_UNAVAILABLE");
}

#[tokio::test]
async fn in_a_group_both_stay_and_the_blocker_may_hide_the_blocked() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let group = create_group(&t, &carol, "All", &[&alice, &bob]).await;
    block(&t, &alice, &bob).await;
    // Bob still writes in the group, and Alice still sees it, flagged.
    ok(&bob, SEND_IN, send_in_vars(&group, "from bob")).await;
    ok(&alice, SEND_IN, send_in_vars(&group, "from alice")).await;
    let flags = |data: &Value| -> Vec<(String, bool)> {
        nodes(&data["conversation"]["messages"])
            .iter()
            .filter(|m| !m["sender"].is_null())
            .map(|m| {
                (
                    m["text"].as_str().unwrap().to_owned(),
                    m["senderBlockedByMe"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let seen_by_alice = flags(&ok(&alice, GROUP_MESSAGES, json!({"c": group})).await);
    assert_eq!(
        seen_by_alice,
        // Newest first.
        vec![("from alice".into(), false), ("from bob".into(), true)]
    );
    let seen_by_carol = flags(&ok(&carol, GROUP_MESSAGES, json!({"c": group})).await);
    assert!(seen_by_carol.iter().all(|(_, hidden)| !hidden));
    let seen_by_bob = flags(&ok(&bob, GROUP_MESSAGES, json!({"c": group})).await);
    assert!(
        seen_by_bob.iter().all(|(_, hidden)| !hidden),
        "Bob is told nothing"
    );
    let members = ok(&bob, MEMBERS, json!({"c": group})).await;
    assert_eq!(nodes(&members["conversation"]["members"]).len(), 3);

    unblock(&t, &alice, &bob).await;
    let seen_by_alice = flags(&ok(&alice, GROUP_MESSAGES, json!({"c": group})).await);
    assert!(seen_by_alice.iter().all(|(_, hidden)| !hidden));
}

/// Read receipts off: others never see the user's marker nor hear
/// MEMBER_READ of them, and the user sees and hears none of theirs.
#[tokio::test]
async fn read_receipts_off_hide_markers_both_ways() {
    let t = spawn().await;
    let (alice, bob, carol) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol")
    );
    let group = create_group(&t, &carol, "All", &[&alice, &bob]).await;
    let message =
        ok(&carol, SEND_IN, send_in_vars(&group, "read me")).await["sendMessage"]["message"]["id"]
            .clone();
    t.run_pending().await;
    set_privacy(&t, &alice, json!({"readReceipts": false})).await;
    let feed_before = member_reads(&t).await;
    for reader in [&alice, &bob] {
        ok(reader, MARK_READ, json!({"c": group, "m": message})).await;
    }
    // MEMBER_READ: Bob's to Carol only; Alice's to nobody.
    let new: Vec<(String, String)> = member_reads(&t)
        .await
        .into_iter()
        .filter(|e| !feed_before.contains(e))
        .collect();
    assert_eq!(new, vec![(carol.id.clone(), bob.id.clone())]);

    let markers = |data: Value| -> Vec<(String, Value)> {
        nodes(&data["conversation"]["members"])
            .iter()
            .map(|m| {
                (
                    m["user"]["id"].as_str().unwrap().to_owned(),
                    m["readUpTo"].clone(),
                )
            })
            .collect()
    };
    let marker_of = |seen: &[(String, Value)], user: &TestUser| {
        seen.iter()
            .find(|(id, _)| *id == user.id)
            .map(|(_, m)| m.clone())
            .unwrap()
    };
    let by_alice = markers(ok(&alice, MEMBERS, json!({"c": group})).await);
    assert_eq!(marker_of(&by_alice, &alice), message, "her own she sees");
    assert_eq!(marker_of(&by_alice, &bob), Value::Null);
    assert_eq!(marker_of(&by_alice, &carol), Value::Null);
    let by_carol = markers(ok(&carol, MEMBERS, json!({"c": group})).await);
    assert_eq!(marker_of(&by_carol, &alice), Value::Null);
    assert_eq!(marker_of(&by_carol, &bob), message);

    set_privacy(&t, &alice, json!({"readReceipts": true})).await;
    let by_carol = markers(ok(&carol, MEMBERS, json!({"c": group})).await);
    assert_eq!(marker_of(&by_carol, &alice), message);
}

/// (recipient, reader) of every MEMBER_READ feed entry.
async fn member_reads(t: &Stack) -> Vec<(String, String)> {
    t.messaging_sql()
        .await
        .query(
            "SELECT recipient_id::text, payload->>'userId' FROM feed_events \
             WHERE kind = 'member.read' ORDER BY recipient_id, seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// The race of the issue: Alice blocks Bob while Bob keeps sending. Every
/// send that starts after `blockUser` answered must be refused; those that
/// started before may go either way. Many rounds, block and unblock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_send_started_after_block_answers_gets_through() {
    const ROUNDS: usize = 30;
    const SENDERS: usize = 3;
    const SENDS: usize = 8;
    let t = spawn_with(|c| c.message_rate = ratelimit::Rate::OFF).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let conversation = bob.send(&alice, "hi").await["conversationId"].clone();
    let alice_users = users_gql(&t, &alice);
    let mut after = 0;
    let mut accepted_before = 0;
    for round in 0..ROUNDS {
        let blocking = async {
            let resp = alice_users.query(BLOCK, json!({"id": bob.id})).await;
            let answered = Instant::now();
            assert_no_errors(&resp);
            answered
        };
        let sending = futures::future::join_all((0..SENDERS).map(|sender| {
            let (alice, bob) = (&alice, &bob);
            let conversation = &conversation;
            async move {
                let mut results = Vec::new();
                for i in 0..SENDS {
                    let text = format!("round {round} sender {sender} #{i}");
                    // Both statements: `to` and `conversationId`.
                    let (query, vars) = if i % 2 == 0 {
                        (SEND, send_vars(alice, &text))
                    } else {
                        (SEND_IN, send_in_vars(conversation, &text))
                    };
                    let started = Instant::now();
                    let resp = bob.gql.query(query, vars).await;
                    results.push((started, resp));
                }
                results
            }
        }));
        let (answered, results) = tokio::join!(blocking, sending);
        for (started, resp) in results.into_iter().flatten() {
            if started > answered {
                after += 1;
                assert_unavailable(&resp);
            } else if resp["errors"].is_null() {
                accepted_before += 1;
            } else {
                assert_unavailable(&resp);
            }
        }
        unblock(&t, &alice, &bob).await;
    }
    // The race was run: sends landed on both sides of the answer.
    assert!(
        after > ROUNDS,
        "only {after} sends started after a block answered"
    );
    assert!(accepted_before > 0, "no send got in before a block");
}

/// Users tells messaging each change twice (a call, then its event), in
/// any order: a stale state never overrides a newer one.
#[tokio::test]
async fn the_replica_keeps_the_newest_state_whatever_arrives_late() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    block(&t, &alice, &bob).await;
    unblock(&t, &alice, &bob).await;
    block(&t, &alice, &bob).await;
    // Three events wait in users' outbox; delivering them now (late, and
    // each a second time) changes nothing.
    t.run_pending().await;
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "x")).await);

    let mut grpc = MessagingClient::new(
        grpc_api::channel::connect(
            &t.messaging().grpc_url(),
            &grpc_api::ServiceToken::ephemeral(),
        )
        .await
        .unwrap(),
    );
    let apply = |blocked: bool, version: i64| ApplyBlockRequest {
        blocker_id: alice.id.clone(),
        blocked_id: bob.id.clone(),
        blocked,
        version,
    };
    // A stale "unblocked" (version 1) is ignored.
    grpc.apply_block(apply(false, 1)).await.unwrap();
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "x")).await);
    // A newer one is taken, and repeating it is harmless.
    for _ in 0..2 {
        grpc.apply_block(apply(false, i64::MAX)).await.unwrap();
    }
    bob.send(&alice, "through").await;
    // Malformed calls are refused.
    let bad = grpc
        .apply_block(ApplyBlockRequest {
            blocker_id: "nope".into(),
            ..apply(true, i64::MAX)
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    // Without the service credential, nothing.
    let mut anonymous = MessagingClient::new(
        grpc_api::channel::endpoint(&t.messaging().grpc_url())
            .unwrap()
            .connect()
            .await
            .unwrap(),
    );
    let refused = anonymous
        .apply_block(apply(true, i64::MAX))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
}

/// With messaging down, `blockUser` cannot confirm: it answers UNAVAILABLE
/// but the block is recorded, and its event tells messaging once it is back.
#[tokio::test]
async fn a_block_messaging_did_not_hear_arrives_by_its_event() {
    let mut t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    bob.send(&alice, "hi").await;
    t.stop(Service::Messaging).await;
    let started = Instant::now();
    let resp = users_gql(&t, &alice)
        .query(BLOCK, json!({"id": bob.id}))
        .await;
    assert_eq!(first_error(&resp).1["code"], "UNAVAILABLE", "{resp}");
    assert!(started.elapsed() < Duration::from_secs(10));
    t.restart(Service::Messaging).await;
    // The block stands in users…
    let relationship = users_ok(
        &t,
        &alice,
        "query($id: ID!) { user(id: $id) { relationship } }",
        json!({"id": bob.id}),
    )
    .await;
    assert_eq!(relationship["user"]["relationship"], "BLOCKED");
    // …and its event brings it to messaging.
    t.run_pending().await;
    assert_unavailable(&bob.gql.query(SEND, send_vars(&alice, "x")).await);
}

/// Live delivery in both `EVENTS` modes: messaging misses the calls (it is
/// down), so only the events bring it the block and the setting (outbox:
/// users' worker retries `ApplyBlock` / `ApplyPrivacy`; broker: messaging's
/// consumer reads them from JetStream once it is back).
async fn events_bring_what_messaging_missed(events: testkit::TestEvents) {
    let mut t = spawn_live(events).await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    t.stop(Service::Messaging).await;
    let resp = users_gql(&t, &alice)
        .query(BLOCK, json!({"id": bob.id}))
        .await;
    assert_eq!(first_error(&resp).1["code"], "UNAVAILABLE", "{resp}");
    let resp = users_gql(&t, &carol)
        .query(PRIVACY, json!({"input": {"whoMayMessage": "FRIENDS"}}))
        .await;
    assert_eq!(first_error(&resp).1["code"], "UNAVAILABLE", "{resp}");
    t.restart(Service::Messaging).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let by_block = bob.gql.query(SEND, send_vars(&alice, "x")).await;
        let by_setting = dave.gql.query(SEND, send_vars(&carol, "x")).await;
        if !by_block["errors"].is_null() && !by_setting["errors"].is_null() {
            assert_unavailable(&by_block);
            assert_unavailable(&by_setting);
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the events never reached messaging: {by_block} {by_setting}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

testkit::in_both_modes!(events_bring_what_messaging_missed);
