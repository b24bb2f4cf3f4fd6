//! The friendship state machine over real HTTP: transitions, who may do
//! what, lists, the pending-request cap and races.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Person, PersonExt as _, Stack, start, start_with};
use grpc_api::users::v1::CreateUserRequest;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const SEND: &str = "sendFriendRequest";
const CANCEL: &str = "cancelFriendRequest";
const ACCEPT: &str = "acceptFriendRequest";
const DECLINE: &str = "declineFriendRequest";
const REMOVE: &str = "removeFriend";

async fn rows_for_pair(s: &Stack, a: &str, b: &str) -> i64 {
    s.users_sql()
        .await
        .query_one(
            &format!(
                "SELECT count(*) FROM friendships WHERE \
                 (user_a = '{a}' AND user_b = '{b}') OR (user_a = '{b}' AND user_b = '{a}')"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// Asserts how `a` and `b` see each other.
async fn assert_standing(a: &Person, b: &Person, a_sees: &str, b_sees: &str) {
    assert_eq!(
        a.relationship(&b.id).await,
        a_sees,
        "{} sees {}",
        a.email,
        b.email
    );
    assert_eq!(
        b.relationship(&a.id).await,
        b_sees,
        "{} sees {}",
        b.email,
        a.email
    );
}

#[tokio::test]
async fn the_state_machine() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let carol = s.seed_user("carol@example.com").await;
    assert_standing(&alice, &bob, "NONE", "NONE").await;

    // Request, repeated request (idempotent), accept, repeated accept.
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "REQUEST_SENT");
    assert_standing(&alice, &bob, "REQUEST_SENT", "REQUEST_RECEIVED").await;
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "REQUEST_SENT");
    assert_eq!(
        alice.list_all("outgoingFriendRequests").await,
        [bob.id.as_str()]
    );
    assert_eq!(
        bob.list_all("incomingFriendRequests").await,
        [alice.id.as_str()]
    );
    assert_eq!(bob.act_ok(ACCEPT, &alice.id).await, "FRIENDS");
    assert_standing(&alice, &bob, "FRIENDS", "FRIENDS").await;
    assert_eq!(bob.act_ok(ACCEPT, &alice.id).await, "FRIENDS");
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "FRIENDS");
    assert_eq!(alice.list_all("friends").await, [bob.id.as_str()]);
    assert_eq!(bob.list_all("friends").await, [alice.id.as_str()]);
    assert!(alice.list_all("outgoingFriendRequests").await.is_empty());
    assert!(bob.list_all("incomingFriendRequests").await.is_empty());

    // Remove; removing again finds nothing.
    assert_eq!(bob.act_ok(REMOVE, &alice.id).await, "NONE");
    assert_standing(&alice, &bob, "NONE", "NONE").await;
    assert_eq!(
        error_code(&bob.act(REMOVE, &alice.id).await).as_deref(),
        Some("NOT_FOUND")
    );
    assert!(alice.list_all("friends").await.is_empty());

    // Request then cancel; cancelling again finds nothing.
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "REQUEST_SENT");
    assert_eq!(alice.act_ok(CANCEL, &bob.id).await, "NONE");
    assert_standing(&alice, &bob, "NONE", "NONE").await;
    assert_eq!(
        error_code(&alice.act(CANCEL, &bob.id).await).as_deref(),
        Some("NOT_FOUND")
    );
    assert!(bob.list_all("incomingFriendRequests").await.is_empty());

    // Request then decline; the requester may ask again.
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "REQUEST_SENT");
    assert_eq!(bob.act_ok(DECLINE, &alice.id).await, "NONE");
    assert_standing(&alice, &bob, "NONE", "NONE").await;
    assert_eq!(
        error_code(&bob.act(DECLINE, &alice.id).await).as_deref(),
        Some("NOT_FOUND")
    );
    assert_eq!(
        error_code(&bob.act(ACCEPT, &alice.id).await).as_deref(),
        Some("NOT_FOUND")
    );
    assert!(alice.list_all("outgoingFriendRequests").await.is_empty());
    assert_eq!(alice.act_ok(SEND, &bob.id).await, "REQUEST_SENT");

    // A request back is an accept.
    assert_eq!(alice.act_ok(SEND, &carol.id).await, "REQUEST_SENT");
    assert_eq!(carol.act_ok(SEND, &alice.id).await, "FRIENDS");
    assert_standing(&alice, &carol, "FRIENDS", "FRIENDS").await;
    assert_eq!(rows_for_pair(&s, &alice.id, &carol.id).await, 1);

    // Relationship as seen by each caller in lists.
    let page = bob.page("incomingFriendRequests", 10, &Value::Null).await;
    assert_eq!(page["edges"][0]["node"]["relationship"], "REQUEST_RECEIVED");
    let page = alice.page("outgoingFriendRequests", 10, &Value::Null).await;
    assert_eq!(page["edges"][0]["node"]["relationship"], "REQUEST_SENT");
    let page = alice.page("friends", 10, &Value::Null).await;
    assert_eq!(page["edges"][0]["node"]["relationship"], "FRIENDS");
}

