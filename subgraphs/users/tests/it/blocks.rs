//! Blocks and privacy settings as users owns them (issue 22): what a block
//! does to friendships and requests, who is told, the lists, the settings,
//! the events for messaging and `MayAddToGroup`. What messaging refuses is
//! tested in messaging's `blocks` module.

use grpc_api::users::v1::MayAddToGroupRequest;
use serde_json::{Value, json};
use testkit::{GraphqlClient, assert_no_errors, error_code};

use crate::common::*;

const BLOCK: &str = "mutation($id: ID!) { blockUser(userId: $id) { user { id relationship } } }";
const UNBLOCK: &str =
    "mutation($id: ID!) { unblockUser(userId: $id) { user { id relationship } } }";
const PRIVACY_FIELDS: &str = "whoMayMessage whoMayAddToGroups readReceipts showLastSeen";

/// Auth, users and messaging (users tells messaging of every block).
async fn start_with_messaging() -> Stack {
    Stack::builder().messaging(|_| {}).start().await
}

/// `person` talking to users' endpoint (the stack's front is messaging).
fn on_users(t: &Stack, person: &Person) -> Person {
    Person {
        gql: GraphqlClient::new(t.users().graphql_url()).with_token(&person.access_token),
        ..person.clone()
    }
}

async fn seed(t: &Stack, name: &str) -> Person {
    on_users(t, &t.seed_user(name).await)
}

async fn block(by: &Person, whom: &Person) -> Value {
    let resp = by.query(BLOCK, json!({"id": whom.id})).await;
    assert_no_errors(&resp);
    resp["data"]["blockUser"]["user"].clone()
}

async fn unblock(by: &Person, whom: &Person) -> Value {
    let resp = by.query(UNBLOCK, json!({"id": whom.id})).await;
    assert_no_errors(&resp);
    resp["data"]["unblockUser"]["user"].clone()
}

/// The kinds of `person`'s friend feed entries, oldest first.
async fn feed_kinds(t: &Stack, person: &Person) -> Vec<String> {
    t.users_sql()
        .await
        .query(
            "SELECT kind FROM feed_events WHERE recipient_id = $1::text::uuid ORDER BY seq",
            &[&person.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Users' outbox rows of `kind`.
async fn outbox_rows(t: &Stack, kind: &str) -> Vec<Value> {
    t.users_sql()
        .await
        .query(
            "SELECT payload::text FROM outbox WHERE kind = $1 ORDER BY id",
            &[&kind],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r.get(0)).unwrap())
        .collect()
}

#[tokio::test]
async fn blocking_ends_friendship_and_requests_and_tells_only_the_blocker() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let bob = seed(&t, "bob").await;
    let carol = seed(&t, "carol").await;
    let dave = seed(&t, "dave").await;
    t.befriend(&alice, &bob).await;
    carol.act_ok("sendFriendRequest", &alice.id).await;
    alice.act_ok("sendFriendRequest", &dave.id).await;
    t.run_pending().await;
    let before: Vec<Vec<String>> =
        futures::future::join_all([&bob, &carol, &dave].map(|p| feed_kinds(&t, p))).await;
    let alice_before = feed_kinds(&t, &alice).await.len();

    for other in [&bob, &carol, &dave] {
        let user = block(&alice, other).await;
        assert_eq!(user["relationship"], "BLOCKED");
        assert_eq!(alice.relationship(&other.id).await, "BLOCKED");
        // The blocked user sees no relationship at all.
        assert_eq!(other.relationship(&alice.id).await, "NONE");
    }
    for list in [
        "friends",
        "incomingFriendRequests",
        "outgoingFriendRequests",
    ] {
        assert!(alice.list_all(list).await.is_empty(), "{list}");
    }
    assert!(bob.list_all("friends").await.is_empty());
    assert!(carol.list_all("outgoingFriendRequests").await.is_empty());
    assert!(dave.list_all("incomingFriendRequests").await.is_empty());

    t.run_pending().await;
    let after: Vec<Vec<String>> =
        futures::future::join_all([&bob, &carol, &dave].map(|p| feed_kinds(&t, p))).await;
    assert_eq!(before, after, "the blocked users are told nothing");
    let alice_new = feed_kinds(&t, &alice).await.split_off(alice_before);
    assert_eq!(
        alice_new,
        [
            "friend.removed",
            "friend.request_declined",
            "friend.request_cancelled"
        ],
        "the blocker's own devices see the friendship and requests go"
    );
}

#[tokio::test]
async fn friend_requests_between_a_blocked_pair_are_refused_both_ways() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let bob = seed(&t, "bob").await;
    block(&alice, &bob).await;
    for (from, to) in [(&bob, &alice), (&alice, &bob)] {
        let resp = from.act("sendFriendRequest", &to.id).await;
        assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
        assert_eq!(
            resp["errors"][0]["extensions"]["reason"],
            "RECIPIENT_UNAVAILABLE"
        );
    }
    assert!(alice.list_all("incomingFriendRequests").await.is_empty());
    unblock(&alice, &bob).await;
    assert_eq!(alice.relationship(&bob.id).await, "NONE");
    assert_eq!(
        bob.act_ok("sendFriendRequest", &alice.id).await,
        "REQUEST_SENT"
    );
}

