//! Database pool and migrations.

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

pub type PgPool = Pool<AsyncPgConnection>;
pub type PooledConnection = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("building the connection pool: {0}")]
    Pool(String),
    #[error("running migrations: {0}")]
    Migrations(String),
    #[error(transparent)]
    Checkout(#[from] PoolError),
}

/// Builds a pool; connections are opened lazily, so this never waits on the server.
///
/// A connection handed out again is not pinged first (`RecyclingMethod::Fast`
/// instead of diesel-async's default `Verified`, which runs `SELECT 1` on
/// every checkout: one more round trip for each request's every checkout).
/// A connection the server closed (a restart, a crash, an idle timeout) is
/// still recognised without a query: the driver sees its socket close and
/// the pool discards it. Only a connection cut without the socket closing
/// (a silent network partition) fails on its first use, as it would one
/// query later anyway.
pub fn pool(url: &str, max_size: usize) -> Result<PgPool, DbError> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool_runtime())
        .build()
        .map_err(|err| DbError::Pool(err.to_string()))
}

fn deadpool_runtime() -> deadpool::Runtime {
    deadpool::Runtime::Tokio1
}

/// Runs pending migrations; returns the versions applied.
///
/// Diesel's migration harness is synchronous, so it runs on a blocking
/// thread through diesel-async's sync wrapper.
pub async fn migrate(url: &str, migrations: EmbeddedMigrations) -> Result<Vec<String>, DbError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|err| DbError::Migrations(err.to_string()))?;
        let applied = conn
            .run_pending_migrations(migrations)
            .map_err(|err| DbError::Migrations(err.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
    .map_err(|err| DbError::Migrations(err.to_string()))?
}
