//! Transactional outbox: the one way events leave a service.
//!
//! Every event is a type ([`Event`]: a serde payload and the `KIND` it is
//! stored and routed under). A service writes its state change and the
//! event announcing it in the same database transaction ([`enqueue`]), so
//! an event exists if and only if the change committed. A [`Worker`] later
//! claims due rows with `FOR UPDATE SKIP LOCKED`, decodes each into the type
//! registered for its kind and hands it to that type's [`Handler`] while
//! still holding the row lock, and deletes it on success. Because
//! the lock is held for the whole delivery, any number of workers (threads or
//! processes) can share one database without delivering a row concurrently;
//! a crash mid-batch rolls the claim back and the rows are delivered again
//! (at-least-once, so handlers must be idempotent — `event_id` is stable).
//!
//! Failed deliveries are retried with capped exponential backoff and full
//! jitter; after `max_attempts` (or at once for [`HandlerError::permanent`])
//! the row is parked as a dead letter, visible via [`dead_events`] and
//! re-queued with [`redrive`].
//!
//! `enqueue` also issues `pg_notify('outbox', '')`; PostgreSQL delivers it
//! only when the transaction commits, and the worker `LISTEN`s so it reacts
//! at once instead of waiting for its poll interval.

pub mod admin;
pub mod broker;
mod event;
mod handler;
mod pipeline;
pub mod schema;
mod settings;
mod worker;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub use async_trait::async_trait;
pub use event::{Envelope, Event};
pub use handler::{Handler, HandlerError, TxHandler};
pub use pipeline::Pipeline;
pub use settings::{Events, Settings};
pub use worker::{Worker, WorkerConfig, WorkerError};

use schema::outbox;

/// Connection pool type the worker (and services) use.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// The `LISTEN`/`NOTIFY` channel used to wake workers.
pub const CHANNEL: &str = "outbox";

/// A dead letter with the reason it was parked (for operators).
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub envelope: Envelope,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When the event was parked.
    pub dead_at: DateTime<Utc>,
}

/// Queues an event; call it inside the transaction that makes the state
/// change, so both commit or neither does. Returns the new `event_id`.
///
/// The `pg_notify` is transactional too: workers are woken only on commit.
/// A transaction that notifies commits while holding PostgreSQL's global
/// notification lock, so such commits cannot share a disk flush: hot paths
/// use [`enqueue_unannounced`] and [`wake`] after the commit instead.
pub async fn enqueue<E: Event>(
    conn: &mut AsyncPgConnection,
    event: &E,
) -> Result<Uuid, DieselError> {
    let event_id = enqueue_unannounced(conn, event).await?;
    notify(conn).await?;
    Ok(event_id)
}

/// [`enqueue`] without waking the workers: the caller calls [`wake`] once
/// its transaction has committed. Measured with pgbench here (16 clients):
/// INSERT + `pg_notify` in one transaction 748 tps, INSERT then `pg_notify`
/// on its own 4,743 tps, INSERT alone 5,120 tps. Should the process die
/// between the commit and the wake-up, the workers' polling finds the event
/// (`OUTBOX_POLL_INTERVAL_MS`).
pub async fn enqueue_unannounced<E: Event>(
    conn: &mut AsyncPgConnection,
    event: &E,
) -> Result<Uuid, DieselError> {
    let payload =
        serde_json::to_value(event).map_err(|e| DieselError::SerializationError(Box::new(e)))?;
    diesel::insert_into(outbox::table)
        .values((outbox::kind.eq(E::KIND), outbox::payload.eq(payload)))
        .returning(outbox::event_id)
        .get_result(conn)
        .await
}

/// Wakes the workers (on any process) for events queued by
/// [`enqueue_unannounced`]; call it outside a transaction, after the commit.
/// A hot path uses a [`Waker`] instead.
pub async fn wake(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    notify(conn).await
}

/// Wakes the workers for events queued by [`enqueue_unannounced`] (or
/// written by a statement of the caller's own), off the caller's path: a
/// task of its own issues the `NOTIFY`, and wake-ups that arrive while one
/// is pending or under way are folded into the next. Under load a `NOTIFY`
/// then serves many commits; alone, a wake-up costs one round trip, spent
/// after the caller has answered.
///
/// A wake-up lost to a failed `NOTIFY` (logged) or a crash only delays
/// delivery until the workers poll.
#[derive(Debug, Clone)]
pub struct Waker {
    wanted: tokio::sync::mpsc::Sender<()>,
}

impl Waker {
    /// Spawns the task that notifies; it ends when the last clone of the
    /// `Waker` is dropped. Must be called within a tokio runtime.
    pub fn start(pool: Pool) -> Self {
        // One pending wake-up is all it takes: capacity 1, and a full
        // channel means one is pending already.
        let (wanted, mut pending) = tokio::sync::mpsc::channel::<()>(1);
        tokio::spawn(async move {
            while pending.recv().await.is_some() {
                let result = match pool.get().await {
                    Ok(mut conn) => notify(&mut conn).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(error) = result {
                    tracing::warn!(%error, "waking the outbox workers failed; they will poll");
                }
            }
        });
        Self { wanted }
    }

    /// Asks for a wake-up of the workers; returns at once.
    pub fn wake(&self) {
        // Full: a wake-up is pending and covers this commit too. Closed:
        // the runtime is shutting down.
        let _ = self.wanted.try_send(());
    }
}

async fn notify(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    prepared::sql("SELECT pg_notify($1, '')")
        .bind::<diesel::sql_types::Text, _>(CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}

/// Dead letters, oldest first.
pub async fn dead_events(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Envelope>> {
    outbox::table
        .filter(outbox::dead_at.is_not_null())
        .order(outbox::id)
        .select(Envelope::as_select())
        .load(conn)
        .await
}

/// Dead letters with their last error and parking time, oldest first.
pub async fn dead_letters(conn: &mut AsyncPgConnection) -> QueryResult<Vec<DeadLetter>> {
    let rows: Vec<(Envelope, Option<String>, Option<DateTime<Utc>>)> = outbox::table
        .filter(outbox::dead_at.is_not_null())
        .order(outbox::id)
        .select((Envelope::as_select(), outbox::last_error, outbox::dead_at))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(envelope, last_error, dead_at)| {
            dead_at.map(|dead_at| DeadLetter {
                envelope,
                last_error,
                dead_at,
            })
        })
        .collect())
}

/// Re-queues dead letters (`Some(id)`: that one; `None`: all) with a fresh
/// retry budget and wakes the workers. `last_error` is kept for history.
/// Returns how many rows were re-queued.
pub async fn redrive(conn: &mut AsyncPgConnection, id: Option<i64>) -> QueryResult<usize> {
    let dead = outbox::table.filter(outbox::dead_at.is_not_null());
    let changes = (
        outbox::dead_at.eq(None::<DateTime<Utc>>),
        outbox::attempts.eq(0),
        outbox::run_at.eq(diesel::dsl::now),
    );
    let n = match id {
        Some(id) => {
            diesel::update(dead.filter(outbox::id.eq(id)))
                .set(changes)
                .execute(conn)
                .await?
        }
        None => diesel::update(dead).set(changes).execute(conn).await?,
    };
    if n > 0 {
        notify(conn).await?;
    }
    Ok(n)
}

/// Events not yet delivered and not dead (including those waiting out a
/// retry backoff) — the backlog to watch in metrics.
pub async fn pending_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::dead_at.is_null())
        .count()
        .get_result(conn)
        .await
}