#[tokio::test]
async fn blocking_needs_a_caller_and_another_existing_user() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let anonymous = GraphqlClient::new(t.users().graphql_url());
    for (query, vars) in [
        (BLOCK, json!({"id": alice.id})),
        (UNBLOCK, json!({"id": alice.id})),
        ("{ blockedUsers { edges { cursor } } }", json!({})),
        (
            "mutation { updatePrivacy(input: {readReceipts: false}) { privacy { readReceipts } } }",
            json!({}),
        ),
    ] {
        let resp = anonymous.query(query, vars).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    for (mutation, id, code) in [
        (BLOCK, alice.id.clone(), "BAD_USER_INPUT"),
        (UNBLOCK, alice.id.clone(), "BAD_USER_INPUT"),
        (BLOCK, uuid::Uuid::now_v7().to_string(), "NOT_FOUND"),
        (UNBLOCK, uuid::Uuid::now_v7().to_string(), "NOT_FOUND"),
        (BLOCK, "not-an-id".to_owned(), "BAD_USER_INPUT"),
    ] {
        let resp = alice.query(mutation, json!({"id": id})).await;
        assert_eq!(error_code(&resp).as_deref(), Some(code), "{resp}");
    }
    let rows = t
        .users_sql()
        .await
        .query_one("SELECT count(*) FROM blocks", &[])
        .await
        .unwrap();
    assert_eq!(rows.get::<_, i64>(0), 0);
}

#[tokio::test]
async fn blocking_twice_and_unblocking_a_stranger_change_nothing() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let bob = seed(&t, "bob").await;
    let carol = seed(&t, "carol").await;
    block(&alice, &bob).await;
    block(&alice, &bob).await;
    let blocked = outbox_rows(&t, "users.user_blocked").await;
    assert_eq!(blocked.len(), 1, "one event for one block: {blocked:?}");
    assert_eq!(blocked[0]["blocker_id"], alice.id.as_str());
    assert_eq!(blocked[0]["blocked_id"], bob.id.as_str());
    assert!(blocked[0]["version"].as_i64().unwrap() > 0);

    let user = unblock(&alice, &carol).await;
    assert_eq!(user["relationship"], "NONE");
    assert!(outbox_rows(&t, "users.user_unblocked").await.is_empty());
    unblock(&alice, &bob).await;
    unblock(&alice, &bob).await;
    let unblocked = outbox_rows(&t, "users.user_unblocked").await;
    assert_eq!(unblocked.len(), 1);
    assert!(unblocked[0]["version"].as_i64() > blocked[0]["version"].as_i64());
    // Messaging takes the events (late: it was told already) without fuss.
    t.run_pending().await;
    assert!(outbox_rows(&t, "users.user_blocked").await.is_empty());
}

