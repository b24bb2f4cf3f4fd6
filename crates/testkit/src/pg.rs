//! Small PostgreSQL client helpers shared by the private cluster (its
//! readiness probe) and the per-test databases, in a module of their own
//! so that `cluster` and `db` do not import each other.

use std::time::Duration;

use tokio_postgres::NoTls;

/// Connect and run `SELECT 1` within `timeout`; used for readiness polling.
pub(crate) async fn try_query_one(url: &str, timeout: Duration) -> Result<(), String> {
    let attempt = async {
        let (client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .map_err(|e| pg_error(&e))?;
        let driver = tokio::spawn(connection);
        let result = client
            .simple_query("SELECT 1")
            .await
            .map(|_| ())
            .map_err(|e| pg_error(&e));
        drop(client);
        let _ = driver.await;
        result
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or_else(|_| Err(format!("timed out after {timeout:?}")))
}

/// The server's message and SQLSTATE (`Display` of `tokio_postgres::Error`
/// only says "db error"), or the underlying cause for client-side errors.
pub(crate) fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}
