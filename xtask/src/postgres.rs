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

    /// The role and database of `service`, as compose does it:
    /// `migrations/bootstrap.sql` run by psql as the admin (idempotent;
    /// sets the role's `password`).
    pub fn bootstrap(&self, service: &str, password: &str) -> anyhow::Result<()> {
        // Not through run_cmd, which would print the password.
        eprintln!("+ psql … -v service={service} -v password=… -f {BOOTSTRAP}");
        let status = Command::new(psql()?)
            .arg(&self.admin_url)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
            .args(["-v", &format!("service={service}")])
            .args(["-v", &format!("password={password}")])
            .args(["-f", BOOTSTRAP])
            .status()
            .context("running psql")?;
        anyhow::ensure!(
            status.success(),
            "{BOOTSTRAP} for {service} failed: {status}"
        );
        Ok(())
    }

    /// URL of `service`'s database as its own role (see [`bootstrap`]).
    ///
    /// [`bootstrap`]: Self::bootstrap
    pub fn service_url(&self, service: &str, password: &str) -> String {
        let url = self.database_url(service);
        let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", &url));
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let host = match rest[..authority_end].rfind('@') {
            Some(at) => &rest[at + 1..],
            None => rest,
        };
        format!("{scheme}://{service}:{password}@{host}")
    }
}

const BOOTSTRAP: &str = "migrations/bootstrap.sql";

/// psql from PATH, else next to the server binaries.
fn psql() -> anyhow::Result<PathBuf> {
    let on_path = Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Ok(PathBuf::from("psql"));
    }
    Ok(bin_dir()?.join("psql"))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server(admin_url: &str) -> Server {
        Server {
            admin_url: admin_url.to_owned(),
            private: None,
        }
    }

    #[test]
    fn service_urls_name_the_role_and_its_database() {
        assert_eq!(
            server("postgres://postgres@127.0.0.1:5432/postgres").service_url("auth", "f00d"),
            "postgres://auth:f00d@127.0.0.1:5432/auth"
        );
        assert_eq!(
            server("postgresql://admin:p@ss@db.internal/postgres").service_url("users", "beef"),
            "postgresql://users:beef@db.internal/users"
        );
        assert_eq!(
            server("postgres://127.0.0.1:54329/postgres").service_url("messaging", "1"),
            "postgres://messaging:1@127.0.0.1:54329/messaging"
        );
    }
}
