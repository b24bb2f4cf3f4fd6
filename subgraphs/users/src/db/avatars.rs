//! Uploaded avatars and the secret that signs their upload URLs.

use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{service_secrets, users};
use super::users::User;

/// The secret named `name`: the stored one, or `fresh` if none was stored
/// yet. Concurrent first calls (replicas starting together) all get the
/// one that was inserted first.
pub async fn shared_secret(conn: &mut Conn, name: &str, fresh: &[u8]) -> QueryResult<Vec<u8>> {
    diesel::insert_into(service_secrets::table)
        .values((
            service_secrets::name.eq(name),
            service_secrets::value.eq(fresh),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    service_secrets::table
        .find(name)
        .select(service_secrets::value)
        .first(conn)
        .await
}

/// Locks the user's row until the transaction ends and returns the key of
/// its uploaded avatar; `None` if there is no such user. Every change to a
/// user's avatar files happens under this lock.
pub async fn lock_picture(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Option<String>>> {
    users::table
        .find(id)
        .select(users::avatar_key)
        .for_no_key_update()
        .first::<Option<String>>(conn)
        .await
        .optional()
}

/// Makes `key` the user's picture (`None`: no picture), replacing a linked
/// one (`avatar_url`).
pub async fn set_picture(conn: &mut Conn, id: Uuid, key: Option<&str>) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set((
            users::avatar_key.eq(key),
            users::avatar_url.eq(None::<String>),
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
}
