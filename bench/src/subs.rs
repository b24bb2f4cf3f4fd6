//! Scenario 4, notification delivery: many `messageEvents` subscribers
//! through the router (`graphql-transport-ws`), each its own user. Measures
//! the time from a `sendMessage` response to the event's arrival at the
//! recipient's socket, and the resident memory the router and messaging
//! spend per idle subscriber.
//!
//! The subscribers are registered through a second auth replica started by
//! xtask with cheap argon2 parameters (same database, same signing keys):
//! seeding 1,000 accounts at the production cost would take minutes of CPU,
//! and their hashes are never checked again (they only subscribe).

// Counts and latencies stay far below 2^52: f64 holds them exactly.
#![allow(clippy::cast_precision_loss)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::{SinkExt as _, StreamExt as _, stream};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::Context;
use crate::gql::Gql;
use crate::report::Row;
use crate::seed::{self, User};

/// From the cursor read before subscribing, as clients do: an event that
/// commits before the subscription is live at messaging is replayed, not
/// lost.
const EVENTS: &str = "subscription($after: String) { messageEvents(after: $after) { kind message { id text sender { nickname } } } }";

/// An event seen by a subscriber: message id and when it arrived.
type Arrival = (String, Instant);

pub async fn notification_delivery(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let args = &ctx.args;
    let count = args.subscribers;
    let seed_auth = args
        .seed_auth
        .as_deref()
        .context("--seed-auth (a cheap-hashing auth replica) is required for subs")?;
    eprintln!("bench: registering {count} subscribers through {seed_auth}");
    let started = Instant::now();
    let http = crate::gql::http_client()?;
    let subscribers = register_many(
        &Gql::new(&http, seed_auth),
        &ctx.users_gql,
        &format!("{}-sub", ctx.run_id),
        count,
    )
    .await?;
    eprintln!(
        "bench: {count} subscribers registered in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let cursors: Vec<anyhow::Result<String>> = stream::iter(subscribers.iter())
        .map(|user| {
            let gql = ctx.router.with_token(&user.token);
            async move {
                let resp = gql.query("{ messageEventsCursor }", &json!({})).await?;
                resp["data"]["messageEventsCursor"]
                    .as_str()
                    .map(str::to_owned)
                    .context("no messageEventsCursor")
            }
        })
        .buffered(32)
        .collect()
        .await;
    let subscribers: Vec<(User, String)> = subscribers
        .into_iter()
        .zip(cursors)
        .map(|(user, cursor)| cursor.map(|c| (user, c)))
        .collect::<anyhow::Result<_>>()?;

    let rss_before = Rss::read(args)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Arrival>();
    let closed = Arc::new(AtomicU64::new(0));
    let ws_url = args.router.replacen("http", "ws", 1);
    let started = Instant::now();
    let connections: Vec<_> = stream::iter(subscribers.iter().cloned())
        .map(|(user, cursor)| {
            connect(
                ws_url.clone(),
                user,
                cursor,
                tx.clone(),
                Arc::clone(&closed),
            )
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let mut tasks = tokio::task::JoinSet::new();
    for connection in connections {
        tasks.spawn(connection.context("connecting a subscriber")?);
    }
    drop(tx);
    eprintln!(
        "bench: {count} subscribers connected in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // One message to each: proves every subscription is live at the
    // subgraph (there is no acknowledgement for `subscribe`) before memory
    // is read and latencies are measured.
    let senders = Arc::new(
        ctx.users[1..]
            .iter()
            .map(|u| ctx.router.with_token(&u.token))
            .collect::<Vec<_>>(),
    );
    let subscribers = Arc::new(subscribers.into_iter().map(|(u, _)| u).collect::<Vec<_>>());
    let warm = send_round(ctx, &senders, &subscribers, 1, "warm").await;
    let warm_seen = collect(&mut rx, warm.len(), Duration::from_secs(30)).await;
    if warm_seen.len() < count {
        eprintln!(
            "bench: only {} of {count} subscribers got their first event",
            warm_seen.len()
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = Rss::read(args)?;

    let rounds = 2;
    let sent = send_round(ctx, &senders, &subscribers, rounds, "load").await;
    let seen = collect(&mut rx, sent.len(), Duration::from_secs(30)).await;
    tasks.abort_all();

    let mut latencies = Vec::with_capacity(sent.len());
    let mut early = 0u64;
    let mut send_rtt: Vec<Duration> = Vec::with_capacity(sent.len());
    for (id, (requested, answered)) in &sent {
        send_rtt.push(*answered - *requested);
        if let Some(arrived) = seen.get(id) {
            if arrived < answered {
                early += 1;
            }
            latencies.push(arrived.saturating_duration_since(*answered));
        }
    }
    let lost = sent.len() - latencies.len();
    latencies.sort_unstable();
    send_rtt.sort_unstable();
    let p = |v: &[Duration], q: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((q / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1].as_secs_f64() * 1000.0
    };
    let per_sub = |before: u64, after: u64| after.saturating_sub(before) as f64 / count as f64;
    let router_kib = per_sub(rss_before.router_kib, rss_after.router_kib);
    let messaging_kib = per_sub(rss_before.messaging_kib, rss_after.messaging_kib);
    let closed = closed.load(Ordering::Relaxed);
    let warm_got = warm_seen.len();
    Ok(vec![
        Row {
            scenario: "4 notification delivery".into(),
            figure: format!(
                "`messageEvents` via router: sendMessage response → event, {count} subscribers, {} msg/s",
                args.subs_rate
            ),
            value: format!(
                "p50 {:.2} ms, p99 {:.2} ms ({} events, {lost} lost, {early} before the response, {closed} sockets closed; warm-up: {warm_got} of {count} subscribers got their first event)",
                p(&latencies, 50.0),
                p(&latencies, 99.0),
                latencies.len(),
            ),
            baseline: format!(
                "sendMessage round trip p50 {:.2} ms, p99 {:.2} ms",
                p(&send_rtt, 50.0),
                p(&send_rtt, 99.0)
            ),
            ratio: p(&latencies, 99.0) / p(&send_rtt, 99.0),
            goal: "p99 < 20 ms absolute".into(),
        },
        rss_row(
            "router",
            router_kib,
            rss_before.router_kib,
            rss_after.router_kib,
        ),
        rss_row(
            "messaging",
            messaging_kib,
            rss_before.messaging_kib,
            rss_after.messaging_kib,
        ),
    ])
}

fn rss_row(process: &str, per_sub: f64, before: u64, after: u64) -> Row {
    Row {
        scenario: "4 notification delivery".into(),
        figure: format!("{process} RSS per idle subscriber"),
        value: format!("{per_sub:.1} KiB (RSS {after} KiB with subscribers)"),
        baseline: format!("RSS {before} KiB before connecting"),
        ratio: after as f64 / before.max(1) as f64,
        goal: "< 64 KiB/subscriber absolute".into(),
    }
}

/// Registers `count` users in parallel through `auth` (the auth subgraph's
/// own endpoint) and waits until users knows each of them.
pub(crate) async fn register_many(
    auth: &Gql,
    users: &Gql,
    run: &str,
    count: usize,
) -> anyhow::Result<Vec<User>> {
    let registered: Vec<anyhow::Result<User>> = stream::iter(0..count)
        .map(|i| {
            let auth = auth.clone();
            let email = format!("bench-{run}-{i}@example.com");
            async move {
                let resp = auth
                    .query(
                        "mutation($email: String!, $password: String!) {
                           register(input: {email: $email, password: $password}) { auth { accessToken userId } }
                         }",
                        &json!({"email": email, "password": seed::PASSWORD}),
                    )
                    .await?;
                let auth = &resp["data"]["register"]["auth"];
                let (Some(id), Some(token)) =
                    (auth["userId"].as_str(), auth["accessToken"].as_str())
                else {
                    anyhow::bail!("register answered {resp}");
                };
                Ok(User {
                    id: id.to_owned(),
                    email,
                    token: token.to_owned(),
                })
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let registered = registered.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    // Users learns of new accounts from auth's outbox.
    let known: Vec<bool> = stream::iter(registered.iter())
        .map(|user| {
            let me = users.with_token(&user.token);
            async move {
                for _ in 0..600 {
                    if me.query("{ me { id } }", &json!({})).await.is_ok() {
                        return true;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                false
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    anyhow::ensure!(
        known.iter().all(|k| *k),
        "users never learned of some subscribers"
    );
    Ok(registered)
}

/// Opens one `graphql-transport-ws` connection for `user`, subscribes to
/// `messageEvents`, and returns the task that reads it: every
/// `MESSAGE_RECEIVED` event is reported on `arrivals`.
async fn connect(
    url: String,
    user: User,
    cursor: String,
    arrivals: mpsc::UnboundedSender<Arrival>,
    closed: Arc<AtomicU64>,
) -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    let mut socket = open_subscription(&url, &user.token, EVENTS, &cursor).await?;
    Ok(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else {
                continue;
            };
            let arrived = Instant::now();
            let Ok(msg) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            match msg["type"].as_str() {
                Some("next") => {
                    let event = &msg["payload"]["data"]["messageEvents"];
                    if event["kind"] == "MESSAGE_RECEIVED"
                        && let Some(id) = event["message"]["id"].as_str()
                    {
                        let _ = arrivals.send((id.to_owned(), arrived));
                    }
                }
                Some("ping") => {
                    let _ = socket
                        .send(Message::text(json!({"type": "pong"}).to_string()))
                        .await;
                }
                Some("error" | "complete") => break,
                _ => {}
            }
        }
        closed.fetch_add(1, Ordering::Relaxed);
    })
}

/// Sends `rounds` messages to every subscriber, open loop at
/// `--subs-rate` per second, from the seeded users in turn. Returns each
/// message id with when it was requested and when its response came.
/// Failed sends reported so far (only the first few are shown).
static FAILURES_SHOWN: AtomicU64 = AtomicU64::new(0);

async fn send_round(
    ctx: &Context,
    senders: &Arc<Vec<Gql>>,
    subscribers: &Arc<Vec<User>>,
    rounds: usize,
    phase: &str,
) -> HashMap<String, (Instant, Instant)> {
    let total = rounds * subscribers.len();
    let mut tick =
        tokio::time::interval(Duration::from_secs_f64(1.0 / ctx.args.subs_rate.max(1.0)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pending = Vec::with_capacity(total);
    for n in 0..total {
        tick.tick().await;
        let gql = senders[n % senders.len()].clone();
        let to = &subscribers[n % subscribers.len()];
        let body = Gql::body(
            seed::SEND,
            // `subs-`: the send scenario's ids are `<phase>-<run>-<n>` too,
            // and a reused id with another text is refused as a CONFLICT.
            &json!({"to": to.id, "text": "notification bench", "cid": format!("subs-{phase}-{}-{n}", ctx.run_id)}),
        );
        pending.push(tokio::spawn(async move {
            let requested = Instant::now();
            let resp = gql.send_json(&body).await;
            let answered = Instant::now();
            let id = resp
                .as_ref()
                .ok()
                .and_then(|r| r["data"]["sendMessage"]["message"]["id"].as_str());
            let Some(id) = id else {
                // Counted as not sent; say why (the first few times).
                if FAILURES_SHOWN.fetch_add(1, Ordering::Relaxed) < 3 {
                    eprintln!("bench: a send failed: {resp:?}");
                }
                return None;
            };
            let id = id.to_owned();
            Some((id, (requested, answered)))
        }));
    }
    let mut sent = HashMap::with_capacity(total);
    for task in pending {
        if let Ok(Some((id, times))) = task.await {
            sent.insert(id, times);
        }
    }
    sent
}

/// Arrivals until `expected` came or `timeout` passed.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<Arrival>,
    expected: usize,
    timeout: Duration,
) -> HashMap<String, Instant> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut seen = HashMap::with_capacity(expected);
    while seen.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((id, at))) => {
                seen.insert(id, at);
            }
            Ok(None) | Err(_) => break,
        }
    }
    seen
}

/// Resident memory (VmRSS) of the router and messaging processes.
struct Rss {
    router_kib: u64,
    messaging_kib: u64,
}

impl Rss {
    fn read(args: &crate::Args) -> anyhow::Result<Self> {
        let read = |pid: Option<u32>, name: &str| -> anyhow::Result<u64> {
            let pid = pid.with_context(|| format!("--{name}-pid is required for subs"))?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .with_context(|| format!("no VmRSS for {name} (pid {pid})"))
        };
        Ok(Self {
            router_kib: read(args.router_pid, "router")?,
            messaging_kib: read(args.messaging_pid, "messaging")?,
        })
    }
}

/// A `graphql-transport-ws` connection to `url` as the holder of `token`
/// (acknowledged), with subscription "1" to `query` started from `cursor`
/// (its `$after`).
pub(crate) async fn open_subscription(
    url: &str,
    token: &str,
    query: &str,
    cursor: &str,
) -> anyhow::Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio::time::timeout(
        Duration::from_secs(20),
        tokio_tungstenite::connect_async(request),
    )
    .await
    .context("WebSocket handshake timed out")??;
    let init =
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
    socket.send(Message::text(init.to_string())).await?;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .context("no connection_ack")?;
        let Some(Ok(Message::Text(text))) = frame else {
            anyhow::bail!("connection closed before connection_ack: {frame:?}");
        };
        let msg: Value = serde_json::from_str(&text)?;
        if msg["type"] == "connection_ack" {
            break;
        }
    }
    let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"after": cursor}}});
    socket.send(Message::text(subscribe.to_string())).await?;
    Ok(socket)
}
