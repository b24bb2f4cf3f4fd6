//! The delivery worker: claim due rows, deliver them under their row locks,
//! delete or reschedule them, commit.

use crate::broker::{Broker, Publisher};
use crate::handler::{Decoding, Deliver, DeliverInTx};
use crate::schema::outbox;
use crate::{CHANNEL, Envelope, Event, Handler, HandlerError, Pool, TxHandler};
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{Interval, Nullable, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures::{FutureExt, StreamExt};
use rand::Rng;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use tracing::{Instrument, debug, error, info, warn};

/// `last_error` is for humans; keep rows small even if a handler returns a
/// huge message.
const MAX_ERROR_LEN: usize = 2000;

/// Reconnect backoff of the `LISTEN` connection; polling covers the gap.
const LISTEN_BACKOFF_MIN: Duration = Duration::from_millis(500);
const LISTEN_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Worker tuning. The defaults suit production; tests shrink the delays.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Fallback poll when no notification arrives (notifications can be
    /// missed while the listener reconnects, and retries become due silently).
    pub poll_interval: Duration,
    /// Rows claimed (and locked) per transaction.
    pub batch_size: i64,
    /// Failed attempts after which an event is parked as dead.
    pub max_attempts: i32,
    /// Retry delay ceiling is `min(backoff_max, backoff_base * 2^attempts)`;
    /// the actual delay is uniformly random below it (full jitter), so a
    /// failing downstream is not hammered in lockstep.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Upper bound for one handler call; the row lock is held meanwhile.
    pub handler_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            batch_size: 32,
            max_attempts: 20,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_mins(10),
            handler_timeout: Duration::from_secs(30),
        }
    }
}

impl WorkerConfig {
    /// Upper bound of the retry delay after a failure of attempt number
    /// `attempts` (0-based, i.e. the `attempts` value before the failure).
    pub fn backoff_ceiling(&self, attempts: i32) -> Duration {
        let exp = attempts.clamp(0, 31) as u32;
        self.backoff_base
            .checked_mul(1u32 << exp)
            .map_or(self.backoff_max, |d| d.min(self.backoff_max))
    }

    /// Jittered retry delay: uniform in `[0, backoff_ceiling(attempts)]`.
    fn backoff(&self, attempts: i32) -> Duration {
        let ceiling = self.backoff_ceiling(attempts);
        rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
    }
}

/// Why a batch could not be processed (handler failures are not errors here:
/// they are recorded on the row).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("outbox: no database connection: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("outbox: database error: {0}")]
    Database(#[from] diesel::result::Error),
}

/// Delivers outbox rows to the handlers registered per event type (by its
/// [`Event::KIND`]).
///
/// Run one per service process (several are safe: rows are claimed with
/// `SKIP LOCKED`). It holds one pool connection for the duration of a batch;
/// give the pool room for the handlers' own connections too.
pub struct Worker {
    pool: Pool,
    database_url: String,
    config: WorkerConfig,
    handlers: HashMap<String, Registered>,
    /// One worker per database at a time (see [`Worker::in_order`]).
    in_order: bool,
}

/// How the handler of a kind runs.
#[derive(Clone)]
enum Registered {
    /// Outside the batch transaction (another service, a broker, SMTP…).
    Plain(Arc<dyn Deliver>),
    /// Inside it, in a savepoint ([`TxHandler`]).
    InTransaction(Arc<dyn DeliverInTx>),
}

/// Advisory lock key held by the batch of an in-order worker ("outbox" in
/// ASCII). Per database, so services sharing a server do not interfere.
const IN_ORDER_LOCK: i64 = 0x6f75_7462_6f78;

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        kinds.sort_unstable();
        f.debug_struct("Worker")
            .field("config", &self.config)
            .field("kinds", &kinds)
            .field("in_order", &self.in_order)
            .finish_non_exhaustive()
    }
}

/// Outcome counts of one batch, recorded on its span.
#[derive(Debug, Default)]
struct BatchStats {
    claimed: usize,
    processed: usize,
    delivered: usize,
    retried: usize,
    dead: usize,
}

impl Worker {
    /// `database_url` is used for the dedicated `LISTEN` connection (pooled
    /// connections cannot hold a listen across checkouts).
    pub fn new(pool: Pool, database_url: String, config: WorkerConfig) -> Self {
        Self {
            pool,
            database_url,
            config,
            handlers: HashMap::new(),
            in_order: false,
        }
    }

