//! The scenarios of issue 8. Each returns table rows: a figure, the baseline
//! measured in the same run, and their ratio.

// Counts stay far below 2^52: f64 holds them exactly.
#![allow(clippy::cast_precision_loss)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::gql::Gql;
use crate::load::{self, Limits, Stats};
use crate::report::Row;
use crate::seed::{self, User};
use crate::{Args, Context};

fn limits(args: &Args) -> Limits {
    Limits {
        duration: Duration::from_secs(args.seconds),
        max_requests: args.max_requests,
    }
}

fn warmup() -> Limits {
    Limits {
        duration: Duration::from_secs(1),
        max_requests: 2_000,
    }
}

/// Closed-loop load of one prepared GraphQL request; warm-up first.
async fn gql_load(gql: &Gql, query: &str, concurrency: usize, limits: Limits) -> Stats {
    gql_load_as(std::slice::from_ref(gql), query, concurrency, limits).await
}

/// Like [`gql_load`], the n-th request from `callers[n % len]`: many users,
/// so the router's deduplication of identical in-flight subgraph requests
/// (same query, same Authorization) does not serve one answer to several.
async fn gql_load_as(callers: &[Gql], query: &str, concurrency: usize, limits: Limits) -> Stats {
    let body = Arc::new(Gql::body(query, &json!({})));
    let callers = Arc::new(callers.to_vec());
    for l in [warmup(), limits] {
        let callers = Arc::clone(&callers);
        let body = Arc::clone(&body);
        let stats = load::run(concurrency, l, move |n| {
            let gql = callers[n as usize % callers.len()].clone();
            let body = Arc::clone(&body);
            async move { gql.send_ok(&body).await }
        })
        .await;
        if l.duration == limits.duration {
            return stats;
        }
    }
    Stats::default()
}

fn rps(stats: &Stats) -> String {
    format!(
        "{:.0}/s (p50 {:.2} ms, p99 {:.2} ms, {} err)",
        stats.rate(),
        stats.percentile_ms(50.0),
        stats.percentile_ms(99.0),
        stats.errors
    )
}

/// 1. Router overhead: `{ me { id nickname } }` through the router vs
///    directly against users; and `{ __typename }` the same way.
pub async fn router_overhead(ctx: &Context) -> Vec<Row> {
    let as_users =
        |gql: &Gql| -> Vec<Gql> { ctx.users.iter().map(|u| gql.with_token(&u.token)).collect() };
    let mut rows = Vec::new();
    for (query, goal) in [
        ("{ me { id nickname } }", "≥ 0.70"),
        ("{ __typename }", "(info)"),
    ] {
        let direct = gql_load_as(
            &as_users(&ctx.users_gql),
            query,
            ctx.args.concurrency,
            limits(&ctx.args),
        )
        .await;
        let routed = gql_load_as(
            &as_users(&ctx.router),
            query,
            ctx.args.concurrency,
            limits(&ctx.args),
        )
        .await;
        rows.push(Row {
            scenario: "1 router overhead".into(),
            figure: format!(
                "`{query}` req/s router vs users ({} users in turn)",
                ctx.users.len()
            ),
            value: rps(&routed),
            baseline: rps(&direct),
            ratio: routed.rate() / direct.rate(),
            goal: goal.into(),
        });
    }
    rows
}

const JOIN: &str = "{ conversations(first: 20) { edges { node { peer { nickname } lastMessage { text sender { nickname } } } } } }";
/// The messaging subgraph's own share of the join: same shape, ids only.
const JOIN_LOCAL: &str = "{ conversations(first: 20) { edges { node { peer { id } lastMessage { text sender { id } } } } } }";

/// 2. Federated join through the router vs messaging's own part of it.
pub async fn federated_join(ctx: &Context) -> Vec<Row> {
    let hub = &ctx.users[0];
    let direct = gql_load(
        &ctx.messaging_gql.with_token(&hub.token),
        JOIN_LOCAL,
        ctx.args.concurrency,
        limits(&ctx.args),
    )
    .await;
    let routed = gql_load(
        &ctx.router.with_token(&hub.token),
        JOIN,
        ctx.args.concurrency,
        limits(&ctx.args),
    )
    .await;
    vec![Row {
        scenario: "2 federated join".into(),
        figure: "conversations(first: 20) + peer/sender nicknames, router vs messaging alone (ids)"
            .into(),
        value: rps(&routed),
        baseline: rps(&direct),
        ratio: routed.rate() / direct.rate(),
        goal: "(info)".into(),
    }]
}

