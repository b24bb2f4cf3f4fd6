//! Messaging's replica of users' blocks and privacy settings: what users
//! tells (`messaging.v1.Messaging`, called before `blockUser`,
//! `unblockUser` and `updatePrivacy` answer; and the events
//! `users.user_blocked`, `users.user_unblocked`, `users.privacy_changed`).
//! Each state comes with a version and is taken only if newer than the one
//! held, so repeats and late arrivals change nothing.

use api_errors::{ApiError, ApiResult};
use service_runtime::db::PgPool;
use uuid::Uuid;

use crate::db::contacts::{self, Privacy};

/// Values a setting may take (as users stores them).
const AUDIENCES: [&str; 2] = ["EVERYONE", "FRIENDS"];
const LAST_SEEN_AUDIENCES: [&str; 3] = ["EVERYONE", "FRIENDS", "NOBODY"];

/// Takes "`by` blocks `whom`" (or not) at `version`.
pub async fn apply_block(
    pool: &PgPool,
    by: Uuid,
    whom: Uuid,
    blocked: bool,
    version: i64,
) -> ApiResult<()> {
    let mut conn = pool.get().await?;
    let applied = contacts::apply_block(&mut conn, by, whom, blocked, version).await?;
    tracing::debug!(%by, %whom, blocked, version, applied, "block told");
    Ok(())
}

/// Takes `user`'s settings at `version`; BAD_USER_INPUT for a value
/// users would not send.
pub async fn apply_privacy(
    pool: &PgPool,
    user: Uuid,
    settings: &Privacy<'_>,
    version: i64,
) -> ApiResult<()> {
    let valid = AUDIENCES.contains(&settings.who_may_message)
        && AUDIENCES.contains(&settings.who_may_add)
        && LAST_SEEN_AUDIENCES.contains(&settings.show_last_seen);
    if !valid {
        return Err(ApiError::bad_input("unknown privacy setting value"));
    }
    let mut conn = pool.get().await?;
    let applied = contacts::apply_privacy(&mut conn, user, settings, version).await?;
    tracing::debug!(%user, version, applied, "privacy settings told");
    Ok(())
}
