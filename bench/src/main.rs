//! `bench`: load scenarios against a running system (started by
//! `cargo xtask bench`, which passes the URLs). Seeds data through the API,
//! measures each figure next to a baseline taken in the same run, prints a
//! table and appends it to RESULTS.md. Loopback only; every load is bounded
//! in time and in request count.

mod gql;
mod group;
mod load;
mod pgbench;
mod scenarios;
mod seed;
mod subs;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bench::report;
use clap::Parser;

use crate::gql::Gql;
use crate::report::Row;

/// The scenarios this program runs (`all`: every one of them).
pub const SCENARIOS: &[&str] = &["overhead", "join", "send", "token", "subs", "peer", "group"];

#[derive(Parser, Clone)]
#[command(name = "bench")]
pub struct Args {
    /// overhead | join | send | token | subs | peer | group | all
    pub scenario: String,
    #[arg(long, default_value = "http://127.0.0.1:4100/graphql")]
    pub router: String,
    #[arg(long, default_value = "http://127.0.0.1:4102/graphql")]
    pub users: String,
    #[arg(long, default_value = "http://127.0.0.1:4103/graphql")]
    pub messaging: String,
    #[arg(long, default_value = "http://127.0.0.1:50151")]
    pub auth_grpc: String,
    /// The services' credential, for the direct ValidateToken calls.
    #[arg(long, env = "INTERNAL_SERVICE_TOKEN", hide_env_values = true)]
    pub internal_service_token: Option<grpc_api::ServiceToken>,
    /// Database for the pgbench baseline.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/bench_pgbench"
    )]
    pub pgbench_url: String,
    #[arg(long, default_value = "pgbench")]
    pub pgbench_bin: PathBuf,
    /// Seconds per measured load (plus a 1 s warm-up).
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Request budget per measured load.
    #[arg(long, default_value_t = 200_000)]
    pub max_requests: u64,
    /// Concurrent in-flight requests.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seeded users (the first is everyone's friend and peer; the others
    /// send in disjoint pairs in the send scenario).
    #[arg(long, default_value_t = 65)]
    pub seed_users: usize,
    /// An auth replica with cheap password hashing, to register the
    /// subscribers of `subs` quickly (its GraphQL URL).
    #[arg(long)]
    pub seed_auth: Option<String>,
    /// `messageEvents` subscribers in `subs`.
    #[arg(long, default_value_t = 1000)]
    pub subscribers: usize,
    /// Messages per second sent to the subscribers in `subs` (open loop).
    #[arg(long, default_value_t = 200.0)]
    pub subs_rate: f64,
    /// Router process, for its memory in `subs`.
    #[arg(long)]
    pub router_pid: Option<u32>,
    /// Messaging process, for its memory in `subs`.
    #[arg(long)]
    pub messaging_pid: Option<u32>,
    /// Users process, for its CPU time in `group`.
    #[arg(long)]
    pub users_pid: Option<u32>,
    /// Users' database, to befriend the members of `group` straight away.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/bench_users")]
    pub users_db: String,
    /// Members of the group in `group`, its owner included.
    #[arg(long, default_value_t = 1024)]
    pub group_members: usize,
    /// Messages sent one at a time to the group in `group` (per selection).
    #[arg(long, default_value_t = 200)]
    pub group_messages: usize,
    /// Messages sent back to back to the group in `group` (per selection).
    #[arg(long, default_value_t = 50)]
    pub group_burst: usize,
    /// Hive Gateway's GraphQL URL, for `peer`.
    #[arg(long)]
    pub gateway: Option<String>,
    /// Build profiles of what runs, for the record.
    #[arg(long, default_value = "unknown")]
    pub profiles: String,
    /// Where to append the figures (nothing if empty).
    #[arg(long, default_value = "bench/RESULTS.md")]
    pub results: PathBuf,
}

pub struct Context {
    pub args: Args,
    pub run_id: String,
    pub router: Gql,
    pub users_gql: Gql,
    pub messaging_gql: Gql,
    pub users: Vec<seed::User>,
    pub gateway: Option<Gql>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let selected: Vec<&str> = if args.scenario == "all" {
        SCENARIOS.to_vec()
    } else {
        args.scenario.split(',').map(str::trim).collect()
    };
    for s in &selected {
        anyhow::ensure!(
            SCENARIOS.contains(s),
            "unknown scenario {s}; one of {SCENARIOS:?} or all"
        );
    }
    let load_before = load_average();
    let http = gql::http_client()?;
    let run_id = format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
    );
    let router = Gql::new(&http, &args.router);
    let users_gql = Gql::new(&http, &args.users);
    eprintln!(
        "bench: seeding {} users, friendships, conversations",
        args.seed_users
    );
    let users = seed::users(&router, &users_gql, &run_id, args.seed_users.max(3)).await?;
    seed::conversations(&router, &users, 4).await?;
    let ctx = Context {
        messaging_gql: Gql::new(&http, &args.messaging),
        users_gql,
        router,
        run_id,
        users,
        gateway: args.gateway.as_deref().map(|url| Gql::new(&http, url)),
        args: args.clone(),
    };

    let mut rows: Vec<Row> = Vec::new();
    for scenario in selected {
        eprintln!("bench: scenario {scenario}");
        let outcome = match scenario {
            "overhead" => Ok(scenarios::router_overhead(&ctx).await),
            "join" => Ok(scenarios::federated_join(&ctx).await),
            "send" => scenarios::send_path(&ctx).await,
            "token" => scenarios::token_check(&ctx).await,
            "subs" => subs::notification_delivery(&ctx).await,
            "group" => group::fan_out(&ctx).await,
            _ => scenarios::peer(&ctx).await,
        };
        // A scenario that fails is recorded as such; the others still count.
        match outcome {
            Ok(mut new) => rows.append(&mut new),
            Err(err) => {
                eprintln!("bench: scenario {scenario} failed: {err:#}");
                rows.push(Row {
                    scenario: scenario.to_owned(),
                    figure: "failed".into(),
                    value: format!("{err:#}").replace('|', "/"),
                    baseline: String::new(),
                    ratio: f64::NAN,
                    goal: String::new(),
                });
            }
        }
    }

    let settings = format!(
        "{} s per figure after 1 s warm-up, ≤ {} requests, {} concurrent (cheap-query probe: 2), {} seeded users\n- machine load (1/5/15 min load average, other work on the machine included): {load_before} at start, {} at the end",
        args.seconds,
        args.max_requests,
        args.concurrency,
        args.seed_users,
        load_average()
    );
    let entry = format!(
        "{}\n{}",
        report::header(&args.profiles, &settings),
        report::table(&rows)
    );
    println!("\n{entry}");
    if !args.results.as_os_str().is_empty() {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&args.results)?;
        writeln!(file, "\n{entry}")?;
        eprintln!("bench: appended to {}", args.results.display());
    }
    Ok(())
}

/// The 1, 5 and 15 minute load averages: how busy the shared machine was.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}
