//! `cargo xtask up`: the whole system on one machine: PostgreSQL, the
//! subgraphs, then the router in front of them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::postgres::Server;

#[derive(clap::Args)]
pub struct UpArgs {
    /// Build and run release binaries (slower to build, faster to run).
    #[arg(long)]
    release: bool,
}

/// Where `up` keeps this run's `INTERNAL_SERVICE_TOKEN`.
pub const TOKEN_FILE: &str = "target/internal-service-token";

pub struct Service {
    pub name: &'static str,
    pub http_port: u16,
    pub grpc_port: u16,
}

pub fn run(args: &UpArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(up(args))
}

async fn up(args: &UpArgs) -> anyhow::Result<()> {
    let server = Server::find_or_start().await?;
    // Each service connects as its own role (migrations/bootstrap.sql), with
    // a fresh password for this run.
    let db_passwords = crate::SERVICES
        .iter()
        .map(|s| Ok((s.name, crate::env_file::random_hex(16)?)))
        .collect::<anyhow::Result<std::collections::HashMap<_, _>>>()?;
    let db_password = |service: &Service| db_passwords[service.name].as_str();
    // Broker mode when a NATS JetStream is there (or EVENTS says so).
    let events = crate::nats::choose_events_mode().await?;
    let nats_url = crate::nats::url();
    let profile = if args.release { "release" } else { "debug" };
    let mut build = crate::cargo();
    build.arg("build");
    if args.release {
        build.arg("--release");
    }
    for service in crate::SERVICES {
        build.args(["-p", service.name]);
    }
    crate::run_cmd(&mut build)?;
    crate::router::build(args.release)?;
    let bin_dir = PathBuf::from("target").join(profile);
    // The credential the services' gRPC calls to each other carry: fresh
    // for each run (every service restarts with it), kept in a file for
    // whoever wants to call a gRPC port by hand.
    let service_token = grpc_api::ServiceToken::generate();
    write_private(Path::new(TOKEN_FILE), service_token.expose())?;

    // Browsers and apps reach everything through the router (its
    // `service_routes` plugin forwards the services' links and avatars):
    // the URLs the services hand out are on its origin.
    let public_url = std::env::var("PUBLIC_URL").unwrap_or_else(|_| crate::router::public_url());
    let env = |service: &Service| -> Vec<(String, String)> {
        vec![
            ("PUBLIC_URL".into(), public_url.clone()),
            (
                "INTERNAL_SERVICE_TOKEN".into(),
                service_token.expose().to_owned(),
            ),
            (
                "DATABASE_URL".into(),
                server.service_url(service.name, db_password(service)),
            ),
            (
                "HTTP_ADDR".into(),
                format!("127.0.0.1:{}", service.http_port),
            ),
            (
                "GRPC_ADDR".into(),
                format!("127.0.0.1:{}", service.grpc_port),
            ),
            ("AUTH_GRPC_URL".into(), "http://127.0.0.1:50051".into()),
            ("USERS_GRPC_URL".into(), "http://127.0.0.1:50052".into()),
            ("MESSAGING_GRPC_URL".into(), "http://127.0.0.1:50053".into()),
            // The router calls from here and appends the client's address
            // to `x-forwarded-for`.
            ("TRUSTED_PROXIES".into(), "127.0.0.1".into()),
            ("EVENTS".into(), events.into()),
            ("NATS_URL".into(), nats_url.clone()),
        ]
    };

    let mut children: Vec<(&'static str, Child)> = Vec::new();
    let mut started = Vec::new();
    for service in crate::SERVICES {
        let bin = bin_dir.join(service.name);
        if !serves(&bin) {
            eprintln!("{}: not implemented yet, skipped", service.name);
            continue;
        }
        server.bootstrap(service.name, db_password(service))?;
        crate::run_cmd(Command::new(&bin).arg("migrate").envs(env(service)))
            .with_context(|| format!("migrating {}", service.name))?;
        let child = Command::new(&bin)
            .arg("serve")
            .envs(env(service))
            .spawn()
            .with_context(|| format!("starting {}", service.name))?;
        children.push((service.name, child));
        started.push(service);
    }

    let result = async {
        for service in &started {
            wait_healthy(service.name, service.http_port, "/healthz").await?;
        }
        // The router last: it plans against the committed supergraph and
        // answers for whichever subgraphs are up.
        let router = Command::new(crate::router::binary(args.release))
            .envs(router_env()?)
            .spawn()
            .context("starting the router")?;
        children.push(("router", router));
        wait_healthy("router", crate::router::HTTP_PORT, "/readiness").await?;
        println!();
        println!("The messenger API is up at {public_url} (the one public origin):");
        println!(
            "  {:<10} GraphQL http://127.0.0.1:{}/graphql   (WebSocket subscriptions on the same URL),",
            "router",
            crate::router::HTTP_PORT
        );
        println!("             email links, provider sign-in and avatars forwarded to their service");
        println!("Internal (the router's and each other's):");
        for service in &started {
            println!(
                "  {:<10} HTTP http://127.0.0.1:{}   gRPC 127.0.0.1:{}",
                service.name, service.http_port, service.grpc_port
            );
        }
        println!();
        println!(
            "GraphiQL explorer: http://127.0.0.1:{}/graphql",
            crate::router::HTTP_PORT
        );
        println!(
            "gRPC calls need metadata x-service-token: the content of {TOKEN_FILE} (this run's)"
        );
        println!("Press Ctrl-C to stop everything.");
        wait_for_exit(&mut children).await
    }
    .await;

    // Router first: it is the clients' entry point.
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
    drop(server);
    result
}

/// Writes `text` to `path`, readable by its owner only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

/// A binary counts as a service once it prints a schema.
fn serves(bin: &PathBuf) -> bool {
    Command::new(bin)
        .arg("print-sdl")
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.is_empty())
}

/// The router's environment: its config file and where the subgraphs are
/// (the same variables compose.yml sets).
fn router_env() -> anyhow::Result<Vec<(String, String)>> {
    let config = std::env::current_dir()?.join(crate::router::CONFIG);
    let mut env = vec![(
        "ROUTER_CONFIG_FILE_PATH".to_owned(),
        config.to_string_lossy().into_owned(),
    )];
    for service in crate::SERVICES {
        env.push((
            format!("{}_SUBGRAPH_URL", service.name.to_ascii_uppercase()),
            format!("http://127.0.0.1:{}/graphql", service.http_port),
        ));
    }
    Ok(env)
}

pub(crate) async fn wait_healthy(name: &str, port: u16, path: &str) -> anyhow::Result<()> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let client = reqwest::Client::builder().no_proxy().build()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("{name} did not become healthy at {url}")
}

/// Waits for Ctrl-C, or for any service to exit on its own (an error).
async fn wait_for_exit(children: &mut [(&'static str, Child)]) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                eprintln!("\nCtrl-C: shutting down");
                return Ok(());
            }
            _ = tick.tick() => {
                for (name, child) in children.iter_mut() {
                    if let Ok(Some(status)) = child.try_wait() {
                        anyhow::bail!("{name} exited unexpectedly ({status})");
                    }
                }
            }
        }
    }
}
