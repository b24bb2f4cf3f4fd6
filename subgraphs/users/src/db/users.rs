//! Users and their profiles.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::expression::functions::declare_sql_function;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::users;

#[declare_sql_function]
extern "SQL" {
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Unique index that decides nickname races (see the migration).
pub const NICKNAME_UNIQUE_INDEX: &str = "users_nickname_lower_key";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub nickname: String,
    pub about: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Content hash of an uploaded avatar (see [`crate::avatars`]).
    pub avatar_key: Option<String>,
}

/// What to do with one optional profile field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldChange<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> FieldChange<T> {
    pub fn as_deref(&self) -> FieldChange<&T::Target>
    where
        T: std::ops::Deref,
    {
        match self {
            FieldChange::Keep => FieldChange::Keep,
            FieldChange::Clear => FieldChange::Clear,
            FieldChange::Set(v) => FieldChange::Set(v),
        }
    }

    /// The column's new value (`None` clears it), if it changes at all.
    fn assign<R>(self, assign: impl FnOnce(Option<T>) -> R) -> Option<R> {
        match self {
            FieldChange::Keep => None,
            FieldChange::Clear => Some(assign(None)),
            FieldChange::Set(v) => Some(assign(Some(v))),
        }
    }
}

/// Profile fields to change.
#[derive(Debug, Default)]
pub struct ProfileChanges<'a> {
    /// `None` keeps the nickname (it cannot be cleared).
    pub nickname: Option<&'a str>,
    pub about: FieldChange<&'a str>,
    pub avatar_url: FieldChange<&'a str>,
}

/// Inserts a user unless its id or its nickname (ignoring case) exists;
/// `None` when either does.
pub async fn insert(conn: &mut Conn, id: Uuid, nickname: &str) -> QueryResult<Option<User>> {
    diesel::insert_into(users::table)
        .values((users::id.eq(id), users::nickname.eq(nickname)))
        .on_conflict_do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// The users among `ids` that exist, in no particular order.
pub async fn by_ids(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)
        .await
}

/// Case-insensitive nickname lookup.
pub async fn by_nickname(conn: &mut Conn, nickname: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::nickname).eq(lower(nickname)))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the user's row against concurrent changes of what hangs off it
/// (sent requests), without blocking foreign-key checks. False if there is
/// no such user.
pub async fn lock(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    users::table
        .find(id)
        .select(users::id)
        .for_no_key_update()
        .first::<Uuid>(conn)
        .await
        .optional()
        .map(|found| found.is_some())
}

/// Applies `changes`; `None` if the user does not exist. Setting or
/// clearing `avatar_url` also drops an uploaded avatar. A taken nickname
/// fails with a unique violation of [`NICKNAME_UNIQUE_INDEX`].
pub async fn update_profile(
    conn: &mut Conn,
    id: Uuid,
    changes: &ProfileChanges<'_>,
) -> QueryResult<Option<User>> {
    let nickname = changes.nickname.map(|n| users::nickname.eq(n));
    let about = changes.about.assign(|a| users::about.eq(a));
    let avatar_url = changes.avatar_url.assign(|a| users::avatar_url.eq(a));
    // A linked picture replaces an uploaded one (a user has one picture).
    let avatar_key = avatar_url
        .is_some()
        .then(|| users::avatar_key.eq(None::<String>));
    diesel::update(users::table.find(id))
        .set((
            nickname,
            about,
            avatar_url,
            avatar_key,
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()
}
