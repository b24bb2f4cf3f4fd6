//! GraphQL object, input and enum types of the users subgraph.

use api_errors::ApiError;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{caller, service};
use crate::db::friendships::List;
use crate::db::users::{FieldChange, User as UserRow};
use crate::service::{Page, ProfileUpdate, notifications};
use crate::{cursor, service as domain};

/// How a user stands to the caller.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The user is the caller.
    #[graphql(name = "SELF")]
    Myself,
    /// No friendship and no pending request.
    None,
    Friends,
    /// The caller sent the user a friend request that is still pending.
    RequestSent,
    /// The user sent the caller a friend request that is still pending.
    RequestReceived,
    /// The caller blocks the user (`blockUser`). Only the blocker sees
    /// this; the blocked user sees NONE.
    Blocked,
}

impl From<domain::Relationship> for Relationship {
    fn from(r: domain::Relationship) -> Self {
        match r {
            domain::Relationship::Myself => Relationship::Myself,
            domain::Relationship::None => Relationship::None,
            domain::Relationship::Friends => Relationship::Friends,
            domain::Relationship::RequestSent => Relationship::RequestSent,
            domain::Relationship::RequestReceived => Relationship::RequestReceived,
            domain::Relationship::Blocked => Relationship::Blocked,
        }
    }
}

/// A user of the messenger: the public profile.
pub struct User {
    row: UserRow,
    /// Known already when the user comes out of a friendship change or list.
    relationship: Option<Relationship>,
}

impl User {
    pub fn new(row: UserRow) -> Self {
        Self {
            row,
            relationship: None,
        }
    }

    pub fn with_relationship(row: UserRow, relationship: impl Into<Relationship>) -> Self {
        Self {
            row,
            relationship: Some(relationship.into()),
        }
    }
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }

    /// Unique ignoring case; shown as the user typed it.
    async fn nickname(&self) -> &str {
        &self.row.nickname
    }

    /// A few words about the user (at most 500 characters).
    async fn about(&self) -> Option<&str> {
        self.row.about.as_deref()
    }

    /// The URL of the user's picture: the uploaded one (512 px) or the
    /// https URL set with `updateProfile`; null if there is none.
    #[allow(clippy::unused_async)] // async-graphql needs resolvers to be async
    async fn avatar_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.picture(ctx, None)
    }

    /// The URL of the user's picture for showing it `size` pixels a side:
    /// the smallest stored size that is at least as large (else the largest),
    /// or the linked URL as it is. Without `size`, the largest. Null if there
    /// is no picture. Errors: BAD_USER_INPUT (`size` below 1).
    #[allow(clippy::unused_async)] // async-graphql needs resolvers to be async
    async fn avatar(&self, ctx: &Context<'_>, size: Option<i32>) -> Result<Option<String>> {
        let size = match size.map(u32::try_from) {
            None => None,
            Some(Ok(size)) if size >= 1 => Some(size),
            Some(_) => {
                return Err(ApiError::invalid_field("size", "size must be at least 1").into());
            }
        };
        self.picture(ctx, size)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    /// How this user stands to the caller.
    async fn relationship(&self, ctx: &Context<'_>) -> Result<Relationship> {
        if let Some(known) = self.relationship {
            return Ok(known);
        }
        let me = caller(ctx)?;
        Ok(service(ctx)?.relationship(me, self.row.id).await?.into())
    }

    /// The user's privacy settings: only the user sees them
    /// (`me { privacy }`); null for anyone else.
    async fn privacy(&self, ctx: &Context<'_>) -> Result<Option<super::privacy::PrivacySettings>> {
        let me = caller(ctx)?;
        if me != self.row.id {
            return Ok(None);
        }
        Ok(Some(service(ctx)?.privacy(me).await?.into()))
    }
}

