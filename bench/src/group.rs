//! Scenario 7, group fan-out: one message to a group of 1,024 members, all
//! subscribed to `messageEvents` through the router. Measures, per message,
//! the time from the `sendMessage` answer (the commit) to the arrival of
//! the LAST member's event: 1,023 `MESSAGE_RECEIVED` and the sender's own
//! `MESSAGE_SENT` (the owner's subscription stands for their other
//! devices). Two selections (the sender's id, and the sender's nickname:
//! an entity fetch to users per event), each with one message at a time
//! (closed loop, a short gap after the last event) and a burst (messages
//! sent back to back, delivery collected afterwards).
//!
//! Members are registered through the cheap-hashing auth replica (as in
//! `subs`) and made the owner's friends with one INSERT into users'
//! `friendships` (the row shape of `stack::befriend`); the group itself is
//! created through the API.

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

use crate::Context;
use crate::gql::Gql;
use crate::report::Row;
use crate::seed::User;

const SEND: &str = "mutation($c: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {conversationId: $c, text: $text, clientMessageId: $cid}) { message { id } }
}";

/// What the members subscribe to: the sender's id (an app that has the
/// group's member list names the sender itself; messaging alone answers
/// it), and the sender's nickname (the router fetches it from users for
/// every event, 1,024 entity fetches per message).
const SELECTIONS: &[(&str, &str, &str)] = &[
    (
        "id",
        "text + sender id",
        "subscription($after: String) { messageEvents(after: $after) { kind message { id text sender { id } } } }",
    ),
    (
        "nickname",
        "text + sender nickname",
        "subscription($after: String) { messageEvents(after: $after) { kind message { id text sender { nickname } } } }",
    ),
];

/// Pause after a message's last event before the next is sent.
const GAP: Duration = Duration::from_millis(20);
/// How long one message's events may take before the missing ones count
/// as lost.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// An event seen by a member: message id, member index, and when.
struct Arrival {
    message: String,
    member: usize,
    at: Instant,
}

