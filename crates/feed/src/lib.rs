//! Per-recipient notification log with replay-then-live streams.
//!
//! The mechanism behind `friendEvents(after:)` (users) and
//! `messageEvents(after:)` (messaging):
//!
//! * [`append`] writes an event into the recipient's log **inside the
//!   caller's transaction**. Each recipient has its own gap-free sequence
//!   (`seq` = 1, 2, 3, …), and per recipient seq order equals commit order.
//!   The services call [`append_once`] from the handler of an outbox event
//!   (the state change enqueued the event in its own transaction): it writes
//!   the entries of one event at most once, however often the event is
//!   delivered.
//! * [`Feed::subscribe`] streams a recipient's events: with a cursor it first
//!   replays everything after it, then goes live, with nothing lost or
//!   repeated in between; without one it starts live.
//! * Wake-ups come from `LISTEN feed` / `pg_notify('feed', <recipient>)`, so
//!   an event reaches a connected subscriber within milliseconds, also when it
//!   was written by another process on the same database.
//!
//! Cursors ([`Cursors`]: each stream names its own tag) are opaque strings
//! for clients; a client that loses its connection resubscribes with the
//! cursor of the last event it saw and gets the rest exactly once.
//! * Entries are kept for a while ([`Retention`], `FEED_RETENTION_DAYS`):
//!   [`prune`] deletes older ones but keeps each recipient's head, so a seq
//!   is never handed out twice; a subscription whose cursor points before
//!   the oldest entry kept ends with [`FeedError::CursorExpired`].
//!
//! The DDL lives in `migrations/2026-11-25-000002_feed`; services copy that
//! folder into their own migrations.

mod cursor;
mod hub;
mod retention;
pub mod schema;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int8, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub use cursor::{Cursors, DEFAULT_CURSORS, encode_cursor, parse_cursor};
pub use hub::Feed;
pub use retention::{PRUNE_EVERY, Retention, first_retained, prune};

use schema::{feed_events, feed_heads};

/// Connection pool type the feed (and the services) use.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// The `LISTEN`/`NOTIFY` channel; the payload is the recipient's UUID.
pub const CHANNEL: &str = "feed";

/// One entry of a recipient's log.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = feed_events, check_for_backend(diesel::pg::Pg))]
pub struct Event {
    pub recipient_id: Uuid,
    /// Position in the recipient's log: 1, 2, 3, … without gaps.
    pub seq: i64,
    /// What happened (e.g. `friend_request.received`); the services map it to
    /// their GraphQL types.
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl Event {
    /// The opaque cursor a client passes back as `after` to resume right
    /// after this event.
    pub fn cursor(&self) -> String {
        encode_cursor(self.seq)
    }
}

/// Errors of the feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The client sent a cursor we did not hand out (services report it as
    /// `BAD_USER_INPUT`).
    #[error("invalid cursor: pass back a cursor received from this feed, or omit it to start live")]
    BadCursor,
    /// Entries after the client's cursor were pruned ([`prune`]): the
    /// client must refetch its lists and subscribe afresh (services report
    /// it as `BAD_USER_INPUT` with `extensions.reason` `CURSOR_EXPIRED`).
    #[error(
        "the cursor is older than the events kept: refetch, then subscribe without it or with a fresh cursor"
    )]
    CursorExpired,
    #[error("feed: no database connection: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("feed: database error: {0}")]
    Database(#[from] diesel::result::Error),
}

/// What a subscriber is told: a cursor we did not hand out is
/// `BAD_USER_INPUT` on `after`; an expired one the same with
/// `extensions.reason` `CURSOR_EXPIRED` (refetch, then subscribe with a
/// fresh cursor); anything else `UNAVAILABLE` (subscribe again with the
/// last cursor).
impl From<FeedError> for api_errors::ApiError {
    fn from(err: FeedError) -> Self {
        use api_errors::ApiError;
        match err {
            FeedError::BadCursor => {
                ApiError::invalid_field("after", "not a cursor of this subscription")
            }
            FeedError::CursorExpired => ApiError::invalid_field(
                "after",
                "the cursor is older than the events kept: refetch your lists, \
                 then subscribe with a fresh cursor",
            )
            .with_extension("reason", serde_json::Value::from("CURSOR_EXPIRED")),
            other => ApiError::unavailable(
                "the event stream was interrupted; subscribe again with the last cursor",
            )
            .with_source(other),
        }
    }
}

