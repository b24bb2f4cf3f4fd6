//! The friendship state machine. One row per pair (see the migration):
//!
//! ```text
//!   (no row) --send--> pending(by me) --accept by them--> accepted
//!      ^                 |  cancel by me / decline by them       |
//!      +-----------------+---------------------------------------+ remove
//! ```
//!
//! Every change runs in a transaction that locks the pair's row first, so
//! concurrent changes of one pair are applied one after the other, each
//! seeing the state the previous one left. Inserting a new row relies on the
//! primary key (`ON CONFLICT DO NOTHING`, then look again) instead.

use api_errors::{ApiError, ApiResult, ErrorCode};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::notifications::{FriendEventKind, notify};
use super::{UsersService, no_profile_yet, user_not_found};
use crate::db::Conn;
use crate::db::friendships::{self, Friendship, List, Listed, Pair, Position};
use crate::db::users::{self, User};
use crate::{cursor, validate};

/// How a user stands to another, as seen by the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The user is the caller.
    Myself,
    None,
    Friends,
    /// The caller asked the user to be friends; no answer yet.
    RequestSent,
    /// The user asked the caller to be friends; no answer yet.
    RequestReceived,
    /// The caller blocks the user (only the blocker sees this).
    Blocked,
}

impl Relationship {
    pub(crate) fn of(me: Uuid, row: Option<&Friendship>) -> Self {
        match row {
            None => Relationship::None,
            Some(row) if row.is_accepted() => Relationship::Friends,
            Some(row) if row.requested_by == me => Relationship::RequestSent,
            Some(_) => Relationship::RequestReceived,
        }
    }
}

/// The other user after a friendship change, and where the caller now stands.
#[derive(Debug, Clone)]
pub struct FriendChange {
    pub user: User,
    pub relationship: Relationship,
}

/// One page of a list, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Listed>,
    pub has_next_page: bool,
}

fn pair(me: Uuid, other: Uuid) -> ApiResult<Pair> {
    Pair::of(me, other).ok_or_else(|| {
        ApiError::invalid_field(
            "userId",
            "that is you: friendships are between two different users",
        )
    })
}

fn no_request_from(what: &str) -> ApiError {
    ApiError::not_found(format!("there is no pending friend request {what}"))
}

impl UsersService {
    pub async fn relationship(&self, me: Uuid, other: Uuid) -> ApiResult<Relationship> {
        let Some(pair) = Pair::of(me, other) else {
            return Ok(Relationship::Myself);
        };
        let mut conn = self.pool.get().await?;
        if crate::db::blocks::exists(&mut conn, me, other).await? {
            return Ok(Relationship::Blocked);
        }
        let row = friendships::get(&mut conn, pair).await?;
        Ok(Relationship::of(me, row.as_ref()))
    }

    /// Asks `other` to be friends. Repeating it changes nothing; if `other`
    /// had already asked the caller, they become friends.
    pub async fn send_friend_request(&self, me: Uuid, other: Uuid) -> ApiResult<FriendChange> {
        let pair = pair(me, other)?;
        self.limiter
            .check(&format!("friend_request:{me}"), self.friend_request_rate)
            .await?;
        let mut conn = self.pool.get().await?;
        let user = users::by_id(&mut conn, other)
            .await?
            .ok_or_else(user_not_found)?;
        let max_pending = self.max_pending_requests;
        let relationship = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // Serialises this user's own sends, which keeps the pending
                // count exact against the cap.
                if !users::lock(conn, me).await? {
                    return Err(no_profile_yet());
                }
                // A block takes both users' row locks: this sees any block
                // committed before our lock, and one after it ends the
                // request we make.
                super::blocks::refuse_if_blocked(conn, me, other).await?;
                // Two rounds at most: if our insert loses to a concurrent one
                // for the pair, the second round sees the winner's row.
                for _ in 0..2 {
                    if let Some(row) = friendships::lock(conn, pair).await? {
                        return match Relationship::of(me, Some(&row)) {
                            Relationship::RequestReceived => {
                                friendships::accept(conn, pair).await?;
                                notify(conn, other, FriendEventKind::RequestAccepted, me).await?;
                                notify(conn, me, FriendEventKind::RequestAccepted, other).await?;
                                Ok(Relationship::Friends)
                            }
                            unchanged => Ok(unchanged),
                        };
                    }
                    if friendships::pending_sent_count(conn, me).await? >= max_pending {
                        return Err(too_many_pending(max_pending));
                    }
                    if friendships::insert_request(conn, pair, me).await?.is_some() {
                        notify(conn, other, FriendEventKind::RequestReceived, me).await?;
                        notify(conn, me, FriendEventKind::RequestSent, other).await?;
                        return Ok(Relationship::RequestSent);
                    }
                }
                Err(ApiError::conflict(
                    "the friendship changed at the same time; try again",
                ))
            })
            .await?;
        Ok(FriendChange { user, relationship })
    }

    /// Withdraws the caller's pending request to `other`.
    pub async fn cancel_friend_request(&self, me: Uuid, other: Uuid) -> ApiResult<FriendChange> {
        self.change(me, other, Answer::Cancel).await
    }

    /// Accepts `other`'s pending request. Accepting again changes nothing.
    pub async fn accept_friend_request(&self, me: Uuid, other: Uuid) -> ApiResult<FriendChange> {
        self.change(me, other, Answer::Accept).await
    }

    /// Turns down `other`'s pending request (they are not told; the
    /// caller's other devices are).
    pub async fn decline_friend_request(&self, me: Uuid, other: Uuid) -> ApiResult<FriendChange> {
        self.change(me, other, Answer::Decline).await
    }

    /// Ends a friendship (the other user is not told; the caller's other
    /// devices are).
    pub async fn remove_friend(&self, me: Uuid, other: Uuid) -> ApiResult<FriendChange> {
        self.change(me, other, Answer::Remove).await
    }

    /// Applies `answer` to the pair's row, locked, in a transaction; then
    /// returns the other user with the relationship it produced.
    async fn change(&self, me: Uuid, other: Uuid, answer: Answer) -> ApiResult<FriendChange> {
        let pair = pair(me, other)?;
        let mut conn = self.pool.get().await?;
        let relationship = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let row = friendships::lock(conn, pair).await?;
                answer.apply(conn, me, other, pair, row).await
            })
            .await?;
        let user = users::by_id(&mut conn, other)
            .await?
            .ok_or_else(user_not_found)?;
        Ok(FriendChange { user, relationship })
    }

    /// A page of one of the caller's lists. `after` is a cursor from an
    /// earlier page of the same list.
    pub async fn list(
        &self,
        me: Uuid,
        list: List,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<Page> {
        let limit = validate::check_first(first)?;
        let after: Option<Position> = after
            .map(|c| {
                cursor::decode(list, c)
                    .ok_or_else(|| ApiError::invalid_field("after", "not a cursor of this list"))
            })
            .transpose()?;
        let mut conn = self.pool.get().await?;
        let mut items = friendships::list(&mut conn, list, me, after, limit + 1).await?;
        let has_next_page = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(Page {
            items,
            has_next_page,
        })
    }
}

