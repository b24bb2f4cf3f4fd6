//! `cargo xtask bench <scenario>|all`: the whole system on fresh `bench_*`
//! databases and its own ports (so a running `cargo xtask up` is left
//! alone), then the load generator of `bench/` against it. The generator
//! seeds data, measures, prints a table and appends it to bench/RESULTS.md.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::Context as _;

use crate::postgres::Server;
use crate::up::Service;

#[derive(clap::Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line switches
pub struct BenchArgs {
    /// overhead | join | send | token | subs | peer | group (comma-separated) or all.
    scenario: String,
    /// Subgraphs and load generator as debug builds (default: release).
    #[arg(long)]
    debug: bool,
    /// Build and run the router in release (≈14 min cold on 2 cores).
    /// Without it: the release binary if one was built, else the debug one.
    #[arg(long, conflicts_with = "router_debug")]
    router_release: bool,
    /// Run the router's debug build even if a release one exists.
    #[arg(long)]
    router_debug: bool,
    /// Seconds per measured load.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent in-flight requests.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Messages per second to the subscribers of `subs`.
    #[arg(long, default_value_t = 200.0)]
    subs_rate: f64,
    /// Run the subgraph and load generator binaries already built (e.g. to
    /// compare a saved build of a service with the current one).
    #[arg(long)]
    no_build: bool,
}

const SERVICES: &[Service] = &[
    Service {
        name: "auth",
        http_port: 4101,
        grpc_port: 50151,
    },
    Service {
        name: "users",
        http_port: 4102,
        grpc_port: 50152,
    },
    Service {
        name: "messaging",
        http_port: 4103,
        grpc_port: 50153,
    },
];
const ROUTER_PORT: u16 = 4100;
/// A second auth process on the same database and keys, hashing passwords
/// cheaply: `subs` registers its 1,000 subscribers through it, `group` its
/// 1,024 members.
const SEED_AUTH: Service = Service {
    name: "auth",
    http_port: 4104,
    grpc_port: 50154,
};
/// Hive Gateway, the peer of `peer`.
const GATEWAY_PORT: u16 = 4105;
const GATEWAY_DIR: &str = "bench/gateway";

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(bench(args))
}

async fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    let wants = |scenario: &str| {
        args.scenario == "all" || args.scenario.split(',').any(|s| s.trim() == scenario)
    };
    // 1,000 subscribers are 1,000 sockets in the load generator, 2,000 in
    // the router, 1,000 in messaging: children inherit this limit.
    raise_open_files_limit();
    if wants("peer") {
        crate::npm::ci(std::path::Path::new(GATEWAY_DIR))?;
    }
    let server = Server::find_or_start().await?;
    let profile = if args.debug { "debug" } else { "release" };
    let mut build = crate::cargo();
    build.arg("build");
    if !args.debug {
        build.arg("--release");
    }
    for package in ["auth", "users", "messaging", "bench"] {
        build.args(["-p", package]);
    }
    // As for the router: xtask's own CARGO_* variables would make some build
    // scripts (ring's) rebuild, and half the tree with them.
    crate::router::without_package_env(&mut build);
    if !args.no_build {
        crate::run_cmd(&mut build)?;
    }
    let router_release =
        !args.router_debug && (args.router_release || crate::router::binary(true).is_file());
    if args.router_release || !crate::router::binary(router_release).is_file() {
        crate::router::build(router_release)?;
    }
    let bin_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join(profile);

    for name in [
        "bench_auth",
        "bench_users",
        "bench_messaging",
        "bench_pgbench",
    ] {
        fresh_database(&server, name).await?;
    }
    let logs = PathBuf::from("target/bench-logs");
    std::fs::create_dir_all(&logs)?;

    // The services' credential for their gRPC calls (and the token scenario's).
    let service_token = grpc_api::ServiceToken::generate();
    let env_of = |server: &Server, service: &Service| {
        let mut env = service_env(server, service);
        env.push((
            "INTERNAL_SERVICE_TOKEN".to_owned(),
            service_token.expose().to_owned(),
        ));
        env
    };

    let mut children: Vec<(&'static str, Child)> = Vec::new();
    let result = async {
        for service in SERVICES {
            let bin = bin_dir.join(service.name);
            let env = env_of(&server, service);
            crate::run_cmd(Command::new(&bin).arg("migrate").envs(env.clone()))
                .with_context(|| format!("migrating {}", service.name))?;
            let log = std::fs::File::create(logs.join(format!("{}.log", service.name)))?;
            let child = Command::new(&bin)
                .arg("serve")
                .envs(env)
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting {}", service.name))?;
            children.push((service.name, child));
        }
        for service in SERVICES {
            crate::up::wait_healthy(service.name, service.http_port, "/healthz").await?;
        }
        if wants("subs") || wants("group") {
            // Started after auth is up, so the signing keys exist already.
            let mut env = env_of(&server, &SEED_AUTH);
            env.extend([
                ("PASSWORD_HASH_M_KIB".to_owned(), "64".to_owned()),
                ("PASSWORD_HASH_T".to_owned(), "1".to_owned()),
            ]);
            let log = std::fs::File::create(logs.join("auth-seed.log"))?;
            let child = Command::new(bin_dir.join("auth"))
                .arg("serve")
                .envs(env)
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("starting the seeding auth replica")?;
            children.push(("auth (seeding replica)", child));
            crate::up::wait_healthy("auth-seed", SEED_AUTH.http_port, "/healthz").await?;
        }
        let mut gateway_args: Vec<String> = Vec::new();
        if wants("peer") {
            let child = start_gateway(&logs)?;
            children.push(("hive gateway", child));
            crate::up::wait_healthy("hive gateway", GATEWAY_PORT, "/readiness").await?;
            gateway_args.extend([
                "--gateway".to_owned(),
                format!("http://127.0.0.1:{GATEWAY_PORT}/graphql"),
            ]);
        }
        let log = std::fs::File::create(logs.join("router.log"))?;
        let router = Command::new(crate::router::binary(router_release))
            .envs(router_env()?)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting the router")?;
        let router_pid = router.id();
        children.push(("router", router));
        crate::up::wait_healthy("router", ROUTER_PORT, "/readiness").await?;

        let profiles = format!(
            "subgraphs and load generator: {profile}{}; router: {}",
            if args.debug {
                " (dev profile, dependencies at opt-level 1)"
            } else {
                ""
            },
            if router_release {
                "release"
            } else {
                "debug (dev profile, dependencies at opt-level 0: router figures are pessimistic)"
            },
        );
        // A router binary is not rebuilt here: say how old it is.
        let router_built = Command::new("date")
            .args(["-u", "+%F %H:%M UTC", "-r"])
            .arg(crate::router::binary(router_release))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let profiles = format!("{profiles}, binary built {router_built}");
        let pgbench = crate::postgres::bin_dir()?.join("pgbench");
        let pid_of = |service: &str| {
            children
                .iter()
                .find(|(name, _)| *name == service)
                .map_or(0, |(_, child)| child.id())
        };
        let messaging_pid = pid_of("messaging");
        let users_pid = pid_of("users");
        let url = |port: u16| format!("http://127.0.0.1:{port}/graphql");
        crate::run_cmd(
            Command::new(bin_dir.join("bench"))
                .env("INTERNAL_SERVICE_TOKEN", service_token.expose())
                .arg(&args.scenario)
                .args(["--router", &url(ROUTER_PORT)])
                .args(["--users", &url(SERVICES[1].http_port)])
                .args(["--messaging", &url(SERVICES[2].http_port)])
                .args([
                    "--auth-grpc",
                    &format!("http://127.0.0.1:{}", SERVICES[0].grpc_port),
                ])
                .args(["--pgbench-url", &server.database_url("bench_pgbench")])
                .arg("--pgbench-bin")
                .arg(pgbench)
                .args(["--seconds", &args.seconds.to_string()])
                .args(["--concurrency", &args.concurrency.to_string()])
                .args(["--profiles", &profiles])
                .args(["--subs-rate", &args.subs_rate.to_string()])
                .args(["--router-pid", &router_pid.to_string()])
                .args(["--messaging-pid", &messaging_pid.to_string()])
                .args(["--users-pid", &users_pid.to_string()])
                .args(["--users-db", &server.database_url("bench_users")])
                .args([
                    "--seed-auth",
                    &format!("http://127.0.0.1:{}/graphql", SEED_AUTH.http_port),
                ])
                .args(&gateway_args)
                .stdin(Stdio::null()),
        )
    }
    .await;

    for (name, child) in children.iter_mut().rev() {
        if matches!(child.try_wait(), Ok(None)) {
            eprintln!("stopping {name}");
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
        }
    }
    for (_, child) in &mut children {
        let _ = child.wait();
    }
    if result.is_err() {
        eprintln!("service logs: {}", logs.display());
    }
    drop(server);
    result
}