    /// Delivers in `id` order across all the workers of the database: each
    /// batch first takes a transaction-level advisory lock (try, not wait),
    /// so one worker delivers at a time while the others stand by, and an
    /// event that failed holds back every later one until it is delivered
    /// or parked (head-of-line blocking). Events committed one after the
    /// other (e.g. two messages of one conversation, whose rows get their
    /// ids under the conversation's lock) are handled in that order.
    #[must_use]
    pub fn in_order(mut self) -> Self {
        self.in_order = true;
        self
    }

    /// Registers the handler of the events of type `E` (replacing any
    /// previous one): `worker.handler(h)`, or `worker.handler::<E>(h)` for a
    /// handler of several types.
    #[must_use]
    pub fn handler<E: Event>(self, h: impl Handler<E>) -> Self {
        self.register(E::KIND, Registered::Plain(Arc::new(Decoding::new(h))))
    }

    /// Registers a handler of the events of type `E` that writes to this
    /// database: it runs in a savepoint of the batch transaction, so its
    /// writes and the deletion of the event commit together (exactly once),
    /// one commit per batch.
    #[must_use]
    pub fn tx_handler<E: Event>(self, h: impl TxHandler<E>) -> Self {
        self.register(
            E::KIND,
            Registered::InTransaction(Arc::new(Decoding::new(h))),
        )
    }

    /// Publishes the events of type `E` to JetStream (`EVENTS=broker`): a
    /// row counts as delivered once the stream has stored it.
    #[must_use]
    pub fn forward<E: Event>(self, broker: Broker) -> Self {
        self.register(E::KIND, Registered::Plain(Arc::new(Publisher::new(broker))))
    }

    fn register(mut self, kind: &str, registered: Registered) -> Self {
        self.handlers.insert(kind.to_owned(), registered);
        self
    }

    /// Delivers events until `shutdown` resolves.
    ///
    /// Wakes on every `NOTIFY outbox`, else every `poll_interval`; loops
    /// without waiting while batches come back full. On shutdown the event
    /// being handled is finished, the rest of its batch is released
    /// unprocessed, and the batch is committed, so shutdown waits at most
    /// about one `handler_timeout`.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let wake = Notify::new();
        let stopping = AtomicBool::new(false);

        let watch_shutdown = async {
            shutdown.await;
            stopping.store(true, Ordering::SeqCst);
            wake.notify_one();
            std::future::pending::<()>().await;
        };
        let listen = listen(&self.database_url, &wake);
        let deliver = async {
            let mut failures: u32 = 0;
            info!(kinds = ?self.handlers.keys().collect::<Vec<_>>(), "outbox worker started");
            while !AtomicBool::load(&stopping, Ordering::SeqCst) {
                let pause = match self.process_batch(Some(&stopping)).await {
                    Ok(n) if n as i64 >= self.config.batch_size => {
                        failures = 0;
                        continue;
                    }
                    Ok(_) => {
                        failures = 0;
                        self.config.poll_interval
                    }
                    Err(e) => {
                        // The database is unreachable or misbehaving: back off
                        // linearly (at least one poll interval, capped at 30 s)
                        // instead of spinning on wake-ups.
                        failures = failures.saturating_add(1);
                        error!(error = %e, failures, "outbox batch failed");
                        self.config
                            .poll_interval
                            .max(LISTEN_BACKOFF_MIN.saturating_mul(failures.min(60)))
                    }
                };
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
            info!("outbox worker stopped");
        };

        tokio::select! {
            () = deliver => {}
            () = listen => {}
            () = watch_shutdown => {}
        }
    }

    /// Claims one batch of due events, delivers them and commits. Returns the
    /// number of events processed (delivered, rescheduled or parked).
    pub async fn run_once(&self) -> Result<usize, WorkerError> {
        self.process_batch(None).await
    }

    async fn process_batch(&self, stopping: Option<&AtomicBool>) -> Result<usize, WorkerError> {
        let span = tracing::info_span!(
            "outbox_batch",
            claimed = tracing::field::Empty,
            delivered = tracing::field::Empty,
            retried = tracing::field::Empty,
            dead = tracing::field::Empty,
        );
        async {
            let mut conn = self.pool.get().await?;
            let stats = conn
                .transaction(async |conn| self.deliver_batch(conn, stopping).await)
                .await?;
            let span = tracing::Span::current();
            span.record("claimed", stats.claimed);
            span.record("delivered", stats.delivered);
            span.record("retried", stats.retried);
            span.record("dead", stats.dead);
            if stats.claimed > 0 {
                debug!(?stats, "outbox batch committed");
            }
            Ok(stats.processed)
        }
        .instrument(span)
        .await
    }