/// 3. `sendMessage` through the router vs pgbench single-row INSERT TPS.
pub async fn send_path(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let run = ctx.run_id.clone();
    let users = Arc::new(ctx.users.clone());
    let via = |gql: &Gql| -> Arc<Vec<Gql>> {
        Arc::new(users.iter().map(|u| gql.with_token(&u.token)).collect())
    };
    let (routed, direct) = (via(&ctx.router), via(&ctx.messaging_gql));
    let sender = move |senders: &Arc<Vec<Gql>>, phase: &'static str| {
        let users = Arc::clone(&users);
        let senders = Arc::clone(senders);
        let run = run.clone();
        move |n: u64| {
            // Disjoint pairs of users other than the hub (1→2, 3→4, …), in
            // turn: one conversation (and its lock) per pair, as in real
            // traffic, rather than everyone queueing on the hub's.
            let pairs = ((users.len() - 1) / 2).max(1);
            let pair = n as usize % pairs;
            let (from, to) = (1 + 2 * pair, (2 + 2 * pair).min(users.len() - 1));
            let gql = senders[from].clone();
            let body = Gql::body(
                seed::SEND,
                &json!({"to": users[to].id, "text": "hello from the bench", "cid": format!("{phase}-{run}-{n}")}),
            );
            async move { gql.send_ok(&body).await }
        }
    };
    load::run(ctx.args.concurrency, warmup(), sender(&routed, "warm")).await;
    let sent = load::run(
        ctx.args.concurrency,
        limits(&ctx.args),
        sender(&routed, "load"),
    )
    .await;
    let sent_direct = load::run(
        ctx.args.concurrency,
        limits(&ctx.args),
        sender(&direct, "direct"),
    )
    .await;
    let tps = crate::pgbench::insert_tps(&ctx.args, ctx.args.concurrency).await?;
    Ok(vec![
        Row {
            scenario: "3 send path".into(),
            figure: "sendMessage msg/s via router vs straight to messaging".into(),
            value: rps(&sent),
            baseline: rps(&sent_direct),
            ratio: sent.rate() / sent_direct.rate(),
            goal: "(info)".into(),
        },
        Row {
            scenario: "3 send path".into(),
            figure: "sendMessage msg/s via router vs pgbench INSERT tps".into(),
            value: rps(&sent),
            baseline: format!("{tps:.0} tps"),
            ratio: sent.rate() / tps,
            goal: "≥ 0.35".into(),
        },
    ])
}

/// 5. ValidateToken calls/s (vs the same RPC with a malformed token: the
///    bare gRPC round trip), and a cheap query's p99 while 50 logins/s run
///    (vs its idle p99).
pub async fn token_check(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    use anyhow::Context as _;
    use grpc_api::auth::v1::ValidateTokenRequest;
    use grpc_api::auth::v1::auth_client::AuthClient;

    let service_token = ctx.args.internal_service_token.as_ref().context(
        "INTERNAL_SERVICE_TOKEN is not set: auth answers ValidateToken only to our services",
    )?;
    // A few HTTP/2 connections, as a few service instances would hold.
    let mut clients = Vec::new();
    for _ in 0..4 {
        let channel = grpc_api::channel::connect(&ctx.args.auth_grpc, service_token).await?;
        clients.push(AuthClient::new(channel));
    }
    let clients = Arc::new(clients);
    // Every seeded user's token in turn, as many users' requests would.
    let validate = |tokens: Vec<String>, valid: bool| {
        let clients = Arc::clone(&clients);
        let tokens = Arc::new(tokens);
        move |n: u64| {
            let mut client = clients[n as usize % clients.len()].clone();
            let token = tokens[n as usize % tokens.len()].clone();
            async move {
                let answer = client.validate_token(ValidateTokenRequest { token }).await;
                // The baseline counts any answer; the real call must succeed.
                answer.is_ok() || !valid
            }
        }
    };
    let tokens: Vec<String> = ctx.users.iter().map(|u| u.token.clone()).collect();
    load::run(
        ctx.args.concurrency,
        warmup(),
        validate(tokens.clone(), true),
    )
    .await;
    let with_valid = load::run(
        ctx.args.concurrency,
        limits(&ctx.args),
        validate(tokens, true),
    )
    .await;
    let bare = load::run(
        ctx.args.concurrency,
        limits(&ctx.args),
        validate(vec!["not-a-token".into()], false),
    )
    .await;
    let mut rows = vec![Row {
        scenario: "5 token check".into(),
        figure: format!(
            "ValidateToken calls/s (gRPC, {} users' tokens in turn) vs malformed-token round trip",
            ctx.users.len()
        ),
        value: rps(&with_valid),
        baseline: rps(&bare),
        ratio: with_valid.rate() / bare.rate(),
        goal: "≥ 20k/s absolute".into(),
    }];

    // A cheap query at low concurrency, idle then under login load.
    const CHEAP: &str = "{ me { id } }";
    let cheap = ctx.router.with_token(&ctx.users[0].token);
    let probe = Limits {
        duration: Duration::from_secs(ctx.args.seconds),
        max_requests: ctx.args.max_requests,
    };
    rows.push(
        p99_under_logins(ctx, &format!("`{CHEAP}`"), || {
            gql_load(&cheap, CHEAP, 2, probe)
        })
        .await?,
    );

    // The same at a steady 200 queries/s (open loop): the closed loop
    // above keeps the CPU busy by itself, so whatever else runs, the
    // machine included, lengthens its tail; traffic that leaves the CPU
    // room shows what the logins alone cost a query.
    let body = Arc::new(Gql::body(CHEAP, &json!({})));
    let paced_probe = || {
        let (cheap, body) = (cheap.clone(), Arc::clone(&body));
        load::paced(PACED_PROBE_RATE, probe, move |_| {
            let (cheap, body) = (cheap.clone(), Arc::clone(&body));
            async move { cheap.send_ok(&body).await }
        })
    };
    rows.push(
        p99_under_logins(
            ctx,
            &format!("`{CHEAP}` at {PACED_PROBE_RATE:.0}/s (open loop):"),
            paced_probe,
        )
        .await?,
    );
    Ok(rows)
}