/// Hive Gateway (`bench/gateway`, installed from its lockfile) over a copy
/// of the supergraph whose subgraph URLs are the bench ports. One worker
/// per core, as our router runs one thread per core.
fn start_gateway(logs: &std::path::Path) -> anyhow::Result<Child> {
    let mut supergraph = std::fs::read_to_string("supergraph.graphql")?;
    for (local, service) in [4001, 4002, 4003].into_iter().zip(SERVICES) {
        supergraph = supergraph.replace(
            &format!("http://127.0.0.1:{local}/"),
            &format!("http://127.0.0.1:{}/", service.http_port),
        );
        supergraph = supergraph.replace(
            &format!("http://localhost:{local}/"),
            &format!("http://127.0.0.1:{}/", service.http_port),
        );
    }
    let copy = std::env::current_dir()?
        .join(logs)
        .join("supergraph.graphql");
    std::fs::write(&copy, supergraph)?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let log = std::fs::File::create(logs.join("gateway.log"))?;
    Command::new("node_modules/.bin/hive-gateway")
        .arg("supergraph")
        .arg(&copy)
        .args(["-c", "gateway.config.mjs", "--host", "127.0.0.1"])
        .args(["--port", &GATEWAY_PORT.to_string()])
        .args(["--fork", &cores.to_string()])
        .env("NODE_ENV", "production")
        .current_dir(GATEWAY_DIR)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting Hive Gateway (bench/gateway)")
}

/// Raises the soft limit on open files to the hard limit.
#[allow(unsafe_code)] // two libc calls on a local struct; no safe API in std
fn raise_open_files_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) } != 0 {
        return;
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: as above, read only.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raw const limit) };
    }
    eprintln!("open files limit: {}", limit.rlim_cur);
}

/// Drops and re-creates `name`: every run starts from empty tables.
async fn fresh_database(server: &Server, name: &str) -> anyhow::Result<()> {
    let (client, connection) =
        tokio_postgres::connect(&server.admin_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .with_context(|| format!("dropping database {name}"))?;
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .with_context(|| format!("creating database {name}"))?;
    Ok(())
}

fn service_env(server: &Server, service: &Service) -> Vec<(String, String)> {
    let grpc = |i: usize| format!("http://127.0.0.1:{}", SERVICES[i].grpc_port);
    let mut env: Vec<(String, String)> = vec![
        (
            "DATABASE_URL".into(),
            server.database_url(&format!("bench_{}", service.name)),
        ),
        (
            "HTTP_ADDR".into(),
            format!("127.0.0.1:{}", service.http_port),
        ),
        (
            "GRPC_ADDR".into(),
            format!("127.0.0.1:{}", service.grpc_port),
        ),
        ("AUTH_GRPC_URL".into(), grpc(0)),
        ("USERS_GRPC_URL".into(), grpc(1)),
        ("TRUSTED_PROXIES".into(), "127.0.0.1".into()),
        ("RUST_LOG".into(), "warn".into()),
    ];
    // All load comes from one address and a few accounts: the abuse limits
    // would measure themselves, not the service.
    for limit in [
        "LOGIN_RATE_PER_ACCOUNT",
        "LOGIN_RATE_PER_IP",
        "REGISTER_RATE_PER_IP",
        "REFRESH_RATE_PER_SESSION",
        "FRIEND_REQUEST_RATE",
        "MESSAGE_RATE",
    ] {
        env.push((limit.into(), "off".into()));
    }
    env
}

fn router_env() -> anyhow::Result<Vec<(String, String)>> {
    let config = std::env::current_dir()?.join(crate::router::CONFIG);
    let mut env = vec![
        (
            "ROUTER_CONFIG_FILE_PATH".to_owned(),
            config.to_string_lossy().into_owned(),
        ),
        ("PORT".to_owned(), ROUTER_PORT.to_string()),
        ("LOG_LEVEL".to_owned(), "warn".to_owned()),
    ];
    for service in SERVICES {
        env.push((
            format!("{}_SUBGRAPH_URL", service.name.to_ascii_uppercase()),
            format!("http://127.0.0.1:{}/graphql", service.http_port),
        ));
    }
    Ok(env)
}
