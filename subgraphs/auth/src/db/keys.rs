//! Signing keys in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};

use super::Conn;
use super::schema::signing_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
pub struct KeyRow {
    pub kid: String,
    pub private_key: Vec<u8>,
    pub public_key: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// A freshly generated key, ready to be stored.
pub struct NewKey {
    pub kid: String,
    pub private_der: Vec<u8>,
    pub public: Vec<u8>,
}

/// Unretired keys, newest first.
pub async fn active(conn: &mut Conn) -> QueryResult<Vec<KeyRow>> {
    signing_keys::table
        .filter(signing_keys::retired_at.is_null())
        .order(signing_keys::created_at.desc())
        .select(KeyRow::as_select())
        .load(conn)
        .await
}

/// Unretired keys, storing `first` if there is none. Several replicas
/// starting at once agree on one key (advisory lock).
pub async fn ensure_one(conn: &mut Conn, first: &NewKey) -> QueryResult<Vec<KeyRow>> {
    conn.transaction(async |conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))")
            .execute(conn)
            .await?;
        let rows = active(conn).await?;
        if !rows.is_empty() {
            return Ok(rows);
        }
        insert(conn, first).await?;
        active(conn).await
    })
    .await
}

/// Adds a key; it becomes the signing key (newest) on every replica.
pub async fn insert(conn: &mut Conn, key: &NewKey) -> QueryResult<()> {
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(&key.kid),
            signing_keys::private_key.eq(&key.private_der),
            signing_keys::public_key.eq(&key.public),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// Every key, retired or not, newest first.
pub async fn all(
    conn: &mut Conn,
) -> QueryResult<Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>> {
    signing_keys::table
        .order(signing_keys::created_at.desc())
        .select((
            signing_keys::kid,
            signing_keys::created_at,
            signing_keys::retired_at,
        ))
        .load(conn)
        .await
}

/// Retires every key that stopped signing before `cutoff`: an unretired
/// newer key existed by then. The newest key is never retired. Returns the
/// retired kids.
pub async fn retire_replaced_before(
    conn: &mut Conn,
    cutoff: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Retired {
        #[diesel(sql_type = diesel::sql_types::Text)]
        kid: String,
    }
    let retired: Vec<Retired> = diesel::sql_query(
        "UPDATE signing_keys AS k SET retired_at = now()
         WHERE k.retired_at IS NULL
           AND EXISTS (SELECT 1 FROM signing_keys AS n
                       WHERE n.retired_at IS NULL
                         AND n.created_at > k.created_at
                         AND n.created_at <= $1)
         RETURNING k.kid",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
    .load(conn)
    .await?;
    Ok(retired.into_iter().map(|r| r.kid).collect())
}