#[tokio::test]
async fn nobody_acts_on_requests_that_are_not_theirs() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let carol = s.seed_user("carol@example.com").await;
    alice.act_ok(SEND, &bob.id).await;

    // The sender cannot answer their own request; the recipient cannot cancel it.
    for (who, mutation, target, code) in [
        (&alice, ACCEPT, &bob.id, "FORBIDDEN"),
        (&alice, DECLINE, &bob.id, "FORBIDDEN"),
        (&bob, CANCEL, &alice.id, "FORBIDDEN"),
        (&alice, REMOVE, &bob.id, "NOT_FOUND"),
        (&bob, REMOVE, &alice.id, "NOT_FOUND"),
        // A third user has no request from or to either.
        (&carol, ACCEPT, &alice.id, "NOT_FOUND"),
        (&carol, ACCEPT, &bob.id, "NOT_FOUND"),
        (&carol, DECLINE, &alice.id, "NOT_FOUND"),
        (&carol, CANCEL, &bob.id, "NOT_FOUND"),
        (&carol, REMOVE, &bob.id, "NOT_FOUND"),
    ] {
        let resp = who.act(mutation, target).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some(code),
            "{mutation}: {resp}"
        );
    }
    // Nothing changed, and nobody else sees the request.
    assert_standing(&alice, &bob, "REQUEST_SENT", "REQUEST_RECEIVED").await;
    assert_eq!(carol.relationship(&alice.id).await, "NONE");
    assert_eq!(carol.relationship(&bob.id).await, "NONE");
    for list in [
        "friends",
        "incomingFriendRequests",
        "outgoingFriendRequests",
    ] {
        assert!(carol.list_all(list).await.is_empty(), "{list}");
    }
    assert!(alice.list_all("incomingFriendRequests").await.is_empty());
    assert!(bob.list_all("outgoingFriendRequests").await.is_empty());
}

#[tokio::test]
async fn bad_targets_are_refused_and_change_nothing() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    for mutation in [SEND, CANCEL, ACCEPT, DECLINE, REMOVE] {
        let resp = alice.act(mutation, &alice.id).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{mutation} self: {resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "userId");
        for bad in ["", "nope", "123", &"f".repeat(100_000)] {
            let resp = alice.act(mutation, bad).await;
            assert_eq!(
                error_code(&resp).as_deref(),
                Some("BAD_USER_INPUT"),
                "{mutation}: {resp}"
            );
        }
        let resp = alice.act(mutation, &unknown).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("NOT_FOUND"),
            "{mutation} unknown: {resp}"
        );
        let resp = alice
            .query(
                &format!("mutation {{ {mutation}(userId: 5) {{ id }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        let resp = alice
            .query(&format!("mutation {{ {mutation} {{ id }} }}"), json!({}))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
    }
    for list in [
        "friends",
        "incomingFriendRequests",
        "outgoingFriendRequests",
    ] {
        for (first, after) in [
            (json!(0), Value::Null),
            (json!(-1), Value::Null),
            (json!(101), Value::Null),
            (json!("ten"), Value::Null),
            (json!(10), json!("not-a-cursor")),
            (json!(10), json!("")),
            (json!(10), json!("x".repeat(100_000))),
        ] {
            let resp = alice
                .query(
                    &format!(
                        "query($first: Int, $after: String) {{ {list}(first: $first, after: $after) {{ edges {{ cursor }} }} }}"
                    ),
                    json!({ "first": first, "after": after }),
                )
                .await;
            assert_eq!(
                error_code(&resp).as_deref(),
                Some("BAD_USER_INPUT"),
                "{list}: {resp}"
            );
        }
    }
    let count: i64 = s
        .users_sql()
        .await
        .query_one("SELECT count(*) FROM friendships", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 0, "nothing was written");
    let events: i64 = s
        .users_sql()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM feed_events) + (SELECT count(*) FROM outbox)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(events, 0, "nobody was notified");
}

