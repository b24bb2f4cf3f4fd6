//! `searchUsers`: users whose nickname starts with a query, ignoring case.
//! The exact match first, then the caller's friends, then everyone else,
//! each group in nickname order (byte order of the lower-cased nickname:
//! `.` < digits < `_` < letters). Never the caller; never a user who
//! blocked the caller (see [`crate::db::search`]). Only nicknames are
//! searched: users keeps no email, so an email (or its local part) finds a
//! user only if it is that user's nickname.

use api_errors::{ApiError, ApiResult};
use uuid::Uuid;

use super::{Relationship, UsersService};
use crate::db::friendships::{ACCEPTED, PENDING};
use crate::db::search::{self, Found, Group, Position};
use crate::db::users::User;
use crate::{cursor, validate};

/// A user found, how the user stands to the caller, and its position.
#[derive(Debug, Clone)]
pub struct Hit {
    pub user: User,
    pub relationship: Relationship,
    pub position: Position,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub items: Vec<Hit>,
    pub has_next_page: bool,
}

fn relationship(me: Uuid, found: &Found) -> Relationship {
    if found.blocked_by_me {
        return Relationship::Blocked;
    }
    match found.friendship_state.as_deref() {
        Some(ACCEPTED) => Relationship::Friends,
        Some(PENDING) if found.requested_by == Some(me) => Relationship::RequestSent,
        Some(PENDING) => Relationship::RequestReceived,
        _ => Relationship::None,
    }
}

fn not_this_search() -> ApiError {
    ApiError::invalid_field("after", "not a cursor of this search")
}

impl UsersService {
    /// A page of the users whose nickname starts with `query`, after the
    /// position `after` (a cursor of an earlier page of the same query).
    /// Counted against the caller's `SEARCH_RATE` once the input is valid.
    pub async fn search_users(
        &self,
        me: Uuid,
        query: &str,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<SearchPage> {
        let query = validate::check_search_query(query)?;
        let limit = validate::check_first(first)?;
        let after = after
            .map(|raw| {
                let position = cursor::decode_search(raw).ok_or_else(not_this_search)?;
                // A position of another query would skip or repeat users.
                let of_this_query = match position.group {
                    Group::Exact => position.key == query,
                    Group::Friends | Group::Others => {
                        position.key.starts_with(&query) && position.key != query
                    }
                };
                if of_this_query {
                    Ok(position)
                } else {
                    Err(not_this_search())
                }
            })
            .transpose()?;
        self.limiter
            .check(&format!("search:{me}"), self.search_rate)
            .await?;

        let mut conn = self.pool.get().await?;
        // One more than asked: whether a next page exists.
        let wanted = limit + 1;
        let start = after.as_ref().map_or(Group::Exact, |p| p.group);
        let mut items = Vec::new();
        for group in Group::ALL.into_iter().filter(|g| *g >= start) {
            let missing = wanted - items.len() as i64;
            if missing <= 0 {
                break;
            }
            let after_key = after
                .as_ref()
                .filter(|p| p.group == group)
                .map(|p| p.key.as_str());
            let found = search::group(&mut conn, group, me, &query, after_key, missing).await?;
            items.extend(found.into_iter().map(|found| Hit {
                relationship: relationship(me, &found),
                position: Position {
                    group,
                    key: found.key,
                },
                user: found.user,
            }));
        }
        let has_next_page = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(SearchPage {
            items,
            has_next_page,
        })
    }
}
