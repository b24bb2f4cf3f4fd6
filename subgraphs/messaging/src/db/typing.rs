//! Typing signals: a notification, never a row.

use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int8, Interval, Text};
use diesel_async::RunQueryDsl;

use super::Conn;

#[derive(QueryableByName)]
struct Sent {
    #[diesel(sql_type = Int8)]
    sent: i64,
}

/// Sends `payload` on channel [`crate::typing::CHANNEL`] unless `charge`'s
/// rate refuses it (then nothing happens); true if it was sent. One
/// statement: the throttle and the notification commit together.
pub async fn notify(
    conn: &mut Conn,
    payload: &str,
    charge: Option<&ratelimit::Charge<'_>>,
) -> QueryResult<bool> {
    let zero = || PgInterval::from_microseconds(0);
    let sent: Sent = prepared::sql(concat!(
        "WITH allowed AS (",
        ratelimit::gcra_sql!("$2", "$3", "$4", "$5"),
        "    RETURNING 1 \
         ), notified AS ( \
             SELECT pg_notify($6, $1) FROM (SELECT 1) AS one \
             WHERE NOT $5 OR EXISTS (SELECT FROM allowed) \
         ) \
         SELECT count(*) AS sent FROM notified"
    ))
    .bind::<Text, _>(payload)
    .bind::<Text, _>(charge.map_or("", |c| c.key))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.step))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.period))
    .bind::<Bool, _>(charge.is_some())
    .bind::<Text, _>(crate::typing::CHANNEL)
    .get_result(conn)
    .await?;
    Ok(sent.sent > 0)
}
