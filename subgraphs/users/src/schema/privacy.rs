//! Blocks and privacy settings: `blockUser`, `unblockUser`,
//! `blockedUsers`, `updatePrivacy` and the types of `me { privacy }`.

use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::types::{Relationship, User};
use super::{caller, service};
use crate::cursor;
use crate::db::privacy::{self as stored, Settings};
use crate::service::Page;
use crate::service::privacy::PrivacyUpdate;

/// Who may do something to the user.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyAudience {
    /// Any signed-in user (whom the user does not block).
    Everyone,
    /// The user's friends only.
    Friends,
}

/// Who may see when the user was last seen.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastSeenAudience {
    Everyone,
    Friends,
    Nobody,
}

impl PrivacyAudience {
    fn as_str(self) -> &'static str {
        match self {
            PrivacyAudience::Everyone => stored::EVERYONE,
            PrivacyAudience::Friends => stored::FRIENDS,
        }
    }

    fn parse(value: &str) -> Self {
        if value == stored::FRIENDS {
            PrivacyAudience::Friends
        } else {
            PrivacyAudience::Everyone
        }
    }
}

impl LastSeenAudience {
    fn as_str(self) -> &'static str {
        match self {
            LastSeenAudience::Everyone => stored::EVERYONE,
            LastSeenAudience::Friends => stored::FRIENDS,
            LastSeenAudience::Nobody => stored::NOBODY,
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            stored::FRIENDS => LastSeenAudience::Friends,
            stored::NOBODY => LastSeenAudience::Nobody,
            _ => LastSeenAudience::Everyone,
        }
    }
}

/// The caller's privacy settings. Refusals they cause look alike, and like
/// those of a block: FORBIDDEN with `extensions.reason`
/// `RECIPIENT_UNAVAILABLE`.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct PrivacySettings {
    /// Who may send the user direct messages (default EVERYONE). Messages
    /// already exchanged stay; groups are not affected.
    pub who_may_message: PrivacyAudience,
    /// Who may add the user to groups (default FRIENDS).
    pub who_may_add_to_groups: PrivacyAudience,
    /// Whether read receipts go both ways (default true). Off: other
    /// members never see how far the user has read (`readUpTo` null,
    /// no MEMBER_READ), and the user does not see theirs.
    pub read_receipts: bool,
    /// Who may see when the user was last seen (default EVERYONE). Stored
    /// only for now: there is no presence yet.
    pub show_last_seen: LastSeenAudience,
}

impl From<Settings> for PrivacySettings {
    fn from(settings: Settings) -> Self {
        Self {
            who_may_message: PrivacyAudience::parse(&settings.who_may_message),
            who_may_add_to_groups: PrivacyAudience::parse(&settings.who_may_add),
            read_receipts: settings.read_receipts,
            show_last_seen: LastSeenAudience::parse(&settings.show_last_seen),
        }
    }
}

/// Changes to the caller's privacy settings; omitted fields stay as they are.
#[derive(InputObject, Debug, Default)]
pub struct UpdatePrivacyInput {
    pub who_may_message: Option<PrivacyAudience>,
    pub who_may_add_to_groups: Option<PrivacyAudience>,
    pub read_receipts: Option<bool>,
    pub show_last_seen: Option<LastSeenAudience>,
}

impl From<&UpdatePrivacyInput> for PrivacyUpdate {
    fn from(input: &UpdatePrivacyInput) -> Self {
        PrivacyUpdate {
            who_may_message: input.who_may_message.map(PrivacyAudience::as_str),
            who_may_add: input.who_may_add_to_groups.map(PrivacyAudience::as_str),
            read_receipts: input.read_receipts,
            show_last_seen: input.show_last_seen.map(LastSeenAudience::as_str),
        }
    }
}

/// What `updatePrivacy` answers.
#[derive(SimpleObject)]
pub struct UpdatePrivacyPayload {
    /// The caller's settings, as changed.
    pub privacy: PrivacySettings,
}

