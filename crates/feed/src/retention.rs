//! How long feed entries are kept: [`prune`] deletes the older ones,
//! [`Retention::prune_periodically`] runs it in a service.
//!
//! Heads (`feed_heads`) are never deleted, so a recipient's next entry
//! still gets the next seq and a cursor never comes to mean another entry.
//! A cursor that points before the oldest entry kept for its recipient is
//! expired ([`first_retained`], [`crate::FeedError::CursorExpired`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Int8, Timestamptz};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Pool;

/// How often services prune (see [`Retention::prune_periodically`]).
pub const PRUNE_EVERY: Duration = Duration::from_hours(1);
/// Entries deleted per statement: bounds the locks and WAL of one step.
const PRUNE_BATCH: i64 = 10_000;

/// How long entries are kept (`FEED_RETENTION_DAYS`, default 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: Duration,
}

impl Retention {
    /// Keeps entries for `days` days.
    pub fn days(days: u32) -> Self {
        Retention {
            keep: Duration::from_secs(u64::from(days) * 24 * 3600),
        }
    }

    /// Entries created before this are due for pruning.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.keep)
            .ok()
            .and_then(|keep| now.checked_sub_signed(keep))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Prunes every `every` until `shutdown` resolves; failures are
    /// logged and retried at the next tick.
    pub async fn prune_periodically(
        self,
        pool: Pool,
        every: Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        tokio::pin!(shutdown);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = ticks.tick() => {}
            }
            let pruned = match pool.get().await {
                Ok(mut conn) => prune(&mut conn, self.cutoff(Utc::now()))
                    .await
                    .map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            match pruned {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "pruned old feed entries"),
                Err(err) => tracing::warn!(%err, "pruning feed entries failed"),
            }
        }
    }
}

#[derive(QueryableByName)]
struct Deleted {
    #[diesel(sql_type = Int8)]
    deleted: i64,
}

/// Deletes every entry created before `before`, in batches; keeps the
/// heads. Returns how many entries went. Not in a transaction: each batch
/// commits on its own.
pub async fn prune(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<u64> {
    let mut total = 0_u64;
    loop {
        let step: Deleted = prepared::sql(
            "WITH gone AS ( \
                 DELETE FROM feed_events WHERE (recipient_id, seq) IN ( \
                     SELECT recipient_id, seq FROM feed_events \
                     WHERE created_at < $1 LIMIT $2) \
                 RETURNING 1 \
             ) SELECT count(*) AS deleted FROM gone",
        )
        .bind::<Timestamptz, _>(before)
        .bind::<Int8, _>(PRUNE_BATCH)
        .get_result(conn)
        .await?;
        total += u64::try_from(step.deleted).unwrap_or(0);
        if step.deleted < PRUNE_BATCH {
            return Ok(total);
        }
    }
}

#[derive(QueryableByName)]
struct First {
    #[diesel(sql_type = Int8)]
    first: i64,
}

/// The seq of `recipient`'s oldest entry kept; head + 1 when every entry
/// was pruned, 1 for a recipient without any. A cursor `after` is expired
/// when `after + 1` is below it. One statement, so both come from one
/// snapshot.
pub async fn first_retained(conn: &mut AsyncPgConnection, recipient: Uuid) -> QueryResult<i64> {
    let row: First = prepared::sql(
        "SELECT COALESCE( \
             (SELECT min(seq) FROM feed_events WHERE recipient_id = $1), \
             (SELECT last_seq + 1 FROM feed_heads WHERE recipient_id = $1), \
             1) AS first",
    )
    .bind::<diesel::sql_types::Uuid, _>(recipient)
    .get_result(conn)
    .await?;
    Ok(row.first)
}
