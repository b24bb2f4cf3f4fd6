//! `messageEvents` over real WebSockets (`graphql-transport-ws`): replay,
//! live delivery, reconnects, two processes, sign-out. Message
//! notifications are outbox events: the tests about their delivery run in
//! both `EVENTS` modes (`<test>::outbox`, `<test>::broker`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::{Chat as _, EVENTS, next_events, refusal_code, spawn, spawn_live};
use serde_json::{Value, json};
use testkit::{TestEvents, WsClient};

async fn recipient_and_senders_other_devices_get_events_live(events: TestEvents) {
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let alice_phone = t.sign_in_again(&alice).await;
    let ws_url = t.messaging().ws_url();
    let mut bob_ws = bob.ws(&ws_url).await;
    bob.subscribe_from_now(&mut bob_ws, "b").await;
    let mut phone_ws = alice_phone.ws(&ws_url).await;
    alice_phone.subscribe_from_now(&mut phone_ws, "p").await;

    let sent = alice.send(&bob, "hello").await;
    let received = next_events(&mut bob_ws, "b", 1).await;
    assert_eq!(received[0]["kind"], "MESSAGE_RECEIVED");
    assert_eq!(received[0]["message"]["id"], sent["id"]);
    assert_eq!(received[0]["message"]["text"], "hello");
    assert_eq!(received[0]["message"]["sender"]["id"], alice.id.as_str());
    assert_eq!(
        received[0]["message"]["conversationId"],
        sent["conversationId"]
    );
    let echoed = next_events(&mut phone_ws, "p", 1).await;
    assert_eq!(echoed[0]["kind"], "MESSAGE_SENT");
    assert_eq!(echoed[0]["message"]["id"], sent["id"]);

    // A retry sends nothing new to anyone.
    alice.send_with_id(&bob, "second", "retry-me").await;
    alice.send_with_id(&bob, "second", "retry-me").await;
    assert_eq!(
        next_events(&mut bob_ws, "b", 1).await[0]["message"]["text"],
        "second"
    );
    assert!(
        bob_ws
            .next_event(Duration::from_millis(500))
            .await
            .is_none()
    );
}