#[tokio::test]
async fn lists_page_with_stable_cursors() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let mut senders = Vec::new();
    for i in 0..5 {
        let sender = s.seed_user(&format!("sender{i}@example.com")).await;
        sender.act_ok(SEND, &alice.id).await;
        senders.push(sender);
    }
    // Newest first.
    let expected: Vec<String> = senders.iter().rev().map(|p| p.id.clone()).collect();
    assert_eq!(alice.list_all("incomingFriendRequests").await, expected);

    let first = alice.page("incomingFriendRequests", 2, &Value::Null).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(
        first["pageInfo"]["startCursor"],
        first["edges"][0]["cursor"]
    );
    assert_eq!(first["pageInfo"]["endCursor"], first["edges"][1]["cursor"]);
    let after_first = first["pageInfo"]["endCursor"].clone();

    // The list changes between pages: a newer request arrives, and one not
    // yet seen is withdrawn. The next page continues where the first ended.
    let late = s.seed_user("late@example.com").await;
    late.act_ok(SEND, &alice.id).await;
    senders[1].act_ok(CANCEL, &alice.id).await;
    let second = alice.page("incomingFriendRequests", 2, &after_first).await;
    let ids: Vec<&str> = second["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [senders[2].id.as_str(), senders[0].id.as_str()]);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    // The same cursor gives the same page again.
    assert_eq!(
        alice.page("incomingFriendRequests", 2, &after_first).await,
        second
    );

    // A cursor of one list is not a cursor of another.
    let resp = alice
        .query(
            "query($after: String) { friends(after: $after) { edges { cursor } } }",
            json!({ "after": after_first }),
        )
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );

    // Accept everyone: the friends list, newest friendship first.
    let mut accepted = Vec::new();
    for sender in [&senders[3], &late, &senders[0]] {
        alice.act_ok(ACCEPT, &sender.id).await;
        accepted.insert(0, sender.id.clone());
    }
    assert_eq!(alice.list_all("friends").await, accepted);
    assert_eq!(senders[3].list_all("friends").await, [alice.id.as_str()]);
    let one = alice.page("friends", 1, &Value::Null).await;
    assert_eq!(one["edges"].as_array().unwrap().len(), 1);
    assert_eq!(one["pageInfo"]["hasNextPage"], true);
    let empty = alice
        .page("outgoingFriendRequests", 100, &Value::Null)
        .await;
    assert_eq!(empty["edges"], json!([]));
    assert_eq!(empty["pageInfo"]["hasNextPage"], false);
    assert_eq!(empty["pageInfo"]["endCursor"], Value::Null);

    // Outgoing requests of a sender, to users created straight over gRPC.
    let mut grpc = s.users_grpc().await;
    let mut targets = Vec::new();
    for i in 0..7 {
        let id = uuid::Uuid::now_v7().to_string();
        grpc.create_user(CreateUserRequest {
            account_id: id.clone(),
            email: format!("target{i}@example.com"),
        })
        .await
        .unwrap();
        senders[4].act_ok(SEND, &id).await;
        targets.insert(0, id);
    }
    targets.push(alice.id.clone());
    assert_eq!(senders[4].list_all("outgoingFriendRequests").await, targets);
}