pub async fn fan_out(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let args = &ctx.args;
    let size = args.group_members.max(2);
    let seed_auth = args
        .seed_auth
        .as_deref()
        .context("--seed-auth (a cheap-hashing auth replica) is required for group")?;
    eprintln!("bench: registering {size} group members through {seed_auth}");
    let started = Instant::now();
    let http = crate::gql::http_client()?;
    let members = crate::subs::register_many(
        &Gql::new(&http, seed_auth),
        &ctx.users_gql,
        &format!("{}-group", ctx.run_id),
        size,
    )
    .await?;
    befriend(&args.users_db, &members).await?;
    let owner = &members[0];
    let owner_gql = ctx.router.with_token(&owner.token);
    let member_ids: Vec<&str> = members[1..].iter().map(|m| m.id.as_str()).collect();
    let resp = owner_gql
        .query(
            "mutation($title: String!, $ids: [ID!]!) { createGroup(input: {title: $title, memberIds: $ids}) { conversation { id } } }",
            &json!({"title": "bench group", "ids": member_ids}),
        )
        .await?;
    let group = resp["data"]["createGroup"]["conversation"]["id"]
        .as_str()
        .context("createGroup answered no id")?
        .to_owned();
    eprintln!(
        "bench: {size} members registered, befriended and grouped in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut rows = Vec::new();
    for (tag, label, query) in SELECTIONS {
        match selection(ctx, &owner_gql, &group, &members, (tag, label), query).await {
            Ok(mut new) => rows.append(&mut new),
            Err(err) => rows.push(Row {
                scenario: "7 group fan-out".into(),
                figure: format!("{label}: failed"),
                value: format!("{err:#}").replace('|', "/"),
                baseline: String::new(),
                ratio: f64::NAN,
                goal: String::new(),
            }),
        }
    }
    Ok(rows)
}

/// Subscribes every member with `query`, then measures one message at a
/// time and a burst.
async fn selection(
    ctx: &Context,
    owner: &Gql,
    group: &str,
    members: &[User],
    (tag, label): (&str, &str),
    query: &str,
) -> anyhow::Result<Vec<Row>> {
    let args = &ctx.args;
    let size = members.len();
    let cursors: Vec<anyhow::Result<String>> = stream::iter(members.iter())
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
    let (tx, mut rx) = mpsc::unbounded_channel::<Arrival>();
    let closed = Arc::new(AtomicU64::new(0));
    let ws_url = args.router.replacen("http", "ws", 1);
    let started = Instant::now();
    let connections: Vec<_> = stream::iter(members.iter().zip(cursors).enumerate())
        .map(|(member, (user, cursor))| {
            let url = ws_url.clone();
            let tx = tx.clone();
            let closed = Arc::clone(&closed);
            async move { connect(url, &user.token, &cursor?, query, member, tx, closed).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let mut tasks = tokio::task::JoinSet::new();
    for connection in connections {
        tasks.spawn(connection.context("connecting a member")?);
    }
    drop(tx);
    eprintln!(
        "bench: {size} members subscribed ({label}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut tracker = Tracker::default();
    let text = |phase: &str, n: usize| format!("group bench {phase} {n}");
    let cid = |phase: &str, n: usize| format!("group-{tag}-{phase}-{}-{n}", ctx.run_id);

    // One message that every subscription must deliver: proves each is
    // live at messaging (subscribe has no acknowledgement).
    let warm = send(owner, group, &text("warm", 0), &cid("warm", 0)).await?;
    tracker
        .wait_all(
            &mut rx,
            std::slice::from_ref(&warm.id),
            size,
            Duration::from_secs(60),
        )
        .await;
    let warm_got = tracker.count(&warm.id);
    anyhow::ensure!(
        warm_got == size,
        "only {warm_got} of {size} members got the warm-up message"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // One message at a time.
    let cpu_before = Cpu::read(args);
    let load_before = crate::load_average();
    let mut sent = Vec::with_capacity(args.group_messages);
    for n in 0..args.group_messages {
        let s = send(owner, group, &text("seq", n), &cid("seq", n)).await?;
        tracker
            .wait_all(&mut rx, std::slice::from_ref(&s.id), size, DELIVERY_TIMEOUT)
            .await;
        sent.push(s);
        tokio::time::sleep(GAP).await;
    }
    let cpu = Cpu::read(args).since(&cpu_before);
    let sequential = Outcome::of(&sent, &tracker, size);

    // A burst: messages back to back, each sent when the previous answer
    // came, whatever the delivery.
    let burst_started = Instant::now();
    let mut burst = Vec::with_capacity(args.group_burst);
    for n in 0..args.group_burst {
        burst.push(send(owner, group, &text("burst", n), &cid("burst", n)).await?);
    }
    let sending = burst_started.elapsed();
    let ids: Vec<String> = burst.iter().map(|s| s.id.clone()).collect();
    tracker
        .wait_all(&mut rx, &ids, size, DELIVERY_TIMEOUT * 2)
        .await;
    let delivered_in = ids
        .iter()
        .filter_map(|id| tracker.last(id))
        .max()
        .map_or(Duration::ZERO, |last| {
            last.saturating_duration_since(burst_started)
        });
    let bursted = Outcome::of(&burst, &tracker, size);
    tasks.abort_all();
    let closed = closed.load(Ordering::Relaxed);
    let load_after = crate::load_average();

    let scenario = "7 group fan-out".to_owned();
    let messages = sent.len() as f64;
    Ok(vec![
        Row {
            scenario: scenario.clone(),
            figure: format!(
                "{label}: sendMessage answer → last of {size} members' events, one message at a time ({} messages, {} ms gap)",
                sent.len(),
                GAP.as_millis()
            ),
            value: format!(
                "{} (first member: p50 {:.2} ms; {} lost, {} duplicate, {closed} sockets closed; load average {load_before} → {load_after})",
                sequential.last_summary(),
                sequential.first_p50,
                sequential.lost,
                sequential.duplicates,
            ),
            baseline: format!(
                "sendMessage round trip p50 {:.2} ms, p99 {:.2} ms",
                sequential.rtt_p50, sequential.rtt_p99
            ),
            ratio: sequential.last_p99 / sequential.rtt_p99,
            goal: "p99 < 100 ms absolute".into(),
        },
        Row {
            scenario: scenario.clone(),
            figure: format!(
                "{label}: CPU per message, one message at a time (ms; 200 = both cores for 100 ms)"
            ),
            value: cpu.per_message(messages),
            baseline: String::new(),
            ratio: f64::NAN,
            goal: "(info)".into(),
        },
        Row {
            scenario,
            figure: format!(
                "{label}: burst of {} messages sent back to back: answer → last member's event",
                burst.len()
            ),
            value: format!(
                "{} ({} lost, {} duplicate; sent in {:.0} ms, all {} events delivered {:.0} ms after the first send: {:.0} events/s)",
                bursted.last_summary(),
                bursted.lost,
                bursted.duplicates,
                sending.as_secs_f64() * 1000.0,
                burst.len() * size,
                delivered_in.as_secs_f64() * 1000.0,
                (burst.len() * size) as f64 / delivered_in.as_secs_f64().max(1e-9),
            ),
            baseline: format!(
                "sendMessage round trip p50 {:.2} ms, p99 {:.2} ms",
                bursted.rtt_p50, bursted.rtt_p99
            ),
            ratio: bursted.last_p99 / bursted.rtt_p99,
            goal: "(info)".into(),
        },
    ])
}

/// Makes `members[0]` friends with every other member: one INSERT into
/// users' `friendships` (pairs ordered, accepted).
async fn befriend(users_db: &str, members: &[User]) -> anyhow::Result<()> {
    let (client, connection) = tokio_postgres::connect(users_db, tokio_postgres::NoTls)
        .await
        .context("connecting to the users database")?;
    let driver = tokio::spawn(connection);
    let owner = members[0].id.clone();
    let others: Vec<String> = members[1..].iter().map(|m| m.id.clone()).collect();
    client
        .execute(
            "INSERT INTO friendships (user_a, user_b, state, requested_by, accepted_at) \
             SELECT LEAST(owner, o), GREATEST(owner, o), 'accepted', owner, now() \
             FROM (SELECT $1::text::uuid AS owner) AS w, unnest($2::text[]::uuid[]) AS o",
            &[&owner, &others],
        )
        .await
        .context("befriending the group members")?;
    drop(client);
    let _ = driver.await;
    Ok(())
}

struct Sent {
    id: String,
    requested: Instant,
    answered: Instant,
}

async fn send(owner: &Gql, group: &str, text: &str, cid: &str) -> anyhow::Result<Sent> {
    let requested = Instant::now();
    let resp = owner
        .query(SEND, &json!({"c": group, "text": text, "cid": cid}))
        .await?;
    let answered = Instant::now();
    let id = resp["data"]["sendMessage"]["message"]["id"]
        .as_str()
        .context("sendMessage answered no id")?
        .to_owned();
    Ok(Sent {
        id,
        requested,
        answered,
    })
}

/// Arrivals per message.
#[derive(Default)]
struct Tracker {
    messages: HashMap<String, Seen>,
}

#[derive(Default)]
struct Seen {
    members: Vec<bool>,
    count: usize,
    duplicates: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Tracker {
    fn record(&mut self, arrival: Arrival, size: usize) {
        let seen = self.messages.entry(arrival.message).or_default();
        if seen.members.is_empty() {
            seen.members = vec![false; size];
        }
        match seen.members.get_mut(arrival.member) {
            Some(true) => seen.duplicates += 1,
            Some(flag) => {
                *flag = true;
                seen.count += 1;
                seen.first = Some(seen.first.map_or(arrival.at, |f| f.min(arrival.at)));
                seen.last = Some(seen.last.map_or(arrival.at, |l| l.max(arrival.at)));
            }
            None => {}
        }
    }

    fn count(&self, id: &str) -> usize {
        self.messages.get(id).map_or(0, |s| s.count)
    }

    fn last(&self, id: &str) -> Option<Instant> {
        self.messages.get(id).and_then(|s| s.last)
    }

    /// Records arrivals until every one of `ids` reached `size` members or
    /// `timeout` passed.
    async fn wait_all(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Arrival>,
        ids: &[String],
        size: usize,
        timeout: Duration,
    ) {
        let deadline = tokio::time::Instant::now() + timeout;
        while ids.iter().any(|id| self.count(id) < size) {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(arrival)) => self.record(arrival, size),
                Ok(None) | Err(_) => break,
            }
        }
    }
}

/// Percentiles over messages of one phase.
struct Outcome {
    last: Vec<Duration>,
    first_p50: f64,
    last_p99: f64,
    rtt_p50: f64,
    rtt_p99: f64,
    lost: usize,
    duplicates: usize,
}

fn percentile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

impl Outcome {
    fn of(sent: &[Sent], tracker: &Tracker, size: usize) -> Self {
        let mut last = Vec::with_capacity(sent.len());
        let mut first = Vec::with_capacity(sent.len());
        let mut rtt = Vec::with_capacity(sent.len());
        let mut missing = 0;
        let mut duplicates = 0;
        for s in sent {
            rtt.push(s.answered - s.requested);
            let Some(seen) = tracker.messages.get(&s.id) else {
                missing += size;
                continue;
            };
            missing += size - seen.count;
            duplicates += seen.duplicates;
            // Only complete deliveries have a last event.
            if seen.count == size
                && let Some(at) = seen.last
            {
                last.push(at.saturating_duration_since(s.answered));
            }
            if let Some(at) = seen.first {
                first.push(at.saturating_duration_since(s.answered));
            }
        }
        last.sort_unstable();
        first.sort_unstable();
        rtt.sort_unstable();
        Self {
            first_p50: percentile_ms(&first, 50.0),
            last_p99: percentile_ms(&last, 99.0),
            rtt_p50: percentile_ms(&rtt, 50.0),
            rtt_p99: percentile_ms(&rtt, 99.0),
            last,
            lost: missing,
            duplicates,
        }
    }

    fn last_summary(&self) -> String {
        format!(
            "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile_ms(&self.last, 50.0),
            percentile_ms(&self.last, 90.0),
            percentile_ms(&self.last, 99.0),
            percentile_ms(&self.last, 100.0),
        )
    }
}

/// Opens one `graphql-transport-ws` connection through the router,
/// subscribes with `query` from `cursor`, and returns the task that reads
/// it: every message event is reported on `arrivals`.
async fn connect(
    url: String,
    token: &str,
    cursor: &str,
    query: &str,
    member: usize,
    arrivals: mpsc::UnboundedSender<Arrival>,
    closed: Arc<AtomicU64>,
) -> anyhow::Result<impl Future<Output = ()> + Send + 'static + use<>> {
    let mut socket = crate::subs::open_subscription(&url, token, query, cursor).await?;
    Ok(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else {
                continue;
            };
            let at = Instant::now();
            let Ok(msg) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            match msg["type"].as_str() {
                Some("next") => {
                    let event = &msg["payload"]["data"]["messageEvents"];
                    if (event["kind"] == "MESSAGE_RECEIVED" || event["kind"] == "MESSAGE_SENT")
                        && let Some(id) = event["message"]["id"].as_str()
                    {
                        let _ = arrivals.send(Arrival {
                            message: id.to_owned(),
                            member,
                            at,
                        });
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

/// CPU time (user + system) of the processes on the message path, to say
/// where the time of a message goes. PostgreSQL is every `postgres`
/// process (backends, WAL writer…), also those of other work on the
/// machine.
#[derive(Clone, Copy, Default)]
struct Cpu {
    router: u64,
    messaging: u64,
    users: u64,
    postgres: u64,
    bench: u64,
    total: u64,
}

/// Clock ticks per second of /proc's CPU times (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

impl Cpu {
    fn read(args: &crate::Args) -> Self {
        let of = |pid: Option<u32>| pid.map_or(0, |p| ticks(&format!("/proc/{p}/stat")));
        let mut postgres = 0;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let path = entry.path().join("stat");
                if let Ok(stat) = std::fs::read_to_string(&path)
                    && stat.contains("(postgres)")
                {
                    postgres += parse_ticks(&stat);
                }
            }
        }
        let total = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                let line = s.lines().next()?.to_owned();
                // user nice system idle iowait irq softirq steal: busy = all but idle, iowait.
                let v: Vec<u64> = line
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|x| x.parse().ok())
                    .collect();
                Some(
                    v.iter().sum::<u64>()
                        - v.get(3).copied().unwrap_or(0)
                        - v.get(4).copied().unwrap_or(0),
                )
            })
            .unwrap_or(0);
        Self {
            router: of(args.router_pid),
            messaging: of(args.messaging_pid),
            users: of(args.users_pid),
            postgres,
            bench: ticks("/proc/self/stat"),
            total,
        }
    }

    fn since(&self, before: &Self) -> Self {
        Self {
            router: self.router.saturating_sub(before.router),
            messaging: self.messaging.saturating_sub(before.messaging),
            users: self.users.saturating_sub(before.users),
            postgres: self.postgres.saturating_sub(before.postgres),
            bench: self.bench.saturating_sub(before.bench),
            total: self.total.saturating_sub(before.total),
        }
    }

    fn per_message(&self, messages: f64) -> String {
        let ms = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / messages.max(1.0);
        format!(
            "router {:.1}, messaging {:.1}, users {:.1}, PostgreSQL {:.1}, load generator {:.1}; whole machine {:.1}",
            ms(self.router),
            ms(self.messaging),
            ms(self.users),
            ms(self.postgres),
            ms(self.bench),
            ms(self.total),
        )
    }
}

fn ticks(path: &str) -> u64 {
    std::fs::read_to_string(path).map_or(0, |s| parse_ticks(&s))
}

/// utime + stime of a /proc/<pid>/stat line (fields 14 and 15; the
/// command name in parentheses may contain spaces, so count after it).
fn parse_ticks(stat: &str) -> u64 {
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime 15.
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}
