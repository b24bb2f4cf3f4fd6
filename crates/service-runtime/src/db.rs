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

/// The session-level advisory lock that serialises migrations of one
/// database (each service has its own database, so one key serves all).
const MIGRATION_LOCK: i64 = 0x6d65_7373_6d69_6772; // "messmigr"

/// Runs pending migrations; returns the versions applied.
///
/// Replicas starting together would race: each sees the same pending
/// migrations and all but one fail half-way (a table that already exists,
/// a duplicate version row). So the run holds a PostgreSQL advisory lock
/// for the database: the others wait for it, then find nothing pending.
///
/// Diesel's migration harness is synchronous, so it runs on a blocking
/// thread through diesel-async's sync wrapper.
pub async fn migrate(url: &str, migrations: EmbeddedMigrations) -> Result<Vec<String>, DbError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        let failed = |err: &dyn std::fmt::Display| DbError::Migrations(err.to_string());
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|err| failed(&err))?;
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(&mut conn)
            .map_err(|err| failed(&err))?;
        let applied = conn
            .run_pending_migrations(migrations)
            .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|err| failed(&*err));
        // Closing the connection would release it too; say so explicitly.
        let _ = diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(&mut conn);
        applied
    })
    .await
    .map_err(|err| DbError::Migrations(err.to_string()))?
}