impl User {
    fn picture(&self, ctx: &Context<'_>, size: Option<u32>) -> Result<Option<String>> {
        if let Some(key) = &self.row.avatar_key {
            let url = service(ctx)?.avatars.picture_url(self.row.id, key, size);
            return Ok(Some(url));
        }
        Ok(self.row.avatar_url.clone())
    }
}

/// Where to upload a picture: `PUT` its bytes to `uploadUrl` before
/// `expiresAt`, with `Content-Type` as requested and the caller's
/// `Authorization: Bearer` header. The answer is JSON: `avatarUrl` and
/// `sizes` (a URL per size); errors have the GraphQL error shape, with an
/// HTTP status (400, 401, 403, 410 expired, 413 too large, 415 wrong type).
#[derive(SimpleObject)]
pub struct AvatarUpload {
    pub upload_url: String,
    pub expires_at: DateTime<Utc>,
}

impl From<domain::AvatarUpload> for AvatarUpload {
    fn from(upload: domain::AvatarUpload) -> Self {
        AvatarUpload {
            upload_url: upload.upload_url,
            expires_at: upload.expires_at,
        }
    }
}

/// Changes to the caller's profile. Omitted fields stay as they are; null
/// clears `about` and `avatarUrl`.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// 3 to 32 of `a-z A-Z 0-9 _ .`, starting with a letter; unique ignoring case.
    pub nickname: MaybeUndefined<String>,
    /// At most 500 characters; blank clears it.
    pub about: MaybeUndefined<String>,
    /// An absolute https URL of at most 2048 characters. Setting or clearing
    /// it replaces an uploaded picture (a user has one picture).
    pub avatar_url: MaybeUndefined<String>,
}

fn optional(value: MaybeUndefined<String>) -> FieldChange<String> {
    match value {
        MaybeUndefined::Undefined => FieldChange::Keep,
        MaybeUndefined::Null => FieldChange::Clear,
        MaybeUndefined::Value(v) => FieldChange::Set(v),
    }
}

impl From<UpdateProfileInput> for ProfileUpdate {
    fn from(input: UpdateProfileInput) -> Self {
        ProfileUpdate {
            nickname: optional(input.nickname),
            about: optional(input.about),
            avatar_url: optional(input.avatar_url),
        }
    }
}

/// The caller's friends, newest friendship first.
#[derive(SimpleObject)]
pub struct FriendConnection {
    pub edges: Vec<FriendEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct FriendEdge {
    /// Pass as `after` to get the friends after this one.
    pub cursor: String,
    pub node: User,
    /// When the friendship began.
    pub friends_since: DateTime<Utc>,
}

/// Pending friend requests, newest first.
#[derive(SimpleObject)]
pub struct FriendRequestConnection {
    pub edges: Vec<FriendRequestEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct FriendRequestEdge {
    /// Pass as `after` to get the requests after this one.
    pub cursor: String,
    /// The other user: who sent the request, or whom it was sent to.
    pub node: User,
    pub requested_at: DateTime<Utc>,
}

/// Forward paging only (`first`/`after`), so never a previous page.
pub(super) fn page_info<'a>(
    has_next_page: bool,
    mut cursors: impl Iterator<Item = &'a String>,
) -> PageInfo {
    let start_cursor = cursors.next().cloned();
    let end_cursor = cursors.last().cloned().or_else(|| start_cursor.clone());
    PageInfo {
        has_previous_page: false,
        has_next_page,
        start_cursor,
        end_cursor,
    }
}

impl FriendConnection {
    pub fn from_page(page: Page) -> Self {
        let edges: Vec<FriendEdge> = page
            .items
            .into_iter()
            .map(|item| FriendEdge {
                cursor: cursor::encode(List::Friends, item.position()),
                friends_since: item.at,
                node: User::with_relationship(item.user, Relationship::Friends),
            })
            .collect();
        let page_info = page_info(page.has_next_page, edges.iter().map(|e| &e.cursor));
        FriendConnection { edges, page_info }
    }
}

impl FriendRequestConnection {
    pub fn from_page(list: List, page: Page) -> Self {
        let relationship = if list == List::Incoming {
            Relationship::RequestReceived
        } else {
            Relationship::RequestSent
        };
        let edges: Vec<FriendRequestEdge> = page
            .items
            .into_iter()
            .map(|item| FriendRequestEdge {
                cursor: cursor::encode(list, item.position()),
                requested_at: item.at,
                node: User::with_relationship(item.user, relationship),
            })
            .collect();
        let page_info = page_info(page.has_next_page, edges.iter().map(|e| &e.cursor));
        FriendRequestConnection { edges, page_info }
    }
}

/// What happened. `user` is always the other user; the kinds marked
/// "on another device" are the caller's own changes, sent to all of the
/// caller's sessions (the one that made the change included).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriendEventKind {
    /// The user sent you a friend request.
    RequestReceived,
    /// You and the user became friends: the user accepted your request (or
    /// sent you one back), or you accepted theirs (on another device).
    RequestAccepted,
    /// A pending request was withdrawn: the user withdrew the one they had
    /// sent you, or you withdrew yours (on another device).
    RequestCancelled,
    /// You sent the user a friend request (on another device).
    RequestSent,
    /// You declined the user's request (on another device); the user is
    /// not told.
    RequestDeclined,
    /// You ended your friendship with the user (on another device); the
    /// user is not told.
    FriendRemoved,
}

