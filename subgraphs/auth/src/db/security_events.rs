//! The append-only security audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::security_events as events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct SecurityEvent {
    pub id: i64,
    pub account_id: Option<Uuid>,
    pub kind: String,
    pub session_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub provider: Option<String>,
}

pub struct NewEvent<'a> {
    pub account_id: Option<Uuid>,
    pub kind: &'a str,
    pub session_id: Option<Uuid>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The sign-in provider it came through; `None` for email and password.
    pub provider: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, event: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values((
            events::account_id.eq(event.account_id),
            events::kind.eq(event.kind),
            events::session_id.eq(event.session_id),
            events::ip.eq(event.ip),
            events::user_agent.eq(event.user_agent),
            events::provider.eq(event.provider),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Up to `limit` events of an account, newest first, older than `before`
/// (an event id) when given.
pub async fn page(
    conn: &mut Conn,
    account_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<SecurityEvent>> {
    let mut query = events::table
        .filter(events::account_id.eq(account_id))
        .order(events::id.desc())
        .limit(limit)
        .select(SecurityEvent::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(events::id.lt(before));
    }
    query.load(conn).await
}