#[derive(QueryableByName)]
struct Appended {
    #[diesel(sql_type = Int8)]
    seq: i64,
}

/// Appends an event to `recipient`'s log and returns its `seq`.
///
/// Call it inside the transaction that makes the state change (diesel-async:
/// `conn.transaction(async |conn| { ...; feed::append(conn, ...).await?; ... })`),
/// so both commit or neither does; a rolled-back append leaves no gap.
///
/// Ordering: the head upsert takes the row lock on `feed_heads(recipient)`
/// and PostgreSQL keeps it until our transaction ends, so a concurrent append
/// for the same recipient waits at its own upsert until we commit (or roll
/// back) and then reads our committed value. Hence per recipient, seq order
/// == commit order: once a reader sees seq `n` committed, every seq `< n` is
/// committed too, and an event committing later always has a larger seq. That
/// is what makes "read everything with seq > cursor" never skip an event.
/// The flip side: the lock is held until commit, so append late in the
/// transaction, and when appending for several recipients in one
/// transaction use [`append_many`] (consistent lock order, no deadlocks).
///
/// The `pg_notify('feed', <recipient>)` is transactional too: subscribers
/// are woken only on commit, in every process `LISTEN`ing on the database.
pub async fn append(
    conn: &mut AsyncPgConnection,
    recipient: Uuid,
    kind: &str,
    payload: &serde_json::Value,
) -> QueryResult<i64> {
    append_entry(conn, recipient, kind, payload, None).await
}

async fn append_entry(
    conn: &mut AsyncPgConnection,
    recipient: Uuid,
    kind: &str,
    payload: &serde_json::Value,
    event_id: Option<Uuid>,
) -> QueryResult<i64> {
    // One round trip: bump the head (locking it), insert the event at the new
    // head, queue the notification.
    let appended: Appended = prepared::sql(
        "WITH head AS ( \
             INSERT INTO feed_heads (recipient_id, last_seq) VALUES ($1, 1) \
             ON CONFLICT (recipient_id) DO UPDATE SET last_seq = feed_heads.last_seq + 1 \
             RETURNING last_seq \
         ), event AS ( \
             INSERT INTO feed_events (recipient_id, seq, kind, payload, event_id) \
             SELECT $1, last_seq, $2, $3, $5 FROM head \
             RETURNING seq \
         ) \
         SELECT seq, pg_notify($4, $1::text) FROM event",
    )
    .bind::<diesel::sql_types::Uuid, _>(recipient)
    .bind::<Text, _>(kind)
    .bind::<Jsonb, _>(payload)
    .bind::<Text, _>(CHANNEL)
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(event_id)
    .get_result(conn)
    .await?;
    tracing::trace!(%recipient, seq = appended.seq, kind, "feed event appended");
    Ok(appended.seq)
}

/// Appends the same event to several recipients' logs (duplicates are
/// appended once); returns `(recipient, seq)` in ascending recipient order.
///
/// Head rows are locked in ascending UUID order, so concurrent transactions
/// that append for overlapping sets of recipients cannot deadlock (as long as
/// they all lock in this order, i.e. use this function for multi-recipient
/// appends).
pub async fn append_many(
    conn: &mut AsyncPgConnection,
    recipients: impl IntoIterator<Item = Uuid>,
    kind: &str,
    payload: &serde_json::Value,
) -> QueryResult<Vec<(Uuid, i64)>> {
    let mut recipients: Vec<Uuid> = recipients.into_iter().collect();
    recipients.sort_unstable();
    recipients.dedup();
    let mut out = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        out.push((recipient, append(conn, recipient, kind, payload).await?));
    }
    Ok(out)
}

/// One entry an event writes, for [`append_once`].
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub recipient: Uuid,
    pub kind: &'a str,
    pub payload: &'a serde_json::Value,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Appends the entries caused by the outbox event `event_id` (at most one