impl From<notifications::FriendEventKind> for FriendEventKind {
    fn from(kind: notifications::FriendEventKind) -> Self {
        match kind {
            notifications::FriendEventKind::RequestReceived => FriendEventKind::RequestReceived,
            notifications::FriendEventKind::RequestAccepted => FriendEventKind::RequestAccepted,
            notifications::FriendEventKind::RequestCancelled => FriendEventKind::RequestCancelled,
            notifications::FriendEventKind::RequestSent => FriendEventKind::RequestSent,
            notifications::FriendEventKind::RequestDeclined => FriendEventKind::RequestDeclined,
            notifications::FriendEventKind::FriendRemoved => FriendEventKind::FriendRemoved,
        }
    }
}

/// A change of the caller's friendships: something another user did, or
/// the caller on another device.
pub struct FriendEvent(pub notifications::FriendEvent);

#[Object]
impl FriendEvent {
    /// Pass as `after` when subscribing again to resume right after this event.
    async fn cursor(&self) -> &str {
        &self.0.cursor
    }

    async fn kind(&self) -> FriendEventKind {
        self.0.kind.into()
    }

    /// The other user; null if the user is gone (or, through the router,
    /// if the users service could not answer: the errors then name it).
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(service(ctx)?.user(self.0.user_id).await?.map(User::new))
    }

    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// What `updateProfile` answers.
#[derive(SimpleObject)]
pub struct UpdateProfilePayload {
    /// The caller, as changed.
    pub user: User,
}

/// What `requestAvatarUpload` takes.
#[derive(InputObject)]
pub struct RequestAvatarUploadInput {
    /// The picture's type: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub content_type: String,
    /// The file's exact length in bytes.
    pub size: i32,
}

/// What `requestAvatarUpload` answers.
#[derive(SimpleObject)]
pub struct RequestAvatarUploadPayload {
    /// Where and until when to upload the picture.
    pub upload: AvatarUpload,
}

/// What `removeAvatar` answers.
#[derive(SimpleObject)]
pub struct RemoveAvatarPayload {
    /// The caller, without a picture.
    pub user: User,
}

/// What the friend mutations answer (`sendFriendRequest`,
/// `cancelFriendRequest`, `acceptFriendRequest`, `declineFriendRequest`,
/// `removeFriend`).
#[derive(SimpleObject)]
pub struct FriendshipPayload {
    /// The other user; null if that user is gone.
    pub user: Option<User>,
    /// How the other user now stands to the caller.
    pub relationship: Relationship,
}