    /// The body of the claim transaction. Row locks are held until the caller
    /// commits, which is what keeps concurrent workers off these rows.
    async fn deliver_batch(
        &self,
        conn: &mut AsyncPgConnection,
        stopping: Option<&AtomicBool>,
    ) -> QueryResult<BatchStats> {
        if self.in_order && !try_lock(conn, IN_ORDER_LOCK).await? {
            // Another worker is delivering; it loops while there is work.
            return Ok(BatchStats::default());
        }
        // Each row comes with whether it is due. An in-order worker claims
        // the oldest rows whether due or not and stops at the first one that
        // is not (or that fails): an event waiting out a retry holds back
        // those behind it, so they cannot overtake it.
        let due = outbox::run_at.le(diesel::dsl::now);
        let claimed: Vec<(Envelope, bool)> = if self.in_order {
            outbox::table
                .filter(outbox::dead_at.is_null())
                .order(outbox::id)
                .limit(self.config.batch_size)
                .for_update()
                .select((Envelope::as_select(), due))
                .load(conn)
                .await?
        } else {
            outbox::table
                .filter(outbox::dead_at.is_null())
                .filter(outbox::run_at.le(diesel::dsl::now))
                .order(outbox::id)
                .limit(self.config.batch_size)
                .for_update()
                .skip_locked()
                .select((Envelope::as_select(), due))
                .load(conn)
                .await?
        };

        let mut stats = BatchStats {
            claimed: claimed.len(),
            ..BatchStats::default()
        };
        // Deleted together once the batch is through: one statement instead
        // of one per event, in the same transaction (nothing is gone until
        // the batch commits either way).
        let mut delivered = Vec::with_capacity(claimed.len());
        for (event, due) in &claimed {
            if !due || stopping.is_some_and(|s| AtomicBool::load(s, Ordering::SeqCst)) {
                break;
            }
            stats.processed += 1;
            match self.deliver(conn, event).await {
                Ok(()) => {
                    delivered.push(event.id);
                    stats.delivered += 1;
                }
                Err(err) => {
                    if self.record_failure(conn, event, &err).await? {
                        stats.dead += 1;
                    } else {
                        stats.retried += 1;
                        if self.in_order {
                            break;
                        }
                    }
                }
            }
        }
        if !delivered.is_empty() {
            diesel::delete(outbox::table.filter(outbox::id.eq_any(&delivered)))
                .execute(conn)
                .await?;
        }
        Ok(stats)
    }