/// What a user can do about an existing row of the pair.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Cancel,
    Accept,
    Decline,
    Remove,
}

impl Answer {
    /// The transition from `row` (locked), or why there is none. Acting on
    /// a request that is not one's own to act on is FORBIDDEN; on a request
    /// or friendship that does not exist, NOT_FOUND.
    async fn apply(
        self,
        conn: &mut Conn,
        me: Uuid,
        other: Uuid,
        pair: Pair,
        row: Option<Friendship>,
    ) -> ApiResult<Relationship> {
        let state = Relationship::of(me, row.as_ref());
        match (self, state) {
            (Answer::Cancel, Relationship::RequestSent) => {
                friendships::delete(conn, pair).await?;
                notify(conn, other, FriendEventKind::RequestCancelled, me).await?;
                notify(conn, me, FriendEventKind::RequestCancelled, other).await?;
                Ok(Relationship::None)
            }
            (Answer::Cancel, Relationship::RequestReceived) => Err(ApiError::forbidden(
                "this request was sent to you: decline it instead",
            )),
            (Answer::Cancel, _) => Err(no_request_from("from you to this user")),
            (Answer::Accept, Relationship::RequestReceived) => {
                friendships::accept(conn, pair).await?;
                notify(conn, other, FriendEventKind::RequestAccepted, me).await?;
                notify(conn, me, FriendEventKind::RequestAccepted, other).await?;
                Ok(Relationship::Friends)
            }
            // A repeated (or concurrent) accept finds the work done.
            (Answer::Accept, Relationship::Friends) => Ok(Relationship::Friends),
            (Answer::Accept, Relationship::RequestSent) => Err(ApiError::forbidden(
                "you sent this request: only the other user can accept it",
            )),
            // The other user is not told; the caller's other devices are.
            (Answer::Decline, Relationship::RequestReceived) => {
                friendships::delete(conn, pair).await?;
                notify(conn, me, FriendEventKind::RequestDeclined, other).await?;
                Ok(Relationship::None)
            }
            (Answer::Remove, Relationship::Friends) => {
                friendships::delete(conn, pair).await?;
                notify(conn, me, FriendEventKind::FriendRemoved, other).await?;
                Ok(Relationship::None)
            }
            (Answer::Decline, Relationship::RequestSent) => Err(ApiError::forbidden(
                "you sent this request: cancel it instead",
            )),
            (Answer::Accept | Answer::Decline, _) => Err(no_request_from("from this user")),
            (Answer::Remove, _) => Err(ApiError::not_found("you are not friends with this user")),
        }
    }
}

fn too_many_pending(max: i64) -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        format!(
            "you have {max} friend requests waiting for an answer; \
             cancel some or wait until they are answered"
        ),
    )
    .with_extension("retryAfter", serde_json::Value::from(3600))
    .with_extension("limit", serde_json::Value::from(max))
}
