//! Keeps the in-memory revocation set and key set current across replicas:
//! `LISTEN auth_session_revoked` / `auth_keys_changed`, with a full reload on
//! every (re)connect so nothing sent while disconnected is missed.

use std::time::Duration;

use futures::StreamExt as _;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::keys::KeySource;
use crate::service::AuthService;

/// Runs until `shutdown` resolves.
pub async fn run(
    service: AuthService,
    key_source: KeySource,
    database_url: String,
    shutdown: impl Future<Output = ()> + Send,
) {
    let mut prune = tokio::time::interval(Duration::from_mins(1));
    let mut backoff = Duration::from_millis(200);
    tokio::pin!(shutdown);
    loop {
        let session = listen_once(
            &service,
            &key_source,
            &database_url,
            &mut prune,
            &mut backoff,
        );
        tokio::select! {
            () = &mut shutdown => return,
            result = session => {
                if let Err(err) = result {
                    tracing::warn!(%err, "auth cache listener disconnected; reconnecting");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    service: &AuthService,
    key_source: &KeySource,
    database_url: &str,
    prune: &mut tokio::time::Interval,
    backoff: &mut Duration,
) -> Result<(), String> {
    let (client, mut connection) = tokio_postgres::connect(database_url, NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let (sender, mut notifications) = futures::channel::mpsc::unbounded();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if sender
                        .unbounded_send((n.channel().to_owned(), n.payload().to_owned()))
                        .is_err()
                    {
                        break;
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(%err, "auth cache listener connection error");
                    break;
                }
            }
        }
    });
    client
        .batch_execute("LISTEN auth_session_revoked; LISTEN auth_keys_changed;")
        .await
        .map_err(|e| e.to_string())?;
    // Listening now: anything from here on arrives as a notification, and
    // this reload covers everything before.
    reload_revocations(service).await?;
    reload_keys(service, key_source).await?;
    *backoff = Duration::from_millis(200);
    let result = loop {
        tokio::select! {
            message = notifications.next() => match message {
                Some((channel, payload)) if channel == "auth_session_revoked" => {
                    match payload.parse() {
                        Ok(session) => service.revocations.insert([session]),
                        Err(_) => tracing::warn!(payload, "bad auth_session_revoked payload"),
                    }
                }
                Some(_) => {
                    if let Err(err) = reload_keys(service, key_source).await {
                        break Err(err);
                    }
                }
                None => break Err("connection closed".to_owned()),
            },
            _ = prune.tick() => service.revocations.prune(),
        }
    };
    driver.abort();
    result
}

async fn reload_revocations(service: &AuthService) -> Result<(), String> {
    let horizon = chrono::Duration::from_std(service.revocations.horizon())
        .unwrap_or(chrono::Duration::hours(1));
    let since = chrono::Utc::now() - horizon;
    let mut conn = service.pool.get().await.map_err(|e| e.to_string())?;
    let revoked = crate::db::sessions::revoked_since(&mut conn, since)
        .await
        .map_err(|e| e.to_string())?;
    service.revocations.insert(revoked);
    Ok(())
}

async fn reload_keys(service: &AuthService, key_source: &KeySource) -> Result<(), String> {
    let set = key_source
        .load(&service.pool)
        .await
        .map_err(|e| e.to_string())?;
    service.keys.replace(set);
    Ok(())
}