/// per recipient), unless an earlier delivery of the event already did:
/// returns `(recipient, seq)` in ascending recipient order, or an empty list
/// for a repeated delivery. Call it inside a transaction (the handler's).
///
/// Repeats are recognised under the recipients' head locks, taken first and
/// in ascending order (no deadlocks with other multi-recipient appends): a
/// concurrent delivery of the same event waits for ours to commit and then
/// finds our entries, so it appends nothing and leaves no gap in the
/// sequence. The unique index on `(event_id, recipient_id)` backs this up.
///
/// Three round trips, however many recipients: lock the heads, look for
/// earlier entries, append.
pub async fn append_once(
    conn: &mut AsyncPgConnection,
    event_id: Uuid,
    entries: &[Entry<'_>],
) -> QueryResult<Vec<(Uuid, i64)>> {
    let mut entries = entries.to_vec();
    entries.sort_by_key(|e| e.recipient);
    entries.dedup_by_key(|e| e.recipient);
    let recipients: Vec<Uuid> = entries.iter().map(|e| e.recipient).collect();
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    // Create the missing heads (0 = nothing yet) and lock every head, in
    // ascending order, in one statement: ON CONFLICT DO UPDATE locks the
    // existing row even though the update changes nothing.
    prepared::sql(
        "INSERT INTO feed_heads (recipient_id, last_seq) \
         SELECT r, 0 FROM unnest($1::uuid[]) AS r ORDER BY r \
         ON CONFLICT (recipient_id) DO UPDATE SET last_seq = feed_heads.last_seq",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(&recipients)
    .execute(conn)
    .await?;
    // A statement of its own, so that it sees what a delivery we waited for
    // at the locks committed.
    let done: Found =
        prepared::sql("SELECT EXISTS (SELECT 1 FROM feed_events WHERE event_id = $1) AS found")
            .bind::<diesel::sql_types::Uuid, _>(event_id)
            .get_result(conn)
            .await?;
    if done.found {
        tracing::debug!(%event_id, "feed entries of this event exist already");
        return Ok(Vec::new());
    }
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind).collect();
    let payloads: Vec<&serde_json::Value> = entries.iter().map(|e| e.payload).collect();
    // Every entry in one round trip: bump each (locked) head, insert the
    // event at it, queue the notifications.
    let appended: Vec<AppendedTo> = prepared::sql(
        "WITH head AS ( \
             UPDATE feed_heads h SET last_seq = h.last_seq + 1 \
             FROM unnest($1::uuid[]) AS r (recipient_id) \
             WHERE h.recipient_id = r.recipient_id \
             RETURNING h.recipient_id, h.last_seq \
         ), event AS ( \
             INSERT INTO feed_events (recipient_id, seq, kind, payload, event_id) \
             SELECT head.recipient_id, head.last_seq, e.kind, e.payload, $4 \
             FROM head JOIN unnest($1::uuid[], $2::text[], $3::jsonb[]) \
                 AS e (recipient_id, kind, payload) USING (recipient_id) \
             RETURNING recipient_id, seq \
         ) \
         SELECT recipient_id, seq, pg_notify($5, recipient_id::text) FROM event \
         ORDER BY recipient_id",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(&recipients)
    .bind::<Array<Text>, _>(&kinds)
    .bind::<Array<Jsonb>, _>(&payloads)
    .bind::<diesel::sql_types::Uuid, _>(event_id)
    .bind::<Text, _>(CHANNEL)
    .load(conn)
    .await?;
    tracing::trace!(%event_id, entries = appended.len(), "feed events appended");
    Ok(appended
        .into_iter()
        .map(|a| (a.recipient_id, a.seq))
        .collect())
}

#[derive(QueryableByName)]
struct AppendedTo {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    recipient_id: Uuid,
    #[diesel(sql_type = Int8)]
    seq: i64,
}

/// Up to `limit` events of `recipient` with `seq > after_seq`, oldest first.
pub async fn read_after(
    conn: &mut AsyncPgConnection,
    recipient: Uuid,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    feed_events::table
        .filter(feed_events::recipient_id.eq(recipient))
        .filter(feed_events::seq.gt(after_seq))
        .order(feed_events::seq)
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
        .await
}

/// The seq of `recipient`'s latest committed event (0 if there is none).
pub async fn head(conn: &mut AsyncPgConnection, recipient: Uuid) -> QueryResult<i64> {
    feed_heads::table
        .find(recipient)
        .select(feed_heads::last_seq)
        .first(conn)
        .await
        .optional()
        .map(|seq| seq.unwrap_or(0))
}
