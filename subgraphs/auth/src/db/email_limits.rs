//! How many emails one address was sent in the current window.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Int4, Int8, Interval};
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::email_send_limits as limits;

/// The outcome of asking to send one more email to an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Allowed,
    /// Over the limit; the window ends in this many seconds (at least 1).
    Limited {
        retry_after_secs: u64,
    },
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Int4)]
    sends: i32,
    #[diesel(sql_type = Int8)]
    retry_after: i64,
}

fn interval(window: Duration) -> PgInterval {
    PgInterval::from_microseconds(i64::try_from(window.as_micros()).unwrap_or(i64::MAX))
}

/// Counts one email to `address_hash` in a fixed window of `window` and
/// says whether it is within `limit`. One statement, so concurrent callers
/// for one address are counted one after the other.
pub async fn take(
    conn: &mut Conn,
    address_hash: &[u8],
    limit: u32,
    window: Duration,
) -> QueryResult<Take> {
    let counted: Counted = prepared::sql(
        "INSERT INTO email_send_limits AS l (address_hash, window_started_at, sends)
         VALUES ($1, now(), 1)
         ON CONFLICT (address_hash) DO UPDATE SET
             window_started_at = CASE WHEN l.window_started_at + $2 <= now()
                                      THEN now() ELSE l.window_started_at END,
             sends = CASE WHEN l.window_started_at + $2 <= now()
                          THEN 1 ELSE l.sends + 1 END
         RETURNING sends,
             GREATEST(1, CEIL(EXTRACT(EPOCH FROM window_started_at + $2 - now())))::int8
                 AS retry_after",
    )
    .bind::<Bytea, _>(address_hash)
    .bind::<Interval, _>(interval(window))
    .get_result(conn)
    .await?;
    Ok(if i64::from(counted.sends) <= i64::from(limit) {
        Take::Allowed
    } else {
        Take::Limited {
            retry_after_secs: counted.retry_after.max(1) as u64,
        }
    })
}

/// Forgets windows that started before `cutoff`; returns how many.
pub async fn prune(conn: &mut Conn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(limits::table.filter(limits::window_started_at.lt(cutoff)))
        .execute(conn)
        .await
}
