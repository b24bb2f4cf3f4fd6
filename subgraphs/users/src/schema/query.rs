use async_graphql::{Context, ID, Object, Result};

use super::search::UserConnection;
use super::types::{FriendConnection, FriendRequestConnection, Relationship, User};
use super::{caller, service, user_id};
use crate::db::friendships::List;

pub struct Query;

#[Object(name = "ProfileQuery")]
impl Query {
    /// The caller's own user.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let me = caller(ctx)?;
        let row = service(ctx)?.me(me).await?;
        Ok(User::with_relationship(row, Relationship::Myself))
    }

    /// A user by id; null if there is none.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        caller(ctx)?;
        let id = user_id("id", &id)?;
        Ok(service(ctx)?.user(id).await?.map(User::new))
    }

    /// A user by nickname, ignoring case; null if there is none.
    async fn user_by_nickname(&self, ctx: &Context<'_>, nickname: String) -> Result<Option<User>> {
        caller(ctx)?;
        Ok(service(ctx)?
            .user_by_nickname(&nickname)
            .await?
            .map(User::new))
    }

    /// Users whose nickname starts with `query`, ignoring case: the one
    /// whose nickname is `query` first, then the caller's friends, then
    /// everyone else, each group alphabetically (by the lower-cased
    /// nickname, in byte order: `.` < digits < `_` < letters). Never the
    /// caller, nor a user who blocked the caller; only nicknames are
    /// searched (never emails). `first`: 1 to 100 (default 20); `after`: a
    /// cursor of an earlier page of the same query. Errors: BAD_USER_INPUT
    /// (`extensions.field`: `query` not 2 to 32 characters or with control
    /// characters, `first` out of range, `after` not a cursor of this
    /// search), RATE_LIMITED (too many searches lately,
    /// `extensions.retryAfter` in seconds; every page counts).
    async fn search_users(
        &self,
        ctx: &Context<'_>,
        query: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<UserConnection> {
        let me = caller(ctx)?;
        let page = service(ctx)?
            .search_users(me, &query, first, after.as_deref())
            .await?;
        Ok(UserConnection::from_page(page))
    }

    /// The caller's friends, newest friendship first. `first`: 1 to 100 (default 20).
    async fn friends(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<FriendConnection> {
        let me = caller(ctx)?;
        let page = service(ctx)?
            .list(me, List::Friends, first, after.as_deref())
            .await?;
        Ok(FriendConnection::from_page(page))
    }

    /// Pending friend requests sent to the caller, newest first.
    async fn incoming_friend_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<FriendRequestConnection> {
        let me = caller(ctx)?;
        let page = service(ctx)?
            .list(me, List::Incoming, first, after.as_deref())
            .await?;
        Ok(FriendRequestConnection::from_page(List::Incoming, page))
    }

    /// Pending friend requests the caller sent, newest first.
    async fn outgoing_friend_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<FriendRequestConnection> {
        let me = caller(ctx)?;
        let page = service(ctx)?
            .list(me, List::Outgoing, first, after.as_deref())
            .await?;
        Ok(FriendRequestConnection::from_page(List::Outgoing, page))
    }

    /// Where the caller's `friendEvents` stand now: read it before loading
    /// the lists, then subscribe with it as `after`; nothing that happens
    /// in between is missed.
    async fn friend_events_cursor(&self, ctx: &Context<'_>) -> Result<String> {
        let me = caller(ctx)?;
        Ok(service(ctx)?.friend_events_cursor(me).await?)
    }

    /// Resolves `User` references for the router; null for unknown users.
    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        caller(ctx)?;
        let id = user_id("id", &id)?;
        Ok(service(ctx)?.user(id).await?.map(User::new))
    }
}
