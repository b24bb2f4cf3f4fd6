//! No event is lost in silence through the router (issue 19): a client that
//! stops reading while a burst of messages arrives for it either receives
//! every event once, or its subscription ends with `UNAVAILABLE` /
//! `SLOW_CONSUMER` (then `complete`) and subscribing again with `after:` its
//! last cursor delivers exactly what it missed.
//!
//! As a phone on a slow network: the client's socket has a small kernel
//! receive buffer, so what the router sends while it does not read stays on
//! the router's side. 30 users send 100 messages each (2 KB of text, so the
//! burst, about 6 MB, outgrows every buffer on the way) through the router;
//! the client reads nothing for a few seconds, then reads. Then the same
//! 3,000 again as one replay (`after:` the cursor from before the burst) to
//! a client that pauses before reading.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use e2e::{System, TestUser};
use serde_json::{Value, json};
use testkit::{WsClient, assert_no_errors};

const SENDERS: usize = 30;
const PER_SENDER: usize = 100;
const TEXT_BYTES: usize = 2000;
/// The client's kernel receive buffer (Linux doubles it).
const RECEIVE_BUFFER: u32 = 4096;
/// How long the client reads nothing: shorter than the 10 s after which the
/// router gives up on a client that answers no ping (then the connection
/// closes; the test would reconnect and resume, and say so).
const PAUSE: Duration = Duration::from_secs(6);
/// As a chat app subscribes: the router resolves each sender's nickname
/// from users, one request per event.
const EVENTS_WITH_NICKNAMES: &str = "subscription($after: String) {
  messageEvents(after: $after) { cursor kind message { id text sender { nickname } } }
}";
/// From messaging alone: the router forwards events as fast as they come.
const EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) { cursor kind message { id text } }
}";
/// A subscription that ended must be resumed in fewer rounds than this;
/// each round must deliver something.
const MAX_ROUNDS: usize = 100;

async fn ok(user: &TestUser, query: &str, variables: Value) -> Value {
    let resp = user.gql.query(query, variables).await;
    assert_no_errors(&resp);
    resp["data"].clone()
}

/// Sender `n` sends its messages to `to`, one after the other; their ids,
/// and when the last was sent.
async fn send_all(sender: TestUser, n: usize, to: String) -> (Vec<String>, Instant) {
    let mut ids = Vec::with_capacity(PER_SENDER);
    for i in 0..PER_SENDER {
        let head = format!("sender {n}, message {i}: ");
        let text = format!("{head}{}", "x".repeat(TEXT_BYTES - head.len()));
        let data = ok(
            &sender,
            "mutation($to: ID!, $text: String!, $id: String!) {
               sendMessage(input: {to: $to, text: $text, clientMessageId: $id}) { message { id } }
             }",
            json!({"to": to, "text": text, "id": format!("burst-{n}-{i}")}),
        )
        .await;
        ids.push(
            data["sendMessage"]["message"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (ids, Instant::now())
}

#[tokio::test]
async fn a_client_that_stops_reading_loses_no_event() {
    let system = System::start_unthrottled().await;
    let reader = system.user("reader").await;
    let senders = futures::future::join_all((0..SENDERS).map(|n| {
        let system = &system;
        async move { system.user(&format!("sender{n}")).await }
    }))
    .await;
    let total = SENDERS * PER_SENDER;
    let before_burst =
        ok(&reader, "{ messageEventsCursor }", json!({})).await["messageEventsCursor"].clone();

    // Live: subscribed, the burst starts, the client reads nothing for a
    // while, then reads as it goes on. The router's work per event (a
    // request to users) is what falls behind here.
    let mut live = Reader::connect(
        &system,
        &reader,
        EVENTS_WITH_NICKNAMES,
        before_burst.clone(),
    )
    .await;
    let started = Instant::now();
    let sends: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(n, sender)| tokio::spawn(send_all(sender, n, reader.id.clone())))
        .collect();
    tokio::time::sleep(PAUSE).await;
    live.read(total).await;
    let mut sent = HashSet::new();
    let mut last_sent = started;
    for send in sends {
        let (ids, at) = send.await.unwrap();
        sent.extend(ids);
        last_sent = last_sent.max(at);
    }
    assert_eq!(sent.len(), total);
    assert_eq!(live.received, sent, "live: not the messages sent");
    println!(
        "live: {total} messages sent in {:?}, the client paused {PAUSE:?}, had all once after {:?}; rounds (events, end, time): {:?}",
        last_sent - started,
        started.elapsed(),
        live.rounds,
    );
    live.nothing_more().await;

    // Replay: all of them again, from before the burst, to a client that
    // pauses before reading; the router has nothing to add to the events,
    // so they pile up for the client.
    let started = Instant::now();
    let mut replay = Reader::connect(&system, &reader, EVENTS, before_burst).await;
    tokio::time::sleep(PAUSE).await;
    replay.read(total).await;
    assert_eq!(replay.received, sent, "replay: not the messages sent");
    println!(
        "replay: the client paused {PAUSE:?}, had all {total} once after {:?}; rounds (events, end, time): {:?}",
        started.elapsed(),
        replay.rounds,
    );
    replay.nothing_more().await;

    // Which of the router's limits ended subscriptions (its log says).
    let log = system.router.log();
    for (limit, line) in [
        ("events awaiting their fields", "subscription buffer full"),
        (
            "resolved events not yet written",
            "Broadcast receiver lagged",
        ),
        ("data the client has not read", "Client reads too slowly"),
    ] {
        let count = log.lines().filter(|l| l.contains(line)).count();
        println!("router: {count} subscriptions ended at its limit on {limit}");
    }
}

/// How one subscription (one round) ended.
#[derive(Debug)]
enum Ended {
    /// Every message arrived.
    Done,
    /// UNAVAILABLE / SLOW_CONSUMER, then `complete`.
    SlowConsumer,
    /// The connection closed (the router gives up on a client that has not
    /// answered its pings for 10 s).
    Closed(Option<(u16, String)>),
}

/// A client of `messageEvents` that resumes from its last cursor whenever
/// its subscription ends, on a small receive buffer.
struct Reader<'a> {
    system: &'a System,
    user: &'a TestUser,
    query: &'static str,
    ws: WsClient,
    /// Subscription ids are the round numbers.
    round: usize,
    cursor: Value,
    received: HashSet<String>,
    /// (events received, how the round ended, when it ended).
    rounds: Vec<(usize, String, Duration)>,
}

