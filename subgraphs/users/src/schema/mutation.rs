use async_graphql::{Context, ID, Object, Result};

use super::reports::{ReportUserInput, ReportUserPayload};
use super::types::{
    FriendshipPayload, Relationship, RemoveAvatarPayload, RequestAvatarUploadInput,
    RequestAvatarUploadPayload, UpdateProfileInput, UpdateProfilePayload, User,
};
use super::{caller, service};
use crate::service::FriendChange;

/// Every mutation answers a payload object, so fields can be added later
/// without breaking clients.
pub struct Mutation;

impl From<FriendChange> for FriendshipPayload {
    fn from(change: FriendChange) -> Self {
        let relationship: Relationship = change.relationship.into();
        FriendshipPayload {
            user: Some(User::with_relationship(change.user, relationship)),
            relationship,
        }
    }
}

#[Object(name = "ProfileMutation")]
impl Mutation {
    /// Changes the caller's profile. Errors: BAD_USER_INPUT (a field breaks
    /// its rules; nothing is changed), CONFLICT (nickname taken).
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateProfileInput,
    ) -> Result<UpdateProfilePayload> {
        let me = caller(ctx)?;
        let row = service(ctx)?.update_profile(me, input.into()).await?;
        Ok(UpdateProfilePayload {
            user: User::with_relationship(row, Relationship::Myself),
        })
    }

    /// Starts changing the caller's picture: returns a URL, valid for five
    /// minutes, to which to `PUT` the file (see `AvatarUpload`). JPEG, PNG,
    /// WebP or GIF (its first frame), up to 5 MiB and 8192 pixels a side; the
    /// picture is cropped to a centred square and stored in 512 and 128 px.
    /// Errors: BAD_USER_INPUT (another type, too large).
    async fn request_avatar_upload(
        &self,
        ctx: &Context<'_>,
        input: RequestAvatarUploadInput,
    ) -> Result<RequestAvatarUploadPayload> {
        let me = caller(ctx)?;
        let upload = service(ctx)?
            .request_avatar_upload(me, &input.content_type, input.size)
            .await?;
        Ok(RequestAvatarUploadPayload {
            upload: upload.into(),
        })
    }

    /// Removes the caller's picture, uploaded or linked; removing none
    /// changes nothing.
    async fn remove_avatar(&self, ctx: &Context<'_>) -> Result<RemoveAvatarPayload> {
        let me = caller(ctx)?;
        let row = service(ctx)?.remove_avatar(me).await?;
        Ok(RemoveAvatarPayload {
            user: User::with_relationship(row, Relationship::Myself),
        })
    }

    /// Reports a user to the operators (see `ReportReason`); the report
    /// keeps the user's profile as it is now. Reporting a user again while
    /// the caller's earlier report of them is open answers that report
    /// (unchanged, and not counted). Errors: BAD_USER_INPUT
    /// (`extensions.field`: `userId` invalid or the caller, `details` over
    /// 1,000 characters or with control characters), NOT_FOUND (no such
    /// user), RATE_LIMITED (too many reports lately;
    /// `extensions.retryAfter` in seconds).
    async fn report_user(
        &self,
        ctx: &Context<'_>,
        input: ReportUserInput,
    ) -> Result<ReportUserPayload> {
        let me = caller(ctx)?;
        let target = super::user_id("userId", &input.user_id)?;
        let id = service(ctx)?
            .report_user(me, target, input.reason, input.details.as_deref())
            .await?;
        Ok(ReportUserPayload {
            report_id: ID(id.to_string()),
        })
    }

    /// Asks a user to be friends; if they had already asked the caller, you
    /// become friends. Repeating it changes nothing. Errors: BAD_USER_INPUT
    /// (yourself), NOT_FOUND (no such user), RATE_LIMITED (too many pending
    /// requests, or too many sent lately: `extensions.retryAfter` says in
    /// how many seconds), FORBIDDEN (the caller's email address awaits
    /// confirmation). The caller's other sessions get REQUEST_SENT (or
    /// REQUEST_ACCEPTED) in `friendEvents`.
    async fn send_friend_request(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> Result<FriendshipPayload> {
        let me = super::verified_caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.send_friend_request(me, other).await?.into())
    }

    /// Withdraws the caller's pending request to a user. Errors: NOT_FOUND
    /// (no such request), FORBIDDEN (the request was sent to the caller).
    async fn cancel_friend_request(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> Result<FriendshipPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.cancel_friend_request(me, other).await?.into())
    }

    /// Accepts a user's pending request; accepting again changes nothing.
    /// Errors: NOT_FOUND (no such request), FORBIDDEN (the caller sent it).
    async fn accept_friend_request(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> Result<FriendshipPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.accept_friend_request(me, other).await?.into())
    }

    /// Turns down a user's pending request; they are not told (the
    /// caller's sessions get REQUEST_DECLINED in `friendEvents`). Errors:
    /// NOT_FOUND (no such request), FORBIDDEN (the caller sent it).
    async fn decline_friend_request(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> Result<FriendshipPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?
            .decline_friend_request(me, other)
            .await?
            .into())
    }

    /// Ends a friendship; the other user is not told (the caller's
    /// sessions get FRIEND_REMOVED in `friendEvents`). Errors: NOT_FOUND
    /// (not friends).
    async fn remove_friend(&self, ctx: &Context<'_>, user_id: ID) -> Result<FriendshipPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        Ok(service(ctx)?.remove_friend(me, other).await?.into())
    }
}
