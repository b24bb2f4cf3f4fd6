use async_graphql::{Context, ID, Object, Result};

use super::types::{AvatarUpload, Relationship, UpdateProfileInput, User};
use super::{caller, service};
use crate::service::FriendChange;

pub struct Mutation;

impl From<FriendChange> for User {
    fn from(change: FriendChange) -> Self {
        User::with_relationship(change.user, change.relationship)
    }
}

#[Object]
impl Mutation {
    /// Changes the caller's profile. Errors: BAD_USER_INPUT (a field breaks
    /// its rules; nothing is changed), CONFLICT (nickname taken).
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> Result<User> {
        let me = caller(ctx)?;
        let row = service(ctx)?.update_profile(me, input.into()).await?;
        Ok(User::with_relationship(row, Relationship::Myself))
    }

    /// Starts changing the caller's picture: returns a URL, valid for five
    /// minutes, to which to `PUT` the file (see `AvatarUpload`). JPEG, PNG,
    /// WebP or GIF (its first frame), up to 5 MiB and 8192 pixels a side; the
    /// picture is cropped to a centred square and stored in 512 and 128 px.
    /// `size` is the file's exact length in bytes. Errors: BAD_USER_INPUT
    /// (another type, too large).
    async fn request_avatar_upload(
        &self,
        ctx: &Context<'_>,
        content_type: String,
        size: i32,
    ) -> Result<AvatarUpload> {
        let me = caller(ctx)?;
        let upload = service(ctx)?
            .request_avatar_upload(me, &content_type, size)
            .await?;
        Ok(upload.into())
    }

    /// Removes the caller's picture, uploaded or linked; removing none
    /// changes nothing.
    async fn remove_avatar(&self, ctx: &Context<'_>) -> Result<User> {
        let me = caller(ctx)?;
        let row = service(ctx)?.remove_avatar(me).await?;
        Ok(User::with_relationship(row, Relationship::Myself))
    }

    /// Asks a user to be friends; if they had already asked the caller, you
    /// become friends. Repeating it changes nothing. Errors: BAD_USER_INPUT
    /// (yourself), NOT_FOUND (no such user), RATE_LIMITED (too many pending
    /// requests, or too many sent lately: `extensions.retryAfter` says in
    /// how many seconds), FORBIDDEN (the caller's email address awaits
    /// confirmation).
    async fn send_friend_request(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let me = super::verified_caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.send_friend_request(me, other).await?.into())
    }

    /// Withdraws the caller's pending request to a user. Errors: NOT_FOUND
    /// (no such request), FORBIDDEN (the request was sent to the caller).
    async fn cancel_friend_request(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.cancel_friend_request(me, other).await?.into())
    }

    /// Accepts a user's pending request; accepting again changes nothing.
    /// Errors: NOT_FOUND (no such request), FORBIDDEN (the caller sent it).
    async fn accept_friend_request(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.accept_friend_request(me, other).await?.into())
    }

    /// Turns down a user's pending request; they are not told. Errors:
    /// NOT_FOUND (no such request), FORBIDDEN (the caller sent it).
    async fn decline_friend_request(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?
            .decline_friend_request(me, other)
            .await?
            .into())
    }

    /// Ends a friendship; the other user is not told. Errors: NOT_FOUND
    /// (not friends).
    async fn remove_friend(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.remove_friend(me, other).await?.into())
    }
}