    /// Calls the event's handler, turning timeouts, panics and a missing
    /// handler into retryable errors.
    async fn deliver(
        &self,
        conn: &mut AsyncPgConnection,
        event: &Envelope,
    ) -> Result<(), HandlerError> {
        let Some(handler) = self.handlers.get(&event.kind) else {
            // Possibly produced by a newer deployment that will handle it:
            // retry rather than drop.
            warn!(
                event_id = %event.event_id,
                kind = %event.kind,
                attempts = event.attempts,
                "outbox: no handler registered for this kind; will retry"
            );
            return Err(HandlerError::retry(format!(
                "no handler registered for kind {:?}",
                event.kind
            )));
        };
        let span = tracing::debug_span!(
            "outbox_event",
            event_id = %event.event_id,
            kind = %event.kind,
            attempts = event.attempts,
        );
        // A timeout or panic inside a savepoint leaves the connection in an
        // unknown state: the batch then fails and rolls back as a whole,
        // and its events are delivered again.
        let call = AssertUnwindSafe(async {
            match handler {
                Registered::Plain(h) => h.deliver(event).await,
                Registered::InTransaction(h) => {
                    crate::handler::in_transaction(conn, h.as_ref(), event).await
                }
            }
        })
        .catch_unwind();
        match tokio::time::timeout(self.config.handler_timeout, call)
            .instrument(span)
            .await
        {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(ToString::to_string)
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_owned());
                Err(HandlerError::retry(format!("handler panicked: {what}")))
            }
            Err(_) => Err(HandlerError::retry(format!(
                "handler timed out after {:?}",
                self.config.handler_timeout
            ))),
        }
    }

    /// Reschedules (or parks) a failed event. Returns whether it is now dead.
    async fn record_failure(
        &self,
        conn: &mut AsyncPgConnection,
        event: &Envelope,
        err: &HandlerError,
    ) -> QueryResult<bool> {
        let attempts = event.attempts.saturating_add(1);
        let last_error = truncate(err.message(), MAX_ERROR_LEN);
        let row = outbox::table.find(event.id);
        // clock_timestamp(), not now(): now() is the (possibly long ago)
        // start of this batch's transaction.
        let clock = diesel::dsl::sql::<Nullable<Timestamptz>>("clock_timestamp()");
        if err.is_permanent() || attempts >= self.config.max_attempts {
            error!(
                event_id = %event.event_id,
                kind = %event.kind,
                attempts,
                permanent = err.is_permanent(),
                error = %err,
                "outbox event parked as dead"
            );
            diesel::update(row)
                .set((
                    outbox::attempts.eq(attempts),
                    outbox::last_error.eq(last_error),
                    outbox::dead_at.eq(clock),
                ))
                .execute(conn)
                .await?;
            Ok(true)
        } else {
            let delay = self.config.backoff(event.attempts);
            warn!(
                event_id = %event.event_id,
                kind = %event.kind,
                attempts,
                retry_in = ?delay,
                error = %err,
                "outbox delivery failed; will retry"
            );
            let micros = i64::try_from(delay.as_micros()).unwrap_or(i64::MAX);
            let run_at = diesel::dsl::sql::<Timestamptz>("clock_timestamp() + ")
                .bind::<Interval, _>(PgInterval::from_microseconds(micros));
            diesel::update(row)
                .set((
                    outbox::attempts.eq(attempts),
                    outbox::last_error.eq(last_error),
                    outbox::run_at.eq(run_at),
                ))
                .execute(conn)
                .await?;
            Ok(false)
        }
    }
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// `pg_try_advisory_xact_lock`: released when the transaction ends.
async fn try_lock(conn: &mut AsyncPgConnection, key: i64) -> QueryResult<bool> {
    let row: Locked = prepared::sql("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<diesel::sql_types::Int8, _>(key)
        .get_result(conn)
        .await?;
    Ok(row.locked)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Keeps a `LISTEN outbox` connection open, waking the delivery loop on each
/// notification; reconnects with backoff forever (never returns).
async fn listen(database_url: &str, wake: &Notify) {
    let mut backoff = LISTEN_BACKOFF_MIN;
    loop {
        match listen_once(database_url, wake, &mut backoff).await {
            Ok(()) => warn!("outbox listener connection closed; reconnecting"),
            Err(e) => {
                warn!(error = %e, retry_in = ?backoff, "outbox listener failed; polling meanwhile");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(LISTEN_BACKOFF_MAX);
    }
}

/// One listener connection's lifetime. Returns when the connection ends;
/// resets `backoff` once subscribed (the connection was healthy).
async fn listen_once(
    database_url: &str,
    wake: &Notify,
    backoff: &mut Duration,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) =
        tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));

    // The connection must be driven while LISTEN is in flight.
    let listen_sql = format!("LISTEN {CHANNEL}");
    let subscribe = client.batch_execute(&listen_sql);
    tokio::pin!(subscribe);
    loop {
        tokio::select! {
            r = &mut subscribe => { r?; break; }
            msg = messages.next() => match msg {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    }
    debug!("outbox listener subscribed");
    *backoff = LISTEN_BACKOFF_MIN;
    // Anything committed while we were not listening is caught up now.
    wake.notify_one();

    while let Some(msg) = messages.next().await {
        match msg? {
            tokio_postgres::AsyncMessage::Notification(_) => wake.notify_one(),
            tokio_postgres::AsyncMessage::Notice(n) => {
                debug!(notice = %n, "outbox listener notice");
            }
            _ => {}
        }
    }
    // `client` lives until here: dropping it would close the connection.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_below_it() {
        let config = WorkerConfig::default();
        let ceilings: Vec<u64> = (0..12)
            .map(|a| config.backoff_ceiling(a).as_secs())
            .collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(config.backoff_ceiling(i32::MAX), config.backoff_max);
        assert_eq!(config.backoff_ceiling(-1), config.backoff_base);
        for attempts in 0..40 {
            assert!(config.backoff(attempts) <= config.backoff_ceiling(attempts));
        }
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
