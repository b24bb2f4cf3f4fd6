//! A subscriber reconnecting at random points: 10,000 messages to one
//! receiver whose `messageEvents` connection is dropped again and again
//! (closed cleanly, cut without a close frame, or abandoned in the middle of
//! a read) and opened again with `after: <the last cursor it processed>`.
//! Every message arrives exactly once, and in order. Only the public
//! GraphQL API is used, so the test holds however notifications reach the
//! feed.
//!
//! The drops come from a seeded generator; the seed is printed, and
//! `RECONNECT_SEED=<seed>` replays the same drop points.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::common::Chat as _;
use serde_json::{Value, json};
use testkit::events::Mode;
use testkit::{FaultFigures, TestEvents, WsClient};

/// Messages in all.
const MESSAGES: usize = 10_000;
/// Senders, each sending its share one message after the other (so its
/// messages have one order to keep), all at once.
const SENDERS: usize = 8;
/// The receiver's subscription and the senders' mutation, asking only for
/// what the test checks (the CI budget is two slow cores).
const EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) { cursor kind message { id text } }
}";
const SEND: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) { message { id } }
}";
/// How long the receiver waits for an event before calling it a stall.
const STALL: Duration = Duration::from_secs(20);

/// splitmix64: a few lines, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// How a connection is dropped.
#[derive(Debug, Clone, Copy)]
enum Disconnect {
    /// A close frame after the n-th event.
    Close,
    /// The socket just goes away after the n-th event (no close frame).
    Cut,
    /// The reading is abandoned after a random time, wherever it is (as an
    /// aborted task would), and the socket with it.
    Abandon,
}

