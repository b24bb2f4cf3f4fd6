//! Privacy settings: one row per user who changed any; the defaults
//! otherwise ([`Settings::default`], as the migration's column defaults).

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::privacy_settings;

pub const EVERYONE: &str = "EVERYONE";
pub const FRIENDS: &str = "FRIENDS";
pub const NOBODY: &str = "NOBODY";

/// A user's settings, the values as stored (`EVERYONE`, `FRIENDS`,
/// `NOBODY`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = privacy_settings, check_for_backend(diesel::pg::Pg))]
pub struct Settings {
    pub who_may_message: String,
    pub who_may_add: String,
    pub read_receipts: bool,
    pub show_last_seen: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            who_may_message: EVERYONE.to_owned(),
            who_may_add: FRIENDS.to_owned(),
            read_receipts: true,
            show_last_seen: EVERYONE.to_owned(),
        }
    }
}

/// `user`'s settings (the defaults if they never changed any).
pub async fn get(conn: &mut Conn, user: Uuid) -> QueryResult<Settings> {
    privacy_settings::table
        .find(user)
        .select(Settings::as_select())
        .first(conn)
        .await
        .optional()
        .map(Option::unwrap_or_default)
}

/// Stores `settings` as `user`'s.
pub async fn put(conn: &mut Conn, user: Uuid, settings: &Settings) -> QueryResult<()> {
    diesel::insert_into(privacy_settings::table)
        .values((
            privacy_settings::user_id.eq(user),
            privacy_settings::who_may_message.eq(&settings.who_may_message),
            privacy_settings::who_may_add.eq(&settings.who_may_add),
            privacy_settings::read_receipts.eq(settings.read_receipts),
            privacy_settings::show_last_seen.eq(&settings.show_last_seen),
        ))
        .on_conflict(privacy_settings::user_id)
        .do_update()
        .set((
            privacy_settings::who_may_message.eq(excluded(privacy_settings::who_may_message)),
            privacy_settings::who_may_add.eq(excluded(privacy_settings::who_may_add)),
            privacy_settings::read_receipts.eq(excluded(privacy_settings::read_receipts)),
            privacy_settings::show_last_seen.eq(excluded(privacy_settings::show_last_seen)),
            privacy_settings::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The users among `others` who let anyone add them to groups.
pub async fn anyone_may_add_among(conn: &mut Conn, others: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    privacy_settings::table
        .filter(privacy_settings::user_id.eq_any(others))
        .filter(privacy_settings::who_may_add.eq(EVERYONE))
        .select(privacy_settings::user_id)
        .load(conn)
        .await
}