#[tokio::test]
async fn blocked_users_is_a_connection_newest_first() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let mut blocked = Vec::new();
    for name in ["bob", "carol", "dave"] {
        let other = seed(&t, name).await;
        block(&alice, &other).await;
        blocked.push(other.id.clone());
    }
    blocked.reverse();
    assert_eq!(alice.list_all("blockedUsers").await, blocked);
    let page = alice.page("blockedUsers", 2, &Value::Null).await;
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert!(
        page["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["relationship"] == "BLOCKED")
    );
    let resp = alice
        .query(
            "query($a: String) { blockedUsers(after: $a) { edges { blockedAt } } }",
            json!({"a": "bm90IGEgY3Vyc29y"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
    // The list is the caller's own.
    let erin = seed(&t, "erin").await;
    assert!(erin.list_all("blockedUsers").await.is_empty());
}

#[tokio::test]
async fn privacy_settings_are_the_users_own_and_change_field_by_field() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let bob = seed(&t, "bob").await;
    let mine = format!("{{ me {{ privacy {{ {PRIVACY_FIELDS} }} }} }}");
    let resp = alice.query(&mine, json!({})).await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["me"]["privacy"],
        json!({"whoMayMessage": "EVERYONE", "whoMayAddToGroups": "FRIENDS",
               "readReceipts": true, "showLastSeen": "EVERYONE"})
    );
    let update = format!(
        "mutation($input: UpdatePrivacyInput!) {{ updatePrivacy(input: $input) {{ privacy {{ {PRIVACY_FIELDS} }} }} }}"
    );
    let resp = alice
        .query(
            &update,
            json!({"input": {"whoMayMessage": "FRIENDS", "showLastSeen": "NOBODY"}}),
        )
        .await;
    assert_no_errors(&resp);
    let expected = json!({"whoMayMessage": "FRIENDS", "whoMayAddToGroups": "FRIENDS",
                          "readReceipts": true, "showLastSeen": "NOBODY"});
    assert_eq!(resp["data"]["updatePrivacy"]["privacy"], expected);
    let resp = alice
        .query(&update, json!({"input": {"readReceipts": false}}))
        .await;
    assert_eq!(
        resp["data"]["updatePrivacy"]["privacy"]["readReceipts"],
        false
    );
    assert_eq!(
        resp["data"]["updatePrivacy"]["privacy"]["showLastSeen"],
        "NOBODY"
    );
    // The same again changes nothing and tells nothing.
    alice
        .query(&update, json!({"input": {"readReceipts": false}}))
        .await;
    let events = outbox_rows(&t, "users.privacy_changed").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["read_receipts"], false);
    assert_eq!(events[1]["who_may_message"], "FRIENDS");
    // Only Alice sees hers.
    let resp = bob
        .query(
            &format!("query($id: ID!) {{ user(id: $id) {{ privacy {{ {PRIVACY_FIELDS} }} }} }}"),
            json!({"id": alice.id}),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["user"]["privacy"], Value::Null);
    // Values outside the enums are the client's mistake.
    let resp = alice
        .query(&update, json!({"input": {"whoMayMessage": "NOBODY"}}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
    t.run_pending().await;
    assert!(outbox_rows(&t, "users.privacy_changed").await.is_empty());
}

#[tokio::test]
async fn may_add_to_group_weighs_friendship_settings_and_blocks() {
    let t = start_with_messaging().await;
    let alice = seed(&t, "alice").await;
    let friend = seed(&t, "friend").await;
    let stranger = seed(&t, "stranger").await;
    let open = seed(&t, "open").await;
    let hater = seed(&t, "hater").await;
    let shunned = seed(&t, "shunned").await;
    t.befriend(&alice, &friend).await;
    t.befriend(&alice, &shunned).await;
    for person in [&open, &hater] {
        let resp = person
            .query(
                "mutation { updatePrivacy(input: {whoMayAddToGroups: EVERYONE}) { privacy { whoMayAddToGroups } } }",
                json!({}),
            )
            .await;
        assert_no_errors(&resp);
    }
    block(&hater, &alice).await;
    block(&alice, &shunned).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let mut grpc = t.users_grpc().await;
    let mut allowed = grpc
        .may_add_to_group(MayAddToGroupRequest {
            user_id: alice.id.clone(),
            other_ids: [&friend, &stranger, &open, &hater, &shunned]
                .iter()
                .map(|p| p.id.clone())
                .chain([unknown])
                .collect(),
        })
        .await
        .unwrap()
        .into_inner()
        .allowed_ids;
    allowed.sort();
    let mut expected = vec![friend.id.clone(), open.id.clone()];
    expected.sort();
    assert_eq!(allowed, expected);
    let bad = grpc
        .may_add_to_group(MayAddToGroupRequest {
            user_id: "x".into(),
            other_ids: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
}
