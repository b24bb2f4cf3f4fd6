//! Finding PostgreSQL for `up`, or starting a private cluster under
//! `target/pgdata` from the machine's own binaries (kept between runs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Port of the private cluster; away from the standard one on purpose.
const PRIVATE_PORT: u16 = 54329;

/// A PostgreSQL server for the services; stops a private cluster on drop.
pub struct Server {
    /// Admin URL (maintenance database `postgres`).
    pub admin_url: String,
    private: Option<PrivateCluster>,
}

struct PrivateCluster {
    pg_ctl: PathBuf,
    data_dir: PathBuf,
    run_as: Option<String>,
}

impl Server {
    /// `DATABASE_URL` or 127.0.0.1:5432 if a server answers there, otherwise
    /// a private cluster under `target/pgdata`.
    pub async fn find_or_start() -> anyhow::Result<Server> {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        if answers(&url).await {
            eprintln!("PostgreSQL: using {url}");
            return Ok(Server {
                admin_url: url,
                private: None,
            });
        }
        eprintln!(
            "PostgreSQL: nothing answers at {url}; starting a private cluster under target/pgdata"
        );
        let private = PrivateCluster::start()?;
        let url = format!("postgres://postgres@127.0.0.1:{PRIVATE_PORT}/postgres");
        for _ in 0..60 {
            if answers(&url).await {
                return Ok(Server {
                    admin_url: url,
                    private: Some(private),
                });
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        anyhow::bail!("the private cluster did not start; see target/pgdata/server.log")
    }

    /// URL of one database on this server.
    pub fn database_url(&self, database: &str) -> String {
        match self.admin_url.rfind('/') {
            Some(i) if !self.admin_url[..i].ends_with('/') => {
                format!("{}/{database}", &self.admin_url[..i])
            }
            _ => format!("{}/{database}", self.admin_url.trim_end_matches('/')),
        }
    }

    /// Creates the database unless it exists.
    pub async fn ensure_database(&self, name: &str) -> anyhow::Result<()> {
        let (client, connection) =
            tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await?
            .is_some();
        if !exists {
            client
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            eprintln!("created database {name}");
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(private) = &self.private {
            private.stop();
        }
    }
}

async fn answers(url: &str) -> bool {
    let connect = tokio_postgres::connect(url, tokio_postgres::NoTls);
    match tokio::time::timeout(Duration::from_secs(2), connect).await {
        Ok(Ok((client, connection))) => {
            tokio::spawn(connection);
            client.simple_query("SELECT 1").await.is_ok()
        }
        _ => false,
    }
}

pub(crate) fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("pg_ctl").is_file() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.into_iter().rev().find(|d| d.join("pg_ctl").is_file()).context(
        "no PostgreSQL server binaries found; install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL",
    )
}

impl PrivateCluster {
    fn start() -> anyhow::Result<Self> {
        let bin = bin_dir()?;
        let base = std::env::current_dir()?.join("target/pgdata");
        let data_dir = base.join("data");
        // PostgreSQL refuses to run as root: run it as the `postgres` user.
        // SAFETY-free check: `id -u` avoids unsafe libc calls here.
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let run_as = is_root.then(|| "postgres".to_owned());
        std::fs::create_dir_all(&base)?;
        if let Some(user) = &run_as {
            crate::run_cmd(Command::new("chown").args(["-R", user]).arg(&base))?;
        }
        let cluster = Self {
            pg_ctl: bin.join("pg_ctl"),
            data_dir,
            run_as,
        };
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.run(
                &bin.join("initdb"),
                &[
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "-D",
                ],
                Some(&cluster.data_dir),
            )?;
        }
        let options = format!(
            "-p {PRIVATE_PORT} -k {} -c listen_addresses=127.0.0.1",
            base.display()
        );
        let log = base.join("server.log");
        cluster.run(
            &cluster.pg_ctl,
            &[
                "start",
                "-w",
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-D",
            ],
            Some(&cluster.data_dir),
        )?;
        Ok(cluster)
    }

    fn run(&self, program: &Path, args: &[&str], last: Option<&Path>) -> anyhow::Result<()> {
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        };
        cmd.args(args);
        if let Some(last) = last {
            cmd.arg(last);
        }
        crate::run_cmd(&mut cmd)
    }

    fn stop(&self) {
        eprintln!("stopping the private PostgreSQL cluster");
        let _ = self.run(
            &self.pg_ctl,
            &["stop", "-m", "fast", "-D"],
            Some(&self.data_dir),
        );
    }
}
