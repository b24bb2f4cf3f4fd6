//! Is there a NATS server with JetStream for `EVENTS=broker`? `xtask up`
//! asks before starting the services.

use std::time::Duration;

use tokio::io::AsyncBufReadExt as _;

/// What answered at `NATS_URL`.
pub enum Nats {
    /// A NATS server with JetStream enabled.
    JetStream,
    /// A NATS server, but without JetStream (`nats-server` without `-js`).
    NoJetStream,
    /// Nothing answered (or not like NATS): the reason.
    Missing(String),
}

/// `NATS_URL` as the services read it (same default).
pub fn url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// Connects to the first address of `url` and reads the `INFO` line every
/// NATS server sends on connect; its `jetstream` field says whether
/// JetStream is on.
pub async fn probe(url: &str) -> Nats {
    let first = url.split(',').next().unwrap_or_default().trim();
    let rest = first.split_once("://").map_or(first, |(_, rest)| rest);
    // `user:password@host:port` → `host:port`.
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, hp)| hp);
    let addr = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:4222")
    };
    let timeout = Duration::from_secs(2);
    let stream = match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(err)) => return Nats::Missing(format!("{addr}: {err}")),
        Err(_) => return Nats::Missing(format!("{addr}: no answer within {timeout:?}")),
    };
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(stream);
    match tokio::time::timeout(timeout, reader.read_line(&mut line)).await {
        Ok(Ok(_)) => {}
        _ => return Nats::Missing(format!("{addr} sent no NATS INFO line")),
    }
    let Some(info) = line.strip_prefix("INFO ") else {
        return Nats::Missing(format!("{addr} does not speak NATS"));
    };
    let jetstream = serde_json::from_str::<serde_json::Value>(info.trim())
        .ok()
        .and_then(|v| v["jetstream"].as_bool())
        .unwrap_or(false);
    if jetstream {
        Nats::JetStream
    } else {
        Nats::NoJetStream
    }
}

/// The `EVENTS` mode for `xtask up`: `EVENTS` if set (checked: broker mode
/// needs JetStream), else broker when a JetStream server answers at
/// `NATS_URL`, else outbox (saying how to get broker mode).
pub async fn choose_events_mode() -> anyhow::Result<&'static str> {
    let url = url();
    let requested = std::env::var("EVENTS").ok();
    let found = probe(&url).await;
    const HOW: &str = "start one with `nats-server -js` (JetStream on; \
                       e.g. `apt-get install nats-server`, or `docker run -p 4222:4222 nats -js`)";
    match (requested.as_deref(), found) {
        (Some("outbox"), _) => {
            println!("events: EVENTS=outbox (direct delivery by the outbox workers)");
            Ok("outbox")
        }
        (Some("broker") | None, Nats::JetStream) => {
            println!("events: EVENTS=broker, NATS JetStream at {url}");
            Ok("broker")
        }
        (Some("broker"), Nats::NoJetStream) => anyhow::bail!(
            "EVENTS=broker, but the NATS server at {url} runs without JetStream: restart it with `-js`"
        ),
        (Some("broker"), Nats::Missing(why)) => {
            anyhow::bail!("EVENTS=broker, but no NATS server answers at {url} ({why}): {HOW}")
        }
        (Some(other), _) => {
            anyhow::bail!("EVENTS={other}: expected `outbox` or `broker`")
        }
        (None, Nats::NoJetStream) => {
            println!(
                "events: outbox mode (the NATS server at {url} runs without JetStream; \
                 restart it with `-js` for EVENTS=broker)"
            );
            Ok("outbox")
        }
        (None, Nats::Missing(_)) => {
            println!(
                "events: outbox mode (no NATS server at {url}; for EVENTS=broker, {HOW}, \
                 then run `cargo xtask up` again)"
            );
            Ok("outbox")
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt as _;

    use super::{Nats, probe};

    /// A one-shot server that greets like NATS with `info`.
    async fn fake(info: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            if let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(info.as_bytes()).await;
            }
        });
        format!("nats://{addr}")
    }

    #[tokio::test]
    async fn tells_jetstream_from_plain_nats_from_nothing() {
        let js = fake("INFO {\"server_id\":\"x\",\"jetstream\":true}\r\n").await;
        assert!(matches!(probe(&js).await, Nats::JetStream));
        let plain = fake("INFO {\"server_id\":\"x\"}\r\n").await;
        assert!(matches!(probe(&plain).await, Nats::NoJetStream));
        let other = fake("HTTP/1.1 400 Bad Request\r\n").await;
        assert!(matches!(probe(&other).await, Nats::Missing(_)));
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        assert!(matches!(
            probe(&format!("nats://127.0.0.1:{closed}")).await,
            Nats::Missing(_)
        ));
    }
}
