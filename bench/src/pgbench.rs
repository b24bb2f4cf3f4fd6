//! The database baseline: `pgbench` single-row INSERT TPS against the same
//! PostgreSQL server, with as many clients as the send-path load.

use std::process::Command;

use crate::Args;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS bench_insert (
    id bigserial PRIMARY KEY,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)";

pub async fn insert_tps(args: &Args, clients: usize) -> anyhow::Result<f64> {
    let (client, connection) =
        tokio_postgres::connect(&args.pgbench_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client.batch_execute(TABLE).await?;
    drop(client);

    let script = std::env::temp_dir().join(format!("bench-insert-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        "INSERT INTO bench_insert (body) VALUES ('hello from pgbench');\n",
    )?;
    let pgbench = args.pgbench_bin.clone();
    let url = args.pgbench_url.clone();
    let seconds = args.seconds.to_string();
    let script_arg = script.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(pgbench)
            .args([
                "-n",
                "-c",
                &clients.to_string(),
                "-j",
                "2",
                "-T",
                &seconds,
                "-f",
            ])
            .arg(script_arg)
            .arg(url)
            .output()
    })
    .await??;
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    parse_tps(&stdout).ok_or_else(|| anyhow::anyhow!("no `tps = ` in pgbench output: {stdout}"))
}

fn parse_tps(output: &str) -> Option<f64> {
    let line = output
        .lines()
        .find(|l| l.trim_start().starts_with("tps = "))?;
    line.trim_start()
        .trim_start_matches("tps = ")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_pgbench_tps() {
        let out = "latency average = 1.2 ms\ntps = 8123.456789 (without initial connection time)\n";
        assert_eq!(super::parse_tps(out), Some(8_123.456_789));
    }
}
