//! `cargo xtask up`: the whole system on one machine.

use std::path::PathBuf;
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
    let bin_dir = PathBuf::from("target").join(profile);

    let env = |service: &Service| -> Vec<(String, String)> {
        vec![
            ("DATABASE_URL".into(), server.database_url(service.name)),
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
        server.ensure_database(service.name).await?;
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
            wait_healthy(service).await?;
        }
        println!();
        println!("The messenger API is up:");
        for service in &started {
            println!(
                "  {:<10} GraphQL http://127.0.0.1:{}/graphql   gRPC 127.0.0.1:{}",
                service.name, service.http_port, service.grpc_port
            );
        }
        println!("Press Ctrl-C to stop everything.");
        wait_for_exit(&mut children).await
    }
    .await;

    for (name, child) in &mut children {
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

/// A binary counts as a service once it prints a schema.
fn serves(bin: &PathBuf) -> bool {
    Command::new(bin)
        .arg("print-sdl")
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.is_empty())
}

async fn wait_healthy(service: &Service) -> anyhow::Result<()> {
    let url = format!("http://127.0.0.1:{}/healthz", service.http_port);
    let client = reqwest::Client::new();
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
    anyhow::bail!("{} did not become healthy at {url}", service.name)
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