#[tokio::test]
async fn pending_requests_are_capped() {
    let s = start_with(|c| c.max_pending_friend_requests = 3).await;
    let alice = s.seed_user("alice@example.com").await;
    let dave = s.seed_user("dave@example.com").await;
    let mut grpc = s.users_grpc().await;
    let mut targets = Vec::new();
    for i in 0..10 {
        let id = uuid::Uuid::now_v7().to_string();
        grpc.create_user(CreateUserRequest {
            account_id: id.clone(),
            email: format!("t{i}@example.com"),
        })
        .await
        .unwrap();
        targets.push(id);
    }
    // Concurrent sends cannot overshoot the cap.
    let sends = targets.iter().map(|t| alice.act(SEND, t));
    let results = futures::future::join_all(sends).await;
    let sent = results.iter().filter(|r| r["errors"].is_null()).count();
    assert_eq!(sent, 3, "{results:?}");
    for r in results.iter().filter(|r| !r["errors"].is_null()) {
        assert_eq!(error_code(r).as_deref(), Some("RATE_LIMITED"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["limit"], 3);
    }
    assert_eq!(alice.list_all("outgoingFriendRequests").await.len(), 3);
    let refused = alice.act(SEND, &dave.id).await;
    assert_eq!(error_code(&refused).as_deref(), Some("RATE_LIMITED"));
    // Answering someone else's request is not capped.
    dave.act_ok(SEND, &alice.id).await;
    assert_eq!(alice.act_ok(SEND, &dave.id).await, "FRIENDS");
    // A repeated request to someone already asked is not a new one.
    let outgoing = alice.list_all("outgoingFriendRequests").await;
    assert_eq!(alice.act_ok(SEND, &outgoing[0]).await, "REQUEST_SENT");
    // Cancelling one makes room for one.
    alice.act_ok(CANCEL, &outgoing[0]).await;
    let free: Vec<&String> = targets.iter().filter(|t| !outgoing.contains(t)).collect();
    assert_eq!(alice.act_ok(SEND, free[0]).await, "REQUEST_SENT");
    let refused = alice.act(SEND, free[1]).await;
    assert_eq!(error_code(&refused).as_deref(), Some("RATE_LIMITED"));
}

#[tokio::test]
async fn concurrent_accepts_make_one_friendship_and_one_notification() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    alice.act_ok(SEND, &bob.id).await;
    let accepts = (0..6).map(|_| bob.act(ACCEPT, &alice.id));
    for r in futures::future::join_all(accepts).await {
        assert_no_errors(&r);
        assert_eq!(r["data"][ACCEPT]["relationship"], "FRIENDS");
    }
    assert_standing(&alice, &bob, "FRIENDS", "FRIENDS").await;
    // Notifications reach the feed through the outbox.
    s.run_pending().await;
    let accepted: i64 = s
        .users_sql()
        .await
        .query_one(
            &format!(
                "SELECT count(*) FROM feed_events WHERE recipient_id = '{}' AND kind = 'friend.request_accepted'",
                alice.id
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(accepted, 1);
}

#[tokio::test]
async fn accept_racing_cancel_ends_in_one_state() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let (mut accepted, mut cancelled) = (0, 0);
    for round in 0..12 {
        alice.act_ok(SEND, &bob.id).await;
        let (accept, cancel) = tokio::join!(bob.act(ACCEPT, &alice.id), alice.act(CANCEL, &bob.id));
        match (accept["errors"].is_null(), cancel["errors"].is_null()) {
            (true, false) => {
                accepted += 1;
                assert_eq!(
                    error_code(&cancel).as_deref(),
                    Some("NOT_FOUND"),
                    "{cancel}"
                );
                assert_standing(&alice, &bob, "FRIENDS", "FRIENDS").await;
                alice.act_ok(REMOVE, &bob.id).await;
            }
            (false, true) => {
                cancelled += 1;
                assert_eq!(
                    error_code(&accept).as_deref(),
                    Some("NOT_FOUND"),
                    "{accept}"
                );
                assert_standing(&alice, &bob, "NONE", "NONE").await;
            }
            other => panic!("round {round}: both or neither won {other:?}: {accept} {cancel}"),
        }
        assert_eq!(rows_for_pair(&s, &alice.id, &bob.id).await, 0);
    }
    println!("accept won {accepted} times, cancel won {cancelled} times");
}

#[tokio::test]
async fn simultaneous_mutual_requests_make_friends() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    for round in 0..12 {
        let (a, b) = tokio::join!(alice.act(SEND, &bob.id), bob.act(SEND, &alice.id));
        assert_no_errors(&a);
        assert_no_errors(&b);
        let outcomes = [
            a["data"][SEND]["relationship"].as_str().unwrap(),
            b["data"][SEND]["relationship"].as_str().unwrap(),
        ];
        // One request went in first; the other turned it into a friendship.
        assert!(outcomes.contains(&"FRIENDS"), "round {round}: {outcomes:?}");
        assert_standing(&alice, &bob, "FRIENDS", "FRIENDS").await;
        assert_eq!(rows_for_pair(&s, &alice.id, &bob.id).await, 1);
        bob.act_ok(REMOVE, &alice.id).await;
    }
}