/// What `blockUser` answers.
#[derive(SimpleObject)]
pub struct BlockUserPayload {
    /// The blocked user (`relationship` BLOCKED).
    pub user: User,
}

/// What `unblockUser` answers.
#[derive(SimpleObject)]
pub struct UnblockUserPayload {
    /// The user, no longer blocked (`relationship` NONE: a friendship the
    /// block ended does not come back).
    pub user: User,
}

/// The users the caller blocks, newest block first.
#[derive(SimpleObject)]
pub struct BlockedUserConnection {
    pub edges: Vec<BlockedUserEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct BlockedUserEdge {
    /// Pass as `after` to get the users after this one.
    pub cursor: String,
    pub node: User,
    /// When the caller blocked the user.
    pub blocked_at: DateTime<Utc>,
}

impl BlockedUserConnection {
    fn from_page(page: Page) -> Self {
        let edges: Vec<BlockedUserEdge> = page
            .items
            .into_iter()
            .map(|item| BlockedUserEdge {
                cursor: cursor::encode_blocked(item.position()),
                blocked_at: item.at,
                node: User::with_relationship(item.user, Relationship::Blocked),
            })
            .collect();
        let start_cursor = edges.first().map(|e| e.cursor.clone());
        let end_cursor = edges.last().map(|e| e.cursor.clone());
        BlockedUserConnection {
            page_info: PageInfo {
                has_previous_page: false,
                has_next_page: page.has_next_page,
                start_cursor,
                end_cursor,
            },
            edges,
        }
    }
}

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// The users the caller blocks, newest block first. `first`: 1 to 100
    /// (default 20); `after`: an `endCursor` of this list.
    async fn blocked_users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<BlockedUserConnection> {
        let me = caller(ctx)?;
        let page = service(ctx)?
            .blocked_users(me, first, after.as_deref())
            .await?;
        Ok(BlockedUserConnection::from_page(page))
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Blocks a user: ends your friendship or pending requests with them
    /// (your other sessions hear of it in `friendEvents`; they are told
    /// nothing), and from when this answers they cannot send you direct
    /// messages, friend requests or add you to groups: they get FORBIDDEN
    /// with reason RECIPIENT_UNAVAILABLE, as a privacy setting would
    /// answer. In groups you both stay; `Message.senderBlockedByMe` lets
    /// apps hide their messages. Blocking again changes nothing. Errors:
    /// BAD_USER_INPUT (yourself), NOT_FOUND (no such user), UNAVAILABLE
    /// (the block is saved but not yet in effect everywhere: repeat the
    /// call).
    async fn block_user(&self, ctx: &Context<'_>, user_id: ID) -> Result<BlockUserPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        let row = service(ctx)?.block_user(me, other).await?;
        Ok(BlockUserPayload {
            user: User::with_relationship(row, Relationship::Blocked),
        })
    }

    /// Stops blocking a user; unblocking one who is not blocked changes
    /// nothing. Errors as `blockUser`.
    async fn unblock_user(&self, ctx: &Context<'_>, user_id: ID) -> Result<UnblockUserPayload> {
        let me = caller(ctx)?;
        let other = super::user_id("userId", &user_id)?;
        let row = service(ctx)?.unblock_user(me, other).await?;
        Ok(UnblockUserPayload {
            user: User::new(row),
        })
    }

    /// Changes the caller's privacy settings (`me { privacy }`); they hold
    /// from when this answers. Errors: UNAVAILABLE (saved but not yet in
    /// effect everywhere: repeat the call).
    async fn update_privacy(
        &self,
        ctx: &Context<'_>,
        input: UpdatePrivacyInput,
    ) -> Result<UpdatePrivacyPayload> {
        let me = caller(ctx)?;
        let settings = service(ctx)?
            .update_privacy(me, &PrivacyUpdate::from(&input))
            .await?;
        Ok(UpdatePrivacyPayload {
            privacy: settings.into(),
        })
    }
}
