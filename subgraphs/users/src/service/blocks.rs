//! Blocks: a user stops another from reaching them. Blocking ends the
//! pair's friendship or pending request (the blocker's other devices hear
//! of it; the blocked user is told nothing) and is told to messaging,
//! which refuses the blocked user's direct messages from then on
//! ([`crate::replica`]). Every refusal a block causes is
//! [`ApiError::recipient_unavailable`], the answer a privacy setting gives,
//! so a block is not revealed.
//!
//! A block changes under both users' row locks (ascending ids), which
//! orders it with the blocked user's friend requests (they lock their own
//! row) and gives its replica version commit order per pair.

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::friends::{Page, Relationship};
use super::notifications::{FriendEventKind, notify};
use super::{UsersService, no_profile_yet, user_not_found};
use crate::db::Conn;
use crate::db::blocks;
use crate::db::friendships::{self, Pair, Position};
use crate::db::privacy;
use crate::db::users::{self, User};
use crate::replica::BlockState;
use crate::{cursor, validate};

fn other_than_me(me: Uuid, other: Uuid) -> ApiResult<Pair> {
    Pair::of(me, other)
        .ok_or_else(|| ApiError::invalid_field("userId", "that is you: you cannot block yourself"))
}

/// Locks both users' rows, least id first: `NOT_FOUND` for a missing
/// `other`, "not ready" for a missing caller.
async fn lock_pair(conn: &mut Conn, me: Uuid, pair: Pair) -> ApiResult<()> {
    for id in [pair.a, pair.b] {
        if !users::lock(conn, id).await? {
            return Err(if id == me {
                no_profile_yet()
            } else {
                user_not_found()
            });
        }
    }
    Ok(())
}

impl UsersService {
    /// The caller blocks `other`; blocking again changes nothing. Answers
    /// once messaging has applied the block (`UNAVAILABLE` if it could not
    /// be told: the block is recorded, and repeating the call confirms it).
    pub async fn block_user(&self, me: Uuid, other: Uuid) -> ApiResult<User> {
        let pair = other_than_me(me, other)?;
        let mut conn = self.pool.get().await?;
        let user = users::by_id(&mut conn, other)
            .await?
            .ok_or_else(user_not_found)?;
        let version = conn
            .transaction::<_, ApiError, _>(async |conn| {
                lock_pair(conn, me, pair).await?;
                let version = blocks::next_version(conn).await?;
                if !blocks::insert(conn, me, other).await? {
                    return Ok(version);
                }
                if let Some(row) = friendships::lock(conn, pair).await? {
                    friendships::delete(conn, pair).await?;
                    // The caller's other devices see the friendship or
                    // request go; the blocked user is told nothing.
                    let kind = match Relationship::of(me, Some(&row)) {
                        Relationship::RequestSent => FriendEventKind::RequestCancelled,
                        Relationship::RequestReceived => FriendEventKind::RequestDeclined,
                        _ => FriendEventKind::FriendRemoved,
                    };
                    notify(conn, me, kind, other).await?;
                }
                let event = contracts::UserBlocked {
                    blocker_id: me,
                    blocked_id: other,
                    version,
                };
                outbox::enqueue(conn, &event).await?;
                tracing::info!(blocker = %me, blocked = %other, "user blocked");
                Ok(version)
            })
            .await?;
        drop(conn);
        self.messaging
            .confirm_block(BlockState {
                blocker: me,
                blocked: other,
                blocks: true,
                version,
            })
            .await?;
        Ok(user)
    }

    /// The caller stops blocking `other`; unblocking a user who is not
    /// blocked changes nothing. Friendship does not come back.
    pub async fn unblock_user(&self, me: Uuid, other: Uuid) -> ApiResult<User> {
        let pair = other_than_me(me, other)?;
        let mut conn = self.pool.get().await?;
        let user = users::by_id(&mut conn, other)
            .await?
            .ok_or_else(user_not_found)?;
        let version = conn
            .transaction::<_, ApiError, _>(async |conn| {
                lock_pair(conn, me, pair).await?;
                let version = blocks::next_version(conn).await?;
                if blocks::delete(conn, me, other).await? {
                    let event = contracts::UserUnblocked {
                        blocker_id: me,
                        blocked_id: other,
                        version,
                    };
                    outbox::enqueue(conn, &event).await?;
                    tracing::info!(blocker = %me, blocked = %other, "user unblocked");
                }
                Ok(version)
            })
            .await?;
        drop(conn);
        self.messaging
            .confirm_block(BlockState {
                blocker: me,
                blocked: other,
                blocks: false,
                version,
            })
            .await?;
        Ok(user)
    }

    /// A page of the users the caller blocks, newest block first.
    pub async fn blocked_users(
        &self,
        me: Uuid,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<Page> {
        let limit = validate::check_first(first)?;
        let after: Option<Position> = after
            .map(|c| {
                cursor::decode_blocked(c)
                    .ok_or_else(|| ApiError::invalid_field("after", "not a cursor of this list"))
            })
            .transpose()?;
        let mut conn = self.pool.get().await?;
        let mut items = blocks::list(&mut conn, me, after, limit + 1).await?;
        let has_next_page = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(Page {
            items,
            has_next_page,
        })
    }

    /// Whether `me` blocks `other`.
    pub async fn blocks(&self, me: Uuid, other: Uuid) -> ApiResult<bool> {
        let mut conn = self.pool.get().await?;
        Ok(blocks::exists(&mut conn, me, other).await?)
    }

    /// The users among `others` whom `user` may add to a group: neither
    /// blocks the other, and they are friends or the other lets anyone
    /// add them. Unknown ids are left out.
    pub async fn may_add_to_group(&self, user: Uuid, others: &[Uuid]) -> ApiResult<Vec<Uuid>> {
        let mut conn = self.pool.get().await?;
        let known: Vec<Uuid> = users::by_ids(&mut conn, others)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let blocked = blocks::either_among(&mut conn, user, &known).await?;
        let friends = friendships::friends_among(&mut conn, user, &known).await?;
        let open = privacy::anyone_may_add_among(&mut conn, &known).await?;
        Ok(known
            .into_iter()
            .filter(|id| !blocked.contains(id) && (friends.contains(id) || open.contains(id)))
            .collect())
    }
}

/// `RECIPIENT_UNAVAILABLE` if either of the two blocks the other (call it
/// under the caller's row lock: a block takes both users' locks).
pub(crate) async fn refuse_if_blocked(conn: &mut Conn, me: Uuid, other: Uuid) -> ApiResult<()> {
    if blocks::either(conn, me, other).await? {
        return Err(ApiError::recipient_unavailable());
    }
    Ok(())
}
