//! The replica of users' blocks and privacy settings (users owns them; see
//! `crate::grpc` and docs/privacy.md). Every row keeps the version of the
//! state it holds and takes only a newer one, so the calls and events that
//! carry them may come twice and in any order.
//!
//! The send statements ([`super::messages`]) read these tables themselves
//! ([`contact_allowed_sql!`]); what is here serves everything else.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{blocks, privacy};

/// `who_may_message` of a user who takes direct messages from friends only.
pub const FRIENDS: &str = "FRIENDS";

/// The condition under which `$sender` may send a direct message to
/// `$recipient` (SQL expressions), for the send statements: neither blocks
/// the other, and the recipient takes messages from everyone, or `$friends`
/// (the caller asked users whether the two are friends) is true. Read in
/// the statement that writes the message, so a block applied before the
/// statement began is never missed.
macro_rules! contact_allowed_sql {
    ($sender:literal, $recipient:literal, $friends:literal) => {
        concat!(
            "(NOT EXISTS (SELECT FROM blocks b WHERE b.blocked AND ( \
                 (b.blocker_id = ",
            $recipient,
            " AND b.blocked_id = ",
            $sender,
            ") \
                 OR (b.blocker_id = ",
            $sender,
            " AND b.blocked_id = ",
            $recipient,
            "))) \
             AND (",
            $friends,
            " OR NOT EXISTS (SELECT FROM privacy p \
                 WHERE p.user_id = ",
            $recipient,
            " AND p.who_may_message = 'FRIENDS')))"
        )
    };
}
pub(crate) use contact_allowed_sql;

/// A user's privacy settings as users last told them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privacy<'a> {
    pub who_may_message: &'a str,
    pub who_may_add: &'a str,
    pub read_receipts: bool,
    pub show_last_seen: &'a str,
}

/// Takes `blocked` (whether `by` blocks `whom`) if `version` is newer than
/// the state held; `false` if it was not.
pub async fn apply_block(
    conn: &mut Conn,
    by: Uuid,
    whom: Uuid,
    blocked: bool,
    version: i64,
) -> QueryResult<bool> {
    prepared::sql(
        "INSERT INTO blocks AS b (blocker_id, blocked_id, blocked, version) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (blocker_id, blocked_id) DO UPDATE \
         SET blocked = EXCLUDED.blocked, version = EXCLUDED.version \
         WHERE b.version < EXCLUDED.version",
    )
    .bind::<SqlUuid, _>(by)
    .bind::<SqlUuid, _>(whom)
    .bind::<Bool, _>(blocked)
    .bind::<BigInt, _>(version)
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Takes `settings` as `user`'s if `version` is newer than those held;
/// `false` if it was not.
pub async fn apply_privacy(
    conn: &mut Conn,
    user: Uuid,
    settings: &Privacy<'_>,
    version: i64,
) -> QueryResult<bool> {
    prepared::sql(
        "INSERT INTO privacy AS p \
             (user_id, who_may_message, who_may_add, read_receipts, show_last_seen, version) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id) DO UPDATE \
         SET who_may_message = EXCLUDED.who_may_message, who_may_add = EXCLUDED.who_may_add, \
             read_receipts = EXCLUDED.read_receipts, show_last_seen = EXCLUDED.show_last_seen, \
             version = EXCLUDED.version \
         WHERE p.version < EXCLUDED.version",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Text, _>(settings.who_may_message)
    .bind::<Text, _>(settings.who_may_add)
    .bind::<Bool, _>(settings.read_receipts)
    .bind::<Text, _>(settings.show_last_seen)
    .bind::<BigInt, _>(version)
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Why `sender` may not send `recipient` a direct message now, if not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// One of the two blocks the other.
    Blocked,
    /// The recipient takes messages from friends only (users knows
    /// whether the two are).
    FriendsOnly,
}

/// What [`contact_allowed_sql!`] would refuse, and why (blocks first).
pub async fn refusal(
    conn: &mut Conn,
    sender: Uuid,
    recipient: Uuid,
) -> QueryResult<Option<Refusal>> {
    let blocked: bool = diesel::select(diesel::dsl::exists(
        blocks::table.filter(blocks::blocked).filter(
            blocks::blocker_id
                .eq(recipient)
                .and(blocks::blocked_id.eq(sender))
                .or(blocks::blocker_id
                    .eq(sender)
                    .and(blocks::blocked_id.eq(recipient))),
        ),
    ))
    .get_result(conn)
    .await?;
    if blocked {
        return Ok(Some(Refusal::Blocked));
    }
    let friends_only: bool = diesel::select(diesel::dsl::exists(
        privacy::table
            .find(recipient)
            .filter(privacy::who_may_message.eq(FRIENDS)),
    ))
    .get_result(conn)
    .await?;
    Ok(friends_only.then_some(Refusal::FriendsOnly))
}

/// Those among `users` who turned read receipts off.
pub async fn receipts_off_among(conn: &mut Conn, users: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    privacy::table
        .filter(privacy::user_id.eq_any(users))
        .filter(privacy::read_receipts.eq(false))
        .select(privacy::user_id)
        .load(conn)
        .await
}

/// Those among `users` whom `viewer` blocks.
pub async fn blocked_by(conn: &mut Conn, viewer: Uuid, users: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    blocks::table
        .filter(blocks::blocker_id.eq(viewer))
        .filter(blocks::blocked_id.eq_any(users))
        .filter(blocks::blocked)
        .select(blocks::blocked_id)
        .load(conn)
        .await
}
