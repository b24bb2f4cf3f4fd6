//! `friendEvents` after conversations v2 (issue 19): the caller's own
//! changes reach the caller's other sessions, `friendEventsCursor`, cursors
//! of other streams and lists refused, and cursors older than the feed
//! keeps (`FEED_RETENTION_DAYS`) refused as `CURSOR_EXPIRED`.

use std::time::Duration;

use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::{Value, json};
use testkit::WsClient;

use crate::common::{
    FRIEND_EVENTS, Person, PersonExt as _, Stack, next_friend_event, ws_error_code,
};

const SEND: &str = "sendFriendRequest";
const CANCEL: &str = "cancelFriendRequest";
const ACCEPT: &str = "acceptFriendRequest";
const DECLINE: &str = "declineFriendRequest";
const REMOVE: &str = "removeFriend";

async fn events_cursor(person: &Person) -> String {
    let resp = person.query("{ friendEventsCursor }", json!({})).await;
    testkit::assert_no_errors(&resp);
    resp["data"]["friendEventsCursor"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every event after `after`, replayed (the outbox drained first, so all
/// of them are in the feed): `(kind, other user's id)`.
async fn replay(s: &Stack, person: &Person, after: &str, n: usize) -> Vec<(String, String)> {
    s.run_pending().await;
    let mut ws = s.ws(person).await;
    ws.subscribe("r", FRIEND_EVENTS, json!({ "after": after }))
        .await;
    let mut seen = Vec::new();
    for _ in 0..n {
        let event = next_friend_event(&mut ws).await;
        seen.push((
            event["kind"].as_str().unwrap().to_owned(),
            event["user"]["id"].as_str().unwrap().to_owned(),
        ));
    }
    assert_quiet(&mut ws).await;
    seen
}

async fn assert_quiet(ws: &mut WsClient) {
    if let Some(msg) = ws.next_event(Duration::from_millis(300)).await {
        panic!("unexpected message: {msg}");
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, u)| ((*k).to_owned(), (*u).to_owned()))
        .collect()
}

/// The first answer to subscription `id`: its error's `extensions`.
async fn refused(ws: &mut WsClient, id: &str, after: &Value) -> Value {
    ws.subscribe(id, FRIEND_EVENTS, json!({ "after": after }))
        .await;
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(
        ws_error_code(&msg).as_deref(),
        Some("BAD_USER_INPUT"),
        "{msg}"
    );
    let errors = if msg["type"] == "error" {
        msg["payload"].clone()
    } else {
        // An error as the stream's only item, then `complete`.
        let done = ws
            .next_event(Duration::from_secs(5))
            .await
            .expect("the end");
        assert_eq!(done, json!({ "id": id, "type": "complete" }));
        msg["payload"]["errors"].clone()
    };
    errors[0]["extensions"].clone()
}

#[tokio::test]
async fn own_changes_reach_the_callers_other_sessions_and_the_other_side_hears_only_its_own() {
    let s = crate::common::start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    let carol = s.seed_user("carol").await;
    let alice_from = events_cursor(&alice).await;
    let bob_from = events_cursor(&bob).await;
    let carol_from = events_cursor(&carol).await;

    alice.act_ok(SEND, &bob.id).await; // alice: REQUEST_SENT
    bob.act_ok(ACCEPT, &alice.id).await; // both: REQUEST_ACCEPTED
    carol.act_ok(SEND, &alice.id).await;
    alice.act_ok(DECLINE, &carol.id).await; // carol is not told
    alice.act_ok(REMOVE, &bob.id).await; // bob is not told
    carol.act_ok(SEND, &bob.id).await;
    carol.act_ok(CANCEL, &bob.id).await; // both: REQUEST_CANCELLED

    let (a, b, c) = (alice.id.as_str(), bob.id.as_str(), carol.id.as_str());
    assert_eq!(
        replay(&s, &alice, &alice_from, 5).await,
        pairs(&[
            ("REQUEST_SENT", b),
            ("REQUEST_ACCEPTED", b),
            ("REQUEST_RECEIVED", c),
            ("REQUEST_DECLINED", c),
            ("FRIEND_REMOVED", b),
        ])
    );
    assert_eq!(
        replay(&s, &bob, &bob_from, 4).await,
        pairs(&[
            ("REQUEST_RECEIVED", a),
            ("REQUEST_ACCEPTED", a),
            ("REQUEST_RECEIVED", c),
            ("REQUEST_CANCELLED", c),
        ])
    );
    assert_eq!(
        replay(&s, &carol, &carol_from, 3).await,
        pairs(&[
            ("REQUEST_SENT", a),
            ("REQUEST_SENT", b),
            ("REQUEST_CANCELLED", b),
        ])
    );
}

#[tokio::test]
async fn friend_events_cursor_read_before_the_lists_misses_nothing() {
    let s = crate::common::start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    // An app starting up: the cursor, then its lists, then the subscription.
    let cursor = events_cursor(&alice).await;
    assert!(alice.list_all("incomingFriendRequests").await.is_empty());
    bob.act_ok(SEND, &alice.id).await; // between the lists and the subscribe
    s.run_pending().await;
    let mut ws = s.ws(&alice).await;
    ws.subscribe("1", FRIEND_EVENTS, json!({ "after": cursor }))
        .await;
    let event = next_friend_event(&mut ws).await;
    assert_eq!(event["kind"], "REQUEST_RECEIVED");
    assert_eq!(event["user"]["id"], bob.id.as_str());
    // The cursor moved on with the event; at the head nothing more comes.
    let head = events_cursor(&alice).await;
    assert_eq!(event["cursor"], head.as_str());
    assert_ne!(head, cursor);
    let mut at_head = s.ws(&alice).await;
    at_head
        .subscribe("2", FRIEND_EVENTS, json!({ "after": head }))
        .await;
    assert_quiet(&mut at_head).await;
    // And without any event yet, the cursor works as well.
    let carol = s.seed_user("carol").await;
    let fresh = events_cursor(&carol).await;
    let mut ws = s.ws(&carol).await;
    ws.subscribe("3", FRIEND_EVENTS, json!({ "after": fresh }))
        .await;
    assert_quiet(&mut ws).await;
    let resp = s.gql().query("{ friendEventsCursor }", json!({})).await;
    assert_eq!(
        testkit::error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn cursors_of_other_streams_and_lists_are_refused() {
    let s = crate::common::start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    bob.act_ok(SEND, &alice.id).await;
    alice.act_ok(ACCEPT, &bob.id).await;
    let page = alice.page("friends", 10, &Value::Null).await;
    let list_cursor = page["edges"][0]["cursor"].clone();
    assert!(list_cursor.is_string(), "{page}");
    let mut ws = s.ws(&alice).await;
    for (id, after) in [
        // friendEvents' cursors before issue 19, and messageEvents'.
        ("v1", json!(feed::encode_cursor(1))),
        ("message", json!(feed::Cursors::new("me1").encode(1))),
        ("list", list_cursor),
    ] {
        let extensions = refused(&mut ws, id, &after).await;
        assert_eq!(extensions["field"], "after", "{id}: {extensions}");
        assert!(extensions["reason"].is_null(), "{id}: {extensions}");
    }
}

/// Prunes what a retention of `days` drops, as the periodic task does.
async fn prune(s: &Stack, days: u32) -> u64 {
    let mut conn = AsyncPgConnection::establish(s.users_db().url())
        .await
        .unwrap();
    feed::prune(
        &mut conn,
        feed::Retention::days(days).cutoff(chrono::Utc::now()),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_cursor_older_than_the_kept_events_is_refused_as_expired() {
    let s = crate::common::start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    let carol = s.seed_user("carol").await;
    let before = events_cursor(&alice).await;
    bob.act_ok(SEND, &alice.id).await;
    carol.act_ok(SEND, &alice.id).await;
    s.run_pending().await;
    let after_first = replay(&s, &alice, &before, 2).await;
    assert_eq!(after_first.len(), 2);
    let head = events_cursor(&alice).await;

    // Within the retention nothing goes.
    assert_eq!(prune(&s, 30).await, 0);
    // Bob's request is 31 days old, carol's is recent.
    s.users_sql()
        .await
        .execute(
            &format!(
                "UPDATE feed_events SET created_at = now() - interval '31 days' \
                 WHERE recipient_id = '{}' AND seq = 1",
                alice.id
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(prune(&s, 30).await, 1);

    // The cursor from before it: expired.
    let mut ws = s.ws(&alice).await;
    let extensions = refused(&mut ws, "old", &json!(before)).await;
    assert_eq!(extensions["reason"], "CURSOR_EXPIRED", "{extensions}");
    assert_eq!(extensions["field"], "after", "{extensions}");
    // Right after the pruned event: carol's is still there.
    let seq1 = users::service::notifications::CURSORS.encode(1);
    assert_eq!(
        replay(&s, &alice, &seq1, 1).await,
        pairs(&[("REQUEST_RECEIVED", carol.id.as_str())])
    );
    // At the head, and without a cursor: fine.
    let mut ws = s.ws(&alice).await;
    ws.subscribe("head", FRIEND_EVENTS, json!({ "after": head }))
        .await;
    let mut live = s.ws(&alice).await;
    live.subscribe("live", FRIEND_EVENTS, json!({})).await;
    assert_quiet(&mut ws).await;

    // Everything pruned: the head stays, seqs go on, a head cursor still works.
    s.users_sql()
        .await
        .execute(
            "UPDATE feed_events SET created_at = now() - interval '31 days'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(prune(&s, 30).await, 3, "alice's one, bob's and carol's own");
    assert_eq!(events_cursor(&alice).await, head);
    let mut again = s.ws(&alice).await;
    let extensions = refused(&mut again, "seq1", &json!(seq1)).await;
    assert_eq!(extensions["reason"], "CURSOR_EXPIRED", "{extensions}");
    bob.act_ok(CANCEL, &alice.id).await;
    s.run_pending().await;
    let event = next_friend_event(&mut ws).await;
    assert_eq!(event["kind"], "REQUEST_CANCELLED");
    assert_eq!(
        users::service::notifications::CURSORS
            .parse(event["cursor"].as_str().unwrap())
            .ok(),
        Some(3),
        "the seq goes on after the pruned ones"
    );
    assert_eq!(
        next_friend_event(&mut live).await["cursor"],
        event["cursor"]
    );
}