/// A scenario-5 figure for one probe: its p99 while 50 logins/s
/// run, against its p99 idle (`probe` runs once each way).
async fn p99_under_logins<Fut>(
    ctx: &Context,
    what: &str,
    probe: impl Fn() -> Fut,
) -> anyhow::Result<Row>
where
    Fut: std::future::Future<Output = Stats>,
{
    let idle = probe().await;
    let logins = start_logins(ctx, 50.0, Duration::from_secs(ctx.args.seconds + 1));
    let loaded = probe().await;
    let (login_ok, login_err, login_elapsed) = logins.await?;
    Ok(Row {
        scenario: "5 token check".into(),
        figure: format!(
            "{what} p99 under {:.0} logins/s ({login_err} failed) vs idle",
            login_ok as f64 / login_elapsed.as_secs_f64()
        ),
        value: rps(&loaded),
        baseline: rps(&idle),
        ratio: loaded.percentile_ms(99.0) / idle.percentile_ms(99.0),
        goal: "≤ 2.0".into(),
    })
}

/// Rate of the open-loop cheap-query probe of scenario 5.
const PACED_PROBE_RATE: f64 = 200.0;

/// Logins at `per_second` (open loop) for `duration`, through the router,
/// rotating over the seeded users. Resolves to (ok, failed, elapsed).
fn start_logins(
    ctx: &Context,
    per_second: f64,
    duration: Duration,
) -> tokio::task::JoinHandle<(u64, u64, Duration)> {
    let router = ctx.router.clone();
    let users: Vec<User> = ctx.users.clone();
    tokio::spawn(async move {
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
        let mut pending = Vec::new();
        let mut n = 0usize;
        while started.elapsed() < duration {
            tick.tick().await;
            let user = &users[n % users.len()];
            n += 1;
            let body = Gql::body(
                "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }",
                &json!({"e": user.email, "p": seed::PASSWORD}),
            );
            let router = router.clone();
            let (ok, failed) = (Arc::clone(&ok), Arc::clone(&failed));
            pending.push(tokio::spawn(async move {
                if router.send_ok(&body).await {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for task in pending {
            let _ = task.await;
        }
        (
            ok.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
            started.elapsed(),
        )
    })
}

/// 6. Peer: scenarios 1 and 2 through Hive Gateway (same supergraph, same
///    subgraphs), against the subgraph alone and against our router, all
///    in this run.
pub async fn peer(ctx: &Context) -> anyhow::Result<Vec<Row>> {
    let Some(gateway) = &ctx.gateway else {
        anyhow::bail!("--gateway (Hive Gateway's URL) is required for peer");
    };
    let hub = &ctx.users[0];
    let mut rows = Vec::new();
    for (query, direct_query, direct, name) in [
        (
            "{ me { id nickname } }",
            "{ me { id nickname } }",
            &ctx.users_gql,
            "users",
        ),
        (
            JOIN,
            JOIN_LOCAL,
            &ctx.messaging_gql,
            "messaging alone (ids)",
        ),
    ] {
        // `me` as every seeded user in turn (as scenario 1), the join as
        // the user with 64 conversations (as scenario 2).
        let load = |gql: &Gql, q: &'static str| {
            let callers: Vec<Gql> = if q == JOIN || q == JOIN_LOCAL {
                vec![gql.with_token(&hub.token)]
            } else {
                ctx.users.iter().map(|u| gql.with_token(&u.token)).collect()
            };
            async move { gql_load_as(&callers, q, ctx.args.concurrency, limits(&ctx.args)).await }
        };
        let alone = load(direct, direct_query).await;
        let via_gateway = load(gateway, query).await;
        let via_router = load(&ctx.router, query).await;
        let label = if query == JOIN {
            "join (scenario 2)".to_owned()
        } else {
            format!("`{query}`")
        };
        rows.push(Row {
            scenario: "6 peer".into(),
            figure: format!("{label} req/s Hive Gateway vs {name}"),
            value: rps(&via_gateway),
            baseline: rps(&alone),
            ratio: via_gateway.rate() / alone.rate(),
            goal: "(info)".into(),
        });
        rows.push(Row {
            scenario: "6 peer".into(),
            figure: format!("{label} req/s our router vs Hive Gateway"),
            value: rps(&via_router),
            baseline: rps(&via_gateway),
            ratio: via_router.rate() / via_gateway.rate(),
            goal: "(info)".into(),
        });
    }
    Ok(rows)
}