/// One received event: (message id, text, cursor).
type Received = (String, String, String);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_arrive_exactly_once_in_order_across_random_reconnects() {
    let seed: u64 = std::env::var("RECONNECT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_nanos() as u64
        });
    eprintln!("reconnect test: seed {seed} (RECONNECT_SEED={seed} replays these drops)");
    let mut rng = Rng(seed);

    let stack = crate::common::spawn_live_with(TestEvents::new(Mode::Outbox), |config| {
        config.message_rate = ratelimit::Rate::OFF;
    })
    .await;
    let receiver = stack.seed_user("receiver").await;
    let mut senders = Vec::new();
    for k in 0..SENDERS {
        senders.push(stack.seed_user(&format!("sender{k}")).await);
    }
    let ws_url = stack.messaging().ws_url();
    let start = receiver.events_cursor().await;

    // The senders: `k:i`, in order per sender.
    let started = Instant::now();
    let sending: Vec<_> = senders
        .iter()
        .enumerate()
        .map(|(k, sender)| {
            let (sender, to) = (sender.clone(), receiver.clone());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..MESSAGES / SENDERS {
                    let resp = sender
                        .gql
                        .query(
                            SEND,
                            json!({"to": to.id, "text": format!("{k}:{i}"), "cid": format!("{k}-{i}")}),
                        )
                        .await;
                    testkit::assert_no_errors(&resp);
                    ids.push(resp["data"]["sendMessage"]["message"]["id"].as_str().unwrap().to_owned());
                }
                ids
            })
        })
        .collect();

    // The receiver.
    let mut events: Vec<Received> = Vec::with_capacity(MESSAGES);
    let mut after = start.clone();
    let mut drops: HashMap<&'static str, u32> = HashMap::new();
    // Time from a drop to the first event on the new connection.
    let mut gaps: Vec<Duration> = Vec::new();
    let mut dropped_at: Option<Instant> = None;
    while events.len() < MESSAGES {
        let mut ws = receiver.ws(&ws_url).await;
        ws.subscribe("m", EVENTS, json!({ "after": after })).await;
        let how = match rng.between(0, 2) {
            0 => Disconnect::Close,
            1 => Disconnect::Cut,
            _ => Disconnect::Abandon,
        };
        // Events before a Close or Cut; a time for an Abandon.
        let budget = rng.between(1, (MESSAGES / 8) as u64) as usize;
        let patience = Duration::from_millis(rng.between(50, 1500));
        let before = events.len();
        let reading = read_until(
            &mut ws,
            &mut events,
            &mut after,
            before + budget,
            &mut dropped_at,
            &mut gaps,
        );
        match how {
            Disconnect::Close | Disconnect::Cut => reading.await,
            Disconnect::Abandon => {
                let _ = tokio::time::timeout(patience, reading).await;
            }
        }
        if events.len() >= MESSAGES {
            // Anything more on this connection would be a duplicate.
            if let Some(extra) = ws.next_event(Duration::from_millis(500)).await {
                panic!("an event after all {MESSAGES} (seed {seed}): {extra}");
            }
            ws.close().await;
            break;
        }
        *drops.entry(how_name(how)).or_default() += 1;
        dropped_at = Some(Instant::now());
        match how {
            Disconnect::Close => ws.close().await,
            Disconnect::Cut | Disconnect::Abandon => drop(ws),
        }
        // Sometimes the receiver stays away a little while messages pile up.
        tokio::time::sleep(Duration::from_millis(rng.between(0, 40))).await;
    }
    let elapsed = started.elapsed();
    let mut sent: Vec<String> = Vec::new();
    for task in sending {
        sent.extend(task.await.expect("sender"));
    }
    let send_time = started.elapsed();

    // Exactly once: no message twice, none missing.
    let ids: Vec<&str> = events.iter().map(|(id, _, _)| id.as_str()).collect();
    let distinct: HashSet<&str> = ids.iter().copied().collect();
    let sent_set: HashSet<&str> = sent.iter().map(String::as_str).collect();
    let lost = sent_set.difference(&distinct).count();
    let duplicated = ids.len() - distinct.len();
    // In order: each sender's messages in the order it sent them.
    let mut next_of: HashMap<&str, usize> = HashMap::new();
    let mut out_of_order = 0;
    for (_, text, _) in &events {
        let (k, i) = text.split_once(':').expect("k:i");
        let i: usize = i.parse().expect("i");
        let next = next_of.entry(k).or_default();
        if i != *next {
            out_of_order += 1;
        }
        *next = i + 1;
    }
    let total_drops: u32 = drops.values().sum();
    let max_gap = gaps.iter().max().copied().unwrap_or_default();
    let mean_gap = if gaps.is_empty() {
        Duration::ZERO
    } else {
        gaps.iter().sum::<Duration>() / gaps.len() as u32
    };
    FaultFigures {
        test: "ws_reconnect".to_owned(),
        sent: sent.len() as u64,
        received: distinct.len() as u64,
        lost: lost as u64,
        duplicated: duplicated as u64,
        recovery: max_gap,
        note: format!(
            "seed {seed}; {total_drops} drops {drops:?}; first event {mean_gap:.0?} after a drop \
             on average (max is the recovery); out of order {out_of_order}; \
             sent in {send_time:.1?}, all received {elapsed:.1?} after the first send"
        ),
    }
    .report();

    assert_eq!(sent.len(), MESSAGES);
    assert_eq!(lost, 0, "lost messages (seed {seed})");
    assert_eq!(duplicated, 0, "duplicated messages (seed {seed})");
    assert_eq!(events.len(), MESSAGES, "seed {seed}");
    assert_eq!(out_of_order, 0, "messages out of order (seed {seed})");
    assert!(total_drops >= 5, "only {total_drops} drops (seed {seed})");
}

fn how_name(how: Disconnect) -> &'static str {
    match how {
        Disconnect::Close => "close",
        Disconnect::Cut => "cut",
        Disconnect::Abandon => "abandon",
    }
}

/// Reads events into `events` until it holds `until` of them (or all),
/// moving `after` to each processed event's cursor.
async fn read_until(
    ws: &mut WsClient,
    events: &mut Vec<Received>,
    after: &mut Value,
    until: usize,
    dropped_at: &mut Option<Instant>,
    gaps: &mut Vec<Duration>,
) {
    while events.len() < until.min(MESSAGES) {
        let msg = ws
            .next_event(STALL)
            .await
            .unwrap_or_else(|| panic!("no event for {STALL:?} ({} received)", events.len()));
        assert_eq!(msg["type"], "next", "{msg}");
        assert!(msg["payload"]["errors"].is_null(), "{msg}");
        let event = &msg["payload"]["data"]["messageEvents"];
        assert_eq!(event["kind"], "MESSAGE_RECEIVED", "{msg}");
        if let Some(at) = dropped_at.take() {
            gaps.push(at.elapsed());
        }
        let message = &event["message"];
        events.push((
            message["id"].as_str().unwrap().to_owned(),
            message["text"].as_str().unwrap().to_owned(),
            event["cursor"].as_str().unwrap().to_owned(),
        ));
        *after = event["cursor"].clone();
    }
}