/// A client that reconnects with the cursor of the last event it saw gets
/// every event exactly once, while messages keep arriving.
async fn replay_then_live_without_loss_or_duplicates_across_reconnects(events: TestEvents) {
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let ws_url = t.messaging().ws_url();
    // Sent before Bob subscribed, after he took the cursor: replayed.
    let start = bob.events_cursor().await;
    alice.send(&bob, "m0").await;
    let mut ws = bob.ws(&ws_url).await;
    let total = 40;
    let writer = {
        let (alice, bob) = (alice.clone(), bob.clone());
        tokio::spawn(async move {
            for i in 1..total {
                if i % 3 == 0 {
                    bob.send(&alice, &format!("m{i}")).await;
                } else {
                    alice.send(&bob, &format!("m{i}")).await;
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };

    // Replay from the cursor, then keep dropping the connection and
    // resuming from the cursor of the last event received.
    ws.subscribe("s0", EVENTS, json!({ "after": start })).await;
    let mut events: Vec<Value> = next_events(&mut ws, "s0", 3).await;
    let mut round = 1;
    while events.len() < total as usize {
        ws.close().await;
        // Stay away a little while messages keep coming.
        tokio::time::sleep(Duration::from_millis(60)).await;
        ws = bob.ws(&ws_url).await;
        let id = format!("s{round}");
        let after = events.last().unwrap()["cursor"].clone();
        ws.subscribe(&id, EVENTS, json!({ "after": after })).await;
        let want = (total as usize - events.len()).min(5);
        events.extend(next_events(&mut ws, &id, want).await);
        round += 1;
    }
    writer.await.unwrap();
    assert!(
        ws.next_event(Duration::from_millis(500)).await.is_none(),
        "nothing extra"
    );

    // Every message exactly once, in order, with the right kinds.
    let texts: Vec<&str> = events
        .iter()
        .map(|e| e["message"]["text"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..total).map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected);
    for (i, event) in (0..total).zip(&events) {
        let kind = if i > 0 && i % 3 == 0 {
            "MESSAGE_SENT"
        } else {
            "MESSAGE_RECEIVED"
        };
        assert_eq!(event["kind"], kind, "{event}");
    }
    let cursors: HashSet<&str> = events
        .iter()
        .map(|e| e["cursor"].as_str().unwrap())
        .collect();
    assert_eq!(cursors.len(), events.len());

    // Replaying from the first event gives the rest of the log again.
    let mut ws = bob.ws(&ws_url).await;
    let after_first = events[0]["cursor"].clone();
    ws.subscribe("again", EVENTS, json!({ "after": after_first }))
        .await;
    let again = next_events(&mut ws, "again", events.len() - 1).await;
    assert_eq!(again, events[1..]);
}

async fn events_cross_processes_sharing_a_database(events: TestEvents) {
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let other = t.messaging_replica().await;
    let mut ws = bob.ws(&other.ws_url()).await;
    bob.subscribe_from_now(&mut ws, "x").await;
    // Sent through the first process, delivered by the second.
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(alice.send(&bob, &format!("cross {i}")).await["id"].clone());
    }
    let got: Vec<Value> = next_events(&mut ws, "x", 5)
        .await
        .iter()
        .map(|e| e["message"]["id"].clone())
        .collect();
    assert_eq!(got, sent);
    other.stop().await;
}

/// One sender's messages reach the recipient in the order they were sent,
/// each soon after its `sendMessage` returned. Prints the latencies (tests
/// assert no timings).
async fn a_senders_messages_arrive_in_order_soon_after_sending(events: TestEvents) {
    const MESSAGES: usize = 100;
    let t = spawn_live(events).await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    bob.subscribe_from_now(&mut ws, "s").await;
    // The first one also warms up connections and the JetStream consumer.
    alice.send(&bob, "warm-up").await;
    next_events(&mut ws, "s", 1).await;

    let (mut send, mut delivered, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..MESSAGES {
        let started = Instant::now();
        alice.send(&bob, &format!("m{i}")).await;
        send.push(started.elapsed());
        let event = next_events(&mut ws, "s", 1).await.remove(0);
        delivered.push(started.elapsed());
        texts.push(event["message"]["text"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected);
    // After the answer (the commit is a little earlier still).
    let after_answer: Vec<Duration> = delivered
        .iter()
        .zip(&send)
        .map(|(d, s)| d.saturating_sub(*s))
        .collect();
    let percentiles = |mut v: Vec<Duration>| {
        v.sort_unstable();
        let at = |p: usize| v[(v.len() * p / 100).min(v.len() - 1)];
        format!("p50 {:?}, p99 {:?}, max {:?}", at(50), at(99), at(100))
    };
    println!(
        "EVENTS={:?}, {MESSAGES} messages one at a time: sendMessage answered in {}; \
         event received {} after the start of sendMessage, {} after its answer",
        t.events.mode,
        percentiles(send),
        percentiles(delivered),
        percentiles(after_answer),
    );
}

/// Several senders at once, as fast as they can: the recipient gets every
/// message once, each sender's in the order it sent them. Prints how far
/// the notifications lag behind the sends (tests assert no timings).
async fn a_burst_from_several_senders_keeps_each_senders_order(events: TestEvents) {
    const SENDERS: usize = 4;
    const EACH: usize = 100;
    let t = spawn_live(events).await;
    let (bob, s0, s1, s2, s3) = tokio::join!(
        t.seed_user("bob"),
        t.seed_user("s0"),
        t.seed_user("s1"),
        t.seed_user("s2"),
        t.seed_user("s3")
    );
    let senders = [s0, s1, s2, s3];
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    bob.subscribe_from_now(&mut ws, "s").await;

    let started = Instant::now();
    let sending = senders.iter().enumerate().map(|(number, sender)| {
        let bob = &bob;
        async move {
            for i in 0..EACH {
                sender.send(bob, &format!("{number}:{i}")).await;
            }
        }
    });
    let sending = async {
        futures::future::join_all(sending).await;
        started.elapsed()
    };
    let receiving = async {
        let events = next_events(&mut ws, "s", SENDERS * EACH).await;
        (events, started.elapsed())
    };
    let (all_sent, (events, all_received)) = tokio::join!(sending, receiving);
    let mut next = [0_usize; SENDERS];
    for event in &events {
        let text = event["message"]["text"].as_str().unwrap();
        let (sender, nth) = text.split_once(':').unwrap();
        let (sender, nth): (usize, usize) = (sender.parse().unwrap(), nth.parse().unwrap());
        assert_eq!(nth, next[sender], "sender {sender} out of order at {text}");
        next[sender] += 1;
    }
    assert_eq!(next, [EACH; SENDERS]);
    println!(
        "EVENTS={:?}, {} messages from {SENDERS} senders at once: all sent in {all_sent:?} \
         ({:.0}/s), all received {:?} after the last answer",
        t.events.mode,
        SENDERS * EACH,
        f64::from(u32::try_from(SENDERS * EACH).unwrap()) / all_sent.as_secs_f64(),
        all_received.saturating_sub(all_sent),
    );
}

testkit::in_both_modes!(
    recipient_and_senders_other_devices_get_events_live,
    replay_then_live_without_loss_or_duplicates_across_reconnects,
    events_cross_processes_sharing_a_database,
    a_senders_messages_arrive_in_order_soon_after_sending,
    a_burst_from_several_senders_keeps_each_senders_order,
);

/// `msg` is a message of type `kind` for subscription `id`, carrying the
/// error of a session that is over: `UNAUTHENTICATED` with `reason`.
fn assert_session_error(msg: &Value, id: &str, kind: &str, reason: &str) {
    assert_eq!(
        (&msg["id"], &msg["type"]),
        (&json!(id), &json!(kind)),
        "{msg}"
    );
    let (code, got) = testkit::ws_error(msg);
    assert_eq!(code.as_deref(), Some("UNAUTHENTICATED"), "{msg}");
    assert_eq!(got.as_deref(), Some(reason), "{msg}");
}

/// Reads the end of subscription `id` after its session ended: the error
/// (`UNAUTHENTICATED`, `reason`), then `complete`. Returns how long it took.
async fn ended_with(ws: &mut WsClient, id: &str, reason: &str) -> Duration {
    let started = Instant::now();
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("subscription {id} did not end: {:?}", ws.close_frame()));
    let took = started.elapsed();
    assert_session_error(&msg, id, "next", reason);
    let done = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (&done["id"], &done["type"]),
        (&json!(id), &json!("complete")),
        "{done}"
    );
    took
}

/// A `subscribe` on a connection whose session is over: an `error` before
/// anything is replayed, and nothing after.
async fn subscribe_is_refused(ws: &mut WsClient, id: &str, after: &Value, reason: &str) {
    ws.subscribe(id, EVENTS, json!({ "after": after })).await;
    let msg = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_session_error(&msg, id, "error", reason);
    assert!(
        ws.next_event(Duration::from_millis(300)).await.is_none(),
        "something came after the refusal"
    );
}

#[tokio::test]
async fn signing_out_ends_running_streams_and_refuses_new_subscribes() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let history_starts = bob.events_cursor().await;
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    bob.subscribe_from_now(&mut ws, "s").await;
    alice.send(&bob, "before").await;
    t.run_pending().await;
    next_events(&mut ws, "s", 1).await;

    let logout = t
        .auth_gql()
        .with_token(&bob.access_token)
        .query("mutation { logout { sessionId } }", json!({}))
        .await;
    testkit::assert_no_errors(&logout);
    let took = ended_with(&mut ws, "s", "SESSION_REVOKED").await;
    println!("the running stream ended {took:?} after logout answered");
    alice.send(&bob, "after").await;
    t.run_pending().await;
    assert!(ws.next_event(Duration::from_millis(500)).await.is_none());
    // The attack: a new subscribe on the same socket, replaying history.
    subscribe_is_refused(&mut ws, "replay", &history_starts, "SESSION_REVOKED").await;
    assert!(ws.close_frame().is_none(), "the connection stays open");
    // A new connection with the revoked token is refused.
    let mut again = bob.ws(&t.messaging().ws_url()).await;
    again
        .subscribe("s2", EVENTS, json!({ "after": history_starts }))
        .await;
    let refused = again.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        refusal_code(&refused).as_deref(),
        Some("UNAUTHENTICATED"),
        "{refused}"
    );
    assert_eq!(
        testkit::ws_error(&refused).1.as_deref(),
        Some("SESSION_REVOKED"),
        "{refused}"
    );
}

/// Messaging hears of sign-outs through one `WatchRevocations` stream from
/// auth, which must outlive the gRPC request timeout (`grpc_api::channel`):
/// a subscription older than that still ends on sign-out.
#[tokio::test]
async fn a_stream_older_than_the_grpc_request_timeout_still_ends_on_sign_out() {
    let t = spawn().await;
    let bob = t.seed_user("bob").await;
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    bob.subscribe_from_now(&mut ws, "s").await;
    let quiet = grpc_api::channel::REQUEST_TIMEOUT + Duration::from_secs(1);
    assert!(ws.next_event(quiet).await.is_none(), "nothing to say yet");
    assert!(ws.close_frame().is_none(), "the connection stays open");

    let logout = t
        .auth_gql()
        .with_token(&bob.access_token)
        .query("mutation { logout { sessionId } }", json!({}))
        .await;
    testkit::assert_no_errors(&logout);
    ended_with(&mut ws, "s", "SESSION_REVOKED").await;
}

const LOGIN_FULL: &str = "mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken refreshToken }
}";

/// Every way a session is revoked ends its open streams at once: sign-out
/// everywhere (from another device), a password change (other sessions),
/// a refresh token presented twice.
#[tokio::test]
async fn every_revocation_ends_open_streams() {
    let t = spawn().await;
    let bob = t.seed_user("bob").await;
    let login = || async {
        let resp = t
            .auth_gql()
            .query(
                LOGIN_FULL,
                json!({"email": bob.email, "password": crate::common::PASSWORD}),
            )
            .await;
        testkit::assert_no_errors(&resp);
        let login = &resp["data"]["login"];
        (
            login["accessToken"].as_str().unwrap().to_owned(),
            login["refreshToken"].as_str().unwrap().to_owned(),
        )
    };
    let open = |token: String| {
        let url = t.messaging().ws_url();
        async move {
            let mut ws =
                WsClient::connect(&url, json!({"Authorization": format!("Bearer {token}")}))
                    .await
                    .unwrap();
            ws.subscribe("s", EVENTS, json!({})).await;
            // The subscription runs: nothing comes, the socket stays open.
            assert!(ws.next_event(Duration::from_millis(200)).await.is_none());
            ws
        }
    };

    // logoutEverywhere from another device.
    let (watched, _) = login().await;
    let mut ws = open(watched).await;
    let (other, _) = login().await;
    let resp = t
        .auth_gql()
        .with_token(&other)
        .query("mutation { logoutEverywhere { sessionsEnded } }", json!({}))
        .await;
    testkit::assert_no_errors(&resp);
    let took = ended_with(&mut ws, "s", "SESSION_REVOKED").await;
    println!("logoutEverywhere: ended after {took:?}");

    // changePassword from another device signs this one out.
    let (watched, _) = login().await;
    let mut ws = open(watched).await;
    let (other, _) = login().await;
    let resp = t
        .auth_gql()
        .with_token(&other)
        .query(
            "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { sessionsEnded } }",
            json!({"c": crate::common::PASSWORD, "n": crate::common::PASSWORD}),
        )
        .await;
    testkit::assert_no_errors(&resp);
    let took = ended_with(&mut ws, "s", "SESSION_REVOKED").await;
    println!("changePassword: ended after {took:?}");

    // A refresh token presented twice (stolen and used) ends the session.
    let (watched, refresh) = login().await;
    let mut ws = open(watched).await;
    let refresh_query = "mutation($r: String!) { refresh(refreshToken: $r) { accessToken } }";
    testkit::assert_no_errors(
        &t.auth_gql()
            .query(refresh_query, json!({"r": refresh}))
            .await,
    );
    let reused = t
        .auth_gql()
        .query(refresh_query, json!({"r": refresh}))
        .await;
    assert_eq!(
        testkit::error_code(&reused).as_deref(),
        Some("UNAUTHENTICATED"),
        "{reused}"
    );
    let took = ended_with(&mut ws, "s", "SESSION_REVOKED").await;
    println!("refresh-token reuse: ended after {took:?}");
}

#[tokio::test]
async fn an_expired_token_ends_open_streams() {
    // Tokens live 4 s (no leeway): long enough to connect and subscribe.
    let t = crate::common::spawn_with_auth(|auth| {
        auth.access_token_ttl_secs = 4;
        auth.jwt_leeway_secs = 0;
    })
    .await;
    let bob = t.seed_user("bob").await;
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    ws.subscribe("s", EVENTS, json!({})).await;
    let msg = ws.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        refusal_code(&msg).as_deref(),
        Some("UNAUTHENTICATED"),
        "{msg}"
    );
    assert_eq!(
        testkit::ws_error(&msg).1.as_deref(),
        Some("TOKEN_EXPIRED"),
        "{msg}"
    );
    let done = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(done["type"], "complete", "{done}");
    // Resubscribing on the same socket with the expired token: refused.
    subscribe_is_refused(&mut ws, "again", &Value::Null, "TOKEN_EXPIRED").await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused() {
    let t = spawn().await;
    let bob = t.seed_user("bob").await;
    let ws_url = t.messaging().ws_url();

    let mut anonymous = WsClient::connect(&ws_url, Value::Null).await.unwrap();
    anonymous.subscribe("a", EVENTS, json!({})).await;
    let msg = anonymous.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        refusal_code(&msg).as_deref(),
        Some("UNAUTHENTICATED"),
        "{msg}"
    );

    let mut ws = bob.ws(&ws_url).await;
    for (id, after) in [("c1", "garbage"), ("c2", ""), ("c3", "djE6LTE")] {
        ws.subscribe(id, EVENTS, json!({ "after": after })).await;
        let msg = ws.next_event(Duration::from_secs(5)).await.unwrap();
        assert_eq!(
            refusal_code(&msg).as_deref(),
            Some("BAD_USER_INPUT"),
            "{msg}"
        );
        // The failed subscription is over; the connection stays usable.
        let done = ws.next_event(Duration::from_secs(5)).await.unwrap();
        assert_eq!(done["type"], "complete", "{done}");
    }
    // A malformed document is refused by validation.
    ws.subscribe(
        "v",
        "subscription { messageEvents(after: 5) { cursor } }",
        json!({}),
    )
    .await;
    let msg = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        refusal_code(&msg).as_deref(),
        Some("BAD_USER_INPUT"),
        "{msg}"
    );
    assert_eq!(
        ws.next_event(Duration::from_secs(5)).await.unwrap()["type"],
        "complete"
    );
    // And a good subscription on the same connection works.
    bob.subscribe_from_now(&mut ws, "ok").await;
    let alice = t.seed_user("alice").await;
    alice.send(&bob, "still here").await;
    t.run_pending().await;
    assert_eq!(
        next_events(&mut ws, "ok", 1).await[0]["message"]["text"],
        "still here"
    );
}

#[tokio::test]
async fn without_after_the_stream_starts_live() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let before = bob.events_cursor().await;
    alice.send(&bob, "old").await;
    // The feed entry follows the commit (an outbox event): deliver it, or
    // the "old" message would rightly arrive live.
    t.run_pending().await;
    assert_ne!(
        bob.events_cursor().await,
        before,
        "the message never reached the feed"
    );
    let mut ws = bob.ws(&t.messaging().ws_url()).await;
    ws.subscribe("live", EVENTS, json!({})).await;
    // When the subscription is in place is not observable: keep sending
    // until something arrives. It must be new, never the old message.
    let mut first = None;
    for i in 0..50 {
        alice.send(&bob, &format!("new {i}")).await;
        t.run_pending().await;
        if let Some(msg) = ws.next_event(Duration::from_millis(200)).await {
            first = Some(msg);
            break;
        }
    }
    let first = first.expect("a live event arrives");
    let text = first["payload"]["data"]["messageEvents"]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(text.starts_with("new"), "{first}");
}