impl<'a> Reader<'a> {
    async fn connect(
        system: &'a System,
        user: &'a TestUser,
        query: &'static str,
        cursor: Value,
    ) -> Reader<'a> {
        let mut reader = Reader {
            system,
            user,
            query,
            ws: Self::socket(system, user).await,
            round: 1,
            cursor,
            received: HashSet::new(),
            rounds: Vec::new(),
        };
        reader.subscribe().await;
        reader
    }

    async fn socket(system: &System, user: &TestUser) -> WsClient {
        WsClient::connect_with_receive_buffer(
            &system.router.ws_url(),
            json!({ "Authorization": format!("Bearer {}", user.access_token) }),
            RECEIVE_BUFFER,
        )
        .await
        .unwrap()
    }

    async fn subscribe(&mut self) {
        self.ws
            .subscribe(
                &self.round.to_string(),
                self.query,
                json!({"after": self.cursor}),
            )
            .await;
    }

    /// Reads until `total` distinct messages have arrived, resuming after
    /// every end; each message must arrive once.
    async fn read(&mut self, total: usize) {
        let started = Instant::now();
        loop {
            let before = self.received.len();
            let ended = self.read_round(total).await;
            self.rounds.push((
                self.received.len() - before,
                format!("{ended:?}"),
                started.elapsed(),
            ));
            match ended {
                Ended::Done => return,
                Ended::SlowConsumer => {}
                Ended::Closed(ref frame) => {
                    println!(
                        "round {}: connection closed {frame:?}, reconnecting",
                        self.round
                    );
                    self.ws = Self::socket(self.system, self.user).await;
                }
            }
            assert!(
                self.received.len() > before,
                "round {} ended ({ended:?}) without delivering anything",
                self.round
            );
            assert!(
                self.round < MAX_ROUNDS,
                "still missing events after {} rounds: {:?}",
                self.round,
                self.rounds
            );
            self.round += 1;
            self.subscribe().await;
        }
    }

    /// Reads the current subscription until `total` messages have arrived,
    /// it ends, or the connection closes.
    async fn read_round(&mut self, total: usize) -> Ended {
        let id = self.round.to_string();
        loop {
            if self.received.len() == total {
                return Ended::Done;
            }
            let Some(msg) = self.ws.next_event(Duration::from_secs(60)).await else {
                let closed = self
                    .ws
                    .close_frame()
                    .map(|(code, reason)| (code, reason.to_owned()));
                assert!(
                    closed.is_some(),
                    "subscription {id}: nothing for 60 s, {} of {total} received, connection open",
                    self.received.len(),
                );
                return Ended::Closed(closed);
            };
            assert_eq!(msg["id"], id.as_str(), "{msg}");
            assert_eq!(msg["type"], "next", "ended without the error: {msg}");
            if msg["payload"].get("errors").is_some() {
                let (code, reason) = testkit::ws_error(&msg);
                assert_eq!(code.as_deref(), Some("UNAVAILABLE"), "{msg}");
                assert_eq!(reason.as_deref(), Some("SLOW_CONSUMER"), "{msg}");
                assert!(msg["payload"]["data"].is_null(), "{msg}");
                let complete = self.ws.next_event(Duration::from_secs(10)).await;
                assert_eq!(
                    complete,
                    Some(json!({"id": id, "type": "complete"})),
                    "after the error"
                );
                return Ended::SlowConsumer;
            }
            let event = &msg["payload"]["data"]["messageEvents"];
            assert_eq!(event["kind"], "MESSAGE_RECEIVED", "{msg}");
            if self.query == EVENTS_WITH_NICKNAMES {
                assert!(
                    event["message"]["sender"]["nickname"].is_string(),
                    "sender not resolved: {event}"
                );
            }
            let message = event["message"]["id"].as_str().unwrap().to_owned();
            assert!(self.received.insert(message), "received twice: {event}");
            self.cursor = event["cursor"].clone();
        }
    }

    /// Nothing follows the last message (no message twice).
    async fn nothing_more(&mut self) {
        if let Some(msg) = self.ws.next_event(Duration::from_secs(1)).await {
            panic!("after every message arrived: {msg}");
        }
    }
}
