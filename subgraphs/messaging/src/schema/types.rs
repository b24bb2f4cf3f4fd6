//! GraphQL object and input types of the messaging subgraph.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::cursor::{self, Kind};
use crate::db::conversations::{self, MemberRow, Role};
use crate::db::messages::{self as db_messages, Message as MessageRow};
use crate::db::reactions::Summary;
use crate::events;
use crate::service::{self, ConversationView, MessagePage, MessagingService, Page};
use crate::validate;

fn id(uuid: Uuid) -> ID {
    ID(uuid.to_string())
}

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A user of the messenger. The users subgraph resolves their profile
/// through the router; messaging adds the caller's unread totals.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
}

impl From<Uuid> for User {
    fn from(uuid: Uuid) -> Self {
        Self { id: id(uuid) }
    }
}

#[ComplexObject]
impl User {
    /// Unread messages over all of the user's conversations. Only the
    /// user sees it: null for anyone else.
    async fn unread_total(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(own_totals(ctx, &self.id)
            .await?
            .map(|totals| int(totals.messages)))
    }

    /// How many of the user's conversations have unread messages. Only
    /// the user sees it: null for anyone else.
    async fn unread_conversations(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(own_totals(ctx, &self.id)
            .await?
            .map(|totals| int(totals.conversations)))
    }
}

/// The caller's totals when `user` is the caller.
async fn own_totals(ctx: &Context<'_>, user: &ID) -> Result<Option<conversations::UnreadTotals>> {
    let Some(me) = ctx
        .data_opt::<auth_client::Caller>()
        .and_then(|caller| caller.identity().ok())
    else {
        return Ok(None);
    };
    if me.user_id.to_string() != user.as_str() {
        return Ok(None);
    }
    Ok(Some(
        ctx.data::<MessagingService>()?
            .unread_totals(me.user_id)
            .await?,
    ))
}

/// The caller's user id.
fn viewer(ctx: &Context<'_>) -> Result<Uuid> {
    Ok(auth_client::identity(ctx)?.user_id)
}

/// A direct conversation (two users) or a group.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationKind {
    /// Between two users; created by the first message.
    Direct,
    /// A titled group with an owner, admins and members.
    Group,
}

/// What a member may do in a group. OWNER: everything, one per group;
/// ADMIN: rename, add, remove MEMBERs; MEMBER: send, add friends, leave.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRole {
    Owner,
    Admin,
    Member,
}

impl From<Role> for MemberRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => MemberRole::Owner,
            Role::Admin => MemberRole::Admin,
            Role::Member => MemberRole::Member,
        }
    }
}

impl From<MemberRole> for Role {
    fn from(role: MemberRole) -> Self {
        match role {
            MemberRole::Owner => Role::Owner,
            MemberRole::Admin => Role::Admin,
            MemberRole::Member => Role::Member,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Written by a member.
    Text,
    /// A change of the group (members, roles, title), described in `system`.
    System,
}

/// The change a SYSTEM message describes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemAction {
    /// `actor` created the group with `users`, titled `title`.
    GroupCreated,
    /// `actor` added `users`.
    MembersAdded,
    /// `actor` removed `users` (one).
    MemberRemoved,
    /// `actor` left.
    MemberLeft,
    /// `actor` renamed the group to `title`.
    TitleChanged,
    /// `actor` gave `users` (one) the role `role`.
    RoleChanged,
    /// `users` (one) became the OWNER: handed over by `actor`, or on the
    /// owner's leaving.
    OwnerChanged,
}

impl From<events::SystemAction> for SystemAction {
    fn from(action: events::SystemAction) -> Self {
        use events::SystemAction as A;
        match action {
            A::GroupCreated => SystemAction::GroupCreated,
            A::MembersAdded => SystemAction::MembersAdded,
            A::MemberRemoved => SystemAction::MemberRemoved,
            A::MemberLeft => SystemAction::MemberLeft,
            A::TitleChanged => SystemAction::TitleChanged,
            A::RoleChanged => SystemAction::RoleChanged,
            A::OwnerChanged => SystemAction::OwnerChanged,
        }
    }
}

/// The structured description of a SYSTEM message, for apps that render
/// it themselves (`Message.text` has a plain-language fallback).
#[derive(SimpleObject, Clone, Debug)]
pub struct SystemMessage {
    pub action: SystemAction,
    /// Who made the change (null when users cannot be reached).
    pub actor: Option<User>,
    /// Whom it concerns.
    pub users: Vec<Option<User>>,
    /// The group's new title (GROUP_CREATED, TITLE_CHANGED).
    pub title: Option<String>,
    /// The new role (ROLE_CHANGED, OWNER_CHANGED).
    pub role: Option<MemberRole>,
}

impl From<events::SystemMessage> for SystemMessage {
    fn from(system: events::SystemMessage) -> Self {
        Self {
            action: system.action.into(),
            actor: Some(system.actor.into()),
            users: system.users.into_iter().map(|u| Some(u.into())).collect(),
            title: system.title,
            role: system.role.as_deref().map(|r| Role::parse(r).into()),
        }
    }
}

#[derive(InputObject)]
pub struct SendMessageInput {
    /// The conversation to write in (the caller must be a member). Give
    /// exactly one of `conversationId` and `to`.
    pub conversation_id: Option<ID>,
    /// A user id: the direct conversation with that user, created by the
    /// first message.
    pub to: Option<ID>,
    /// 1 to 4000 characters after trimming; no control characters other
    /// than newline and tab.
    pub text: String,
    /// Chosen by the client, unique per message it sends (1 to 128 visible
    /// ASCII characters, e.g. a UUID). Sending again with the same id
    /// returns the original message instead of sending another.
    pub client_message_id: String,
    /// The message this one answers: an earlier message of the same
    /// conversation the caller may see (a deleted one too). NOT_FOUND
    /// (`extensions.field` `replyToId`) otherwise.
    pub reply_to_id: Option<ID>,
}

/// A message in a conversation. A deleted one stays as a tombstone:
/// `deletedAt` set, `text` empty.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Message {
    pub id: ID,
    pub conversation_id: ID,
    pub kind: MessageKind,
    /// Who wrote it; null for SYSTEM messages (and when users cannot be
    /// reached).
    pub sender: Option<User>,
    /// The other user of a direct conversation; null in groups.
    #[graphql(deprecation = "use Conversation.peer / members")]
    pub recipient: Option<User>,
    /// The text (as last edited); for SYSTEM messages a plain-language
    /// fallback such as "Alice added Bob"; empty once deleted.
    pub text: String,
    /// What a SYSTEM message describes; null for TEXT.
    pub system: Option<SystemMessage>,
    pub sent_at: DateTime<Utc>,
    /// The sender's own `clientMessageId`, to match the message with the
    /// one the app showed before the server answered. Only the sender sees
    /// it: null for everyone else.
    pub client_message_id: Option<String>,
    /// When its text was last edited (`editMessage`); null if never.
    pub edited_at: Option<DateTime<Utc>>,
    /// When it was deleted (`deleteMessage`); null unless it is a tombstone.
    pub deleted_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub reply: Reply,
    #[graphql(skip)]
    pub conversation: Uuid,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub sender_id: Option<Uuid>,
    /// Loaded with its page or event; `None`: to load when asked for.
    #[graphql(skip)]
    pub preloaded_reactions: Option<Vec<ReactionSummary>>,
}

/// One emoji on a message: how many reacted with it, and whether the
/// caller did.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ReactionSummary {
    /// One emoji (its fully qualified form).
    pub emoji: String,
    /// How many members reacted with it (at least 1).
    pub count: i32,
    /// Whether the caller is one of them.
    pub reacted_by_me: bool,
}

impl From<Summary> for ReactionSummary {
    fn from(row: Summary) -> Self {
        Self {
            emoji: row.emoji,
            count: int(row.count),
            reacted_by_me: row.mine,
        }
    }
}

/// The original of a reply, for `Message.replyTo`.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Not a reply.
    None,
    /// Loaded with its page: `None` when the caller may not see it.
    Loaded(Option<Box<Message>>),
    /// To load when asked for.
    Lazy(Uuid),
}

fn message_kind(kind: &str) -> MessageKind {
    if kind == db_messages::SYSTEM {
        MessageKind::System
    } else {
        MessageKind::Text
    }
}

#[ComplexObject]
impl Message {
    /// The earlier message this one answers (`sendMessage`'s `replyToId`),
    /// as it is now: a tombstone if it was deleted; null if this is no
    /// reply, or the caller may not see the original (it predates their
    /// joining the group).
    async fn reply_to(&self, ctx: &Context<'_>) -> Result<Option<Message>> {
        match &self.reply {
            Reply::None => Ok(None),
            Reply::Loaded(original) => Ok(original.as_deref().cloned()),
            Reply::Lazy(id) => {
                let me = viewer(ctx)?;
                let original = ctx
                    .data::<MessagingService>()?
                    .reply_for(me, self.conversation, *id)
                    .await?;
                Ok(original.map(|row| Message::new(row, me)))
            }
        }
    }

    /// Whether the caller blocks its sender (`blockUser`), so that apps
    /// may hide it (in groups, where both stay members). False for SYSTEM
    /// messages and the caller's own.
    async fn sender_blocked_by_me(&self, ctx: &Context<'_>) -> Result<bool> {
        let me = viewer(ctx)?;
        match self.sender_id {
            Some(sender) if sender != me => {
                Ok(ctx.data::<MessagingService>()?.blocks(me, sender).await?)
            }
            _ => Ok(false),
        }
    }

    /// The reactions (`addReaction`), each emoji once with its count, in
    /// the order they were first used; empty for none (and for a deleted
    /// message).
    async fn reactions(&self, ctx: &Context<'_>) -> Result<Vec<ReactionSummary>> {
        if let Some(loaded) = &self.preloaded_reactions {
            return Ok(loaded.clone());
        }
        let me = viewer(ctx)?;
        let mut loaded = ctx
            .data::<MessagingService>()?
            .reactions(me, &[self.uuid])
            .await?;
        Ok(loaded
            .remove(&self.uuid)
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl Message {
    /// `row` as `viewer` sees it, with the original of a reply among
    /// `originals` (those `viewer` may see).
    pub fn with_originals(
        row: MessageRow,
        viewer: Uuid,
        originals: &std::collections::HashMap<Uuid, MessageRow>,
    ) -> Self {
        let reply = row.reply_to_id.map(|id| {
            originals
                .get(&id)
                .map(|original| Box::new(Message::new(original.clone(), viewer)))
        });
        let mut message = Message::new(row, viewer);
        if let Some(original) = reply {
            message.reply = Reply::Loaded(original);
        }
        message
    }

    /// `row` as `viewer` sees it.
    pub fn new(row: MessageRow, viewer: Uuid) -> Self {
        let system = row
            .system
            .and_then(|value| serde_json::from_value::<events::SystemMessage>(value).ok())
            .map(Into::into);
        Self {
            id: id(row.id),
            conversation_id: id(row.conversation_id),
            kind: message_kind(&row.kind),
            client_message_id: row
                .client_message_id
                .filter(|_| row.sender_id == Some(viewer)),
            sender: row.sender_id.map(Into::into),
            sender_id: row.sender_id,
            recipient: row.recipient_id.map(Into::into),
            text: row.body,
            system,
            sent_at: row.sent_at,
            edited_at: row.edited_at,
            deleted_at: row.deleted_at,
            reply: row.reply_to_id.map_or(Reply::None, Reply::Lazy),
            conversation: row.conversation_id,
            uuid: row.id,
            preloaded_reactions: None,
        }
    }

    /// With its reactions as loaded (`rows`: this message's).
    #[must_use]
    pub fn with_reactions(mut self, rows: Vec<Summary>) -> Self {
        self.preloaded_reactions = Some(rows.into_iter().map(Into::into).collect());
        self
    }
}

/// A conversation as the caller sees it. A former member (left or
/// removed) still sees it, up to their leaving.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Conversation {
    pub id: ID,
    pub kind: ConversationKind,
    /// The group's title; null for direct conversations.
    pub title: Option<String>,
    /// The other participant of a direct conversation; null for groups
    /// (and when users cannot be reached).
    pub peer: Option<User>,
    /// The caller's role; null once they have left or were removed.
    pub my_role: Option<MemberRole>,
    /// The newest message the caller may see.
    pub last_message: Option<Message>,
    /// Messages after the caller's read marker (their own count as read).
    pub unread_count: i32,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
    /// What the caller may see: `low < seq <= high`.
    #[graphql(skip)]
    pub window: (i64, i64),
}

impl Conversation {
    pub fn new(view: ConversationView, viewer: Uuid) -> Self {
        let window = view.window();
        let kind = if view.conversation.is_group() {
            ConversationKind::Group
        } else {
            ConversationKind::Direct
        };
        Self {
            id: id(view.id()),
            uuid: view.id(),
            kind,
            title: view.conversation.title.clone(),
            peer: view.member.peer_id.map(Into::into),
            my_role: view.my_role().map(Into::into),
            unread_count: int(view.unread_count()),
            created_at: view.conversation.created_at,
            window,
            last_message: view.last_message.map(|m| Message::new(m, viewer)),
        }
    }
}

#[ComplexObject]
impl Conversation {
    /// The current members, longest-standing first. `first`: 1 to 100
    /// (default 20); `after`: an `endCursor` of this list.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ConversationMemberConnection> {
        let me = viewer(ctx)?;
        let page = ctx
            .data::<MessagingService>()?
            .members(me, self.uuid, first, after.as_deref())
            .await?;
        Ok(member_connection(page))
    }

    /// How many current members it has.
    async fn member_count(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(int(ctx
            .data::<MessagingService>()?
            .member_count(self.uuid)
            .await?))
    }

    /// The messages the caller may see (a former member: up to their
    /// leaving; a member added later: from their joining). Page one way:
    /// `last`/`before` runs newest first from the end (`last` 1 to 100,
    /// default 20; pass `endCursor` as `before` for older messages,
    /// `hasPreviousPage` says whether there are any);
    /// `first`/`after` runs oldest first (pass `endCursor` as `after`,
    /// `hasNextPage` says whether newer ones follow). Neither: the newest
    /// 20. Errors: BAD_USER_INPUT (both directions, a size out of range,
    /// a cursor of another list).
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<MessageConnection> {
        let me = viewer(ctx)?;
        let paging = validate::paging(first, after.as_deref(), last, before.as_deref())?;
        let service = ctx.data::<MessagingService>()?;
        let page = service.messages(self.uuid, self.window, paging).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|m| m.id).collect();
        let reactions = service.reactions(me, &ids).await?;
        Ok(message_connection(page, me, reactions))
    }
}

/// A current member of a conversation.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConversationMember {
    /// Null when users cannot be reached.
    pub user: Option<User>,
    pub role: MemberRole,
    pub joined_at: DateTime<Utc>,
    /// The id of the newest message this member has read; null if none,
    /// and for others' markers when read receipts are off (theirs or the
    /// caller's: `PrivacySettings.readReceipts`).
    pub read_up_to: Option<ID>,
}

impl From<MemberRow> for ConversationMember {
    fn from(row: MemberRow) -> Self {
        Self {
            user: Some(row.user_id.into()),
            role: Role::parse(&row.role).into(),
            joined_at: row.joined_at,
            read_up_to: row.read_up_to.map(id),
        }
    }
}

pub type ConversationConnection = Connection<String, Conversation>;
pub type MessageConnection = Connection<String, Message>;
pub type ConversationMemberConnection = Connection<String, ConversationMember>;

/// The caller's conversations: `hasNextPage` says whether more (older
/// activity) follow; pass `endCursor` as `after` for them.
pub fn conversation_connection(
    page: Page<ConversationView>,
    viewer: Uuid,
) -> ConversationConnection {
    let mut connection = Connection::new(false, page.has_more);
    connection.edges = page
        .items
        .into_iter()
        .map(|view| {
            Edge::new(
                cursor::encode(Kind::Conversation, view.member.last_activity),
                Conversation::new(view, viewer),
            )
        })
        .collect();
    connection
}

fn member_connection(page: Page<(i64, MemberRow)>) -> ConversationMemberConnection {
    let mut connection = Connection::new(false, page.has_more);
    connection.edges = page
        .items
        .into_iter()
        .map(|(position, row)| Edge::new(cursor::encode(Kind::Member, position), row.into()))
        .collect();
    connection
}

fn message_connection(
    page: MessagePage,
    viewer: Uuid,
    mut reactions: std::collections::HashMap<Uuid, Vec<Summary>>,
) -> MessageConnection {
    let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
    let originals = page.replies;
    connection.edges = page
        .items
        .into_iter()
        .map(|row| {
            let summaries = reactions.remove(&row.id).unwrap_or_default();
            Edge::new(
                cursor::encode(Kind::Message, row.seq),
                Message::with_originals(row, viewer, &originals).with_reactions(summaries),
            )
        })
        .collect();
    connection
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEventKind {
    /// A message (TEXT or SYSTEM) by someone else in one of the caller's
    /// conversations (`message`).
    MessageReceived,
    /// The caller sent a message, or made a change a SYSTEM message
    /// announces (from this or another device); `message.clientMessageId`
    /// is set.
    MessageSent,
    /// The caller's read marker moved (from this or another device):
    /// `readUpTo`, `unreadCount`, `unreadTotal`.
    ConversationRead,
    /// Another member's read marker moved: `user`, `readUpTo`.
    MemberRead,
    /// A message's text was edited (by its sender, `user`): `message` as
    /// it is now.
    MessageEdited,
    /// A message was deleted (by `user`: its sender, or a group's owner or
    /// admin): `message`, a tombstone.
    MessageDeleted,
    /// A member (`user`) added or took back a reaction: `message` with its
    /// `reactions` now.
    ReactionsChanged,
}

impl From<service::EventKind> for MessageEventKind {
    fn from(kind: service::EventKind) -> Self {
        match kind {
            service::EventKind::Received => MessageEventKind::MessageReceived,
            service::EventKind::Sent => MessageEventKind::MessageSent,
            service::EventKind::ConversationRead => MessageEventKind::ConversationRead,
            service::EventKind::MemberRead => MessageEventKind::MemberRead,
            service::EventKind::Edited => MessageEventKind::MessageEdited,
            service::EventKind::Deleted => MessageEventKind::MessageDeleted,
            service::EventKind::ReactionsChanged => MessageEventKind::ReactionsChanged,
        }
    }
}

/// One entry of the caller's message feed; `kind` says which fields are
/// set. `message` is the message as it is when the event is delivered (a
/// replay shows it edited, or deleted: a deleted text is never replayed).
#[derive(SimpleObject, Clone, Debug)]
pub struct MessageEvent {
    /// Pass as `after` when resubscribing to continue right after this event.
    pub cursor: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    pub kind: MessageEventKind,
    pub conversation_id: ID,
    /// MESSAGE_RECEIVED, MESSAGE_SENT, MESSAGE_EDITED, MESSAGE_DELETED,
    /// REACTIONS_CHANGED: the message, as it is now; null for read events.
    pub message: Option<Message>,
    /// CONVERSATION_READ, MEMBER_READ: the newest message read.
    pub read_up_to: Option<ID>,
    /// CONVERSATION_READ: the conversation's unread messages now.
    pub unread_count: Option<i32>,
    /// CONVERSATION_READ: the caller's unread messages over all conversations now.
    pub unread_total: Option<i32>,
    /// MEMBER_READ: the member who read; MESSAGE_EDITED, MESSAGE_DELETED,
    /// REACTIONS_CHANGED: who made the change.
    pub user: Option<User>,
}

impl MessageEvent {
    pub fn new(event: service::MessageEvent, viewer: Uuid) -> Self {
        Self {
            cursor: event.cursor,
            at: event.at,
            kind: event.kind.into(),
            conversation_id: id(event.conversation_id),
            message: event
                .message
                .map(|m| Message::new(m, viewer).with_reactions(event.reactions)),
            read_up_to: event.read_up_to.map(id),
            unread_count: event.unread_count.map(int),
            unread_total: event.unread_total.map(int),
            user: event.user.map(Into::into),
        }
    }
}

#[derive(InputObject)]
pub struct MarkReadInput {
    pub conversation_id: ID,
    /// A message of the conversation the caller may see.
    pub up_to: ID,
}

#[derive(InputObject)]
pub struct CreateGroupInput {
    /// 1 to 100 characters after trimming.
    pub title: String,
    /// The other members: friends of the caller (the caller is added as OWNER).
    pub member_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct AddMembersInput {
    pub conversation_id: ID,
    /// Friends of the caller; current members are ignored.
    pub user_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct RemoveMemberInput {
    pub conversation_id: ID,
    pub user_id: ID,
}

#[derive(InputObject)]
pub struct UpdateConversationInput {
    pub conversation_id: ID,
    /// The new title: 1 to 100 characters after trimming.
    pub title: String,
}

#[derive(InputObject)]
pub struct SetMemberRoleInput {
    pub conversation_id: ID,
    pub user_id: ID,
    /// OWNER hands the group over: the caller becomes an ADMIN.
    pub role: MemberRole,
}

#[derive(SimpleObject)]
pub struct SendMessagePayload {
    /// The message sent (or, for a retry, the original).
    pub message: Message,
    /// Its conversation, as the sender sees it now.
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct MarkReadPayload {
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct CreateGroupPayload {
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct AddMembersPayload {
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct LeaveConversationPayload {
    /// The group left.
    pub conversation_id: ID,
}

#[derive(SimpleObject)]
pub struct UpdateConversationPayload {
    pub conversation: Conversation,
}

#[derive(SimpleObject)]
pub struct SetMemberRolePayload {
    pub conversation: Conversation,
    /// The member whose role was set.
    pub member: ConversationMember,
}

/// What `editMessage` changes.
#[derive(InputObject)]
pub struct EditMessageInput {
    /// A message of the caller's.
    pub message_id: ID,
    /// The new text, under the rules of `sendMessage`'s `text`.
    pub text: String,
}

/// What `editMessage` answers.
#[derive(SimpleObject)]
pub struct EditMessagePayload {
    /// The message as edited.
    pub message: Message,
}

/// What `deleteMessage` answers.
#[derive(SimpleObject)]
pub struct DeleteMessagePayload {
    /// The message's tombstone (`deletedAt` set, `text` empty).
    pub message: Message,
}

/// What `addReaction` adds.
#[derive(InputObject)]
pub struct AddReactionInput {
    /// A message the caller may see.
    pub message_id: ID,
    /// One emoji of Unicode's emoji set (one grapheme cluster: a skin
    /// tone, flag or ZWJ sequence counts as one), such as "👍".
    pub emoji: String,
}

/// What `removeReaction` takes back.
#[derive(InputObject)]
pub struct RemoveReactionInput {
    /// A message the caller may see.
    pub message_id: ID,
    /// The emoji to take back.
    pub emoji: String,
}

/// What `addReaction` answers.
#[derive(SimpleObject)]
pub struct AddReactionPayload {
    /// The message with its reactions now.
    pub message: Message,
}

/// What `removeReaction` answers.
#[derive(SimpleObject)]
pub struct RemoveReactionPayload {
    /// The message with its reactions now.
    pub message: Message,
}

/// What `setTyping` tells.
#[derive(InputObject)]
pub struct SetTypingInput {
    /// A conversation the caller is in.
    pub conversation_id: ID,
    /// True while typing (send it again within 6 s to keep it on), false
    /// on stopping.
    pub typing: bool,
}

/// What `setTyping` answers (also when the signal was over the rate and
/// dropped).
#[derive(SimpleObject)]
pub struct SetTypingPayload {
    /// The conversation told.
    pub conversation_id: ID,
}

/// A member of the conversation started or stopped typing. Ephemeral:
/// nothing is stored, there is no cursor, and a subscriber hears only what
/// is said while it listens.
#[derive(SimpleObject, Clone, Debug)]
pub struct TypingEvent {
    /// The conversation subscribed to.
    pub conversation_id: ID,
    /// Who types (null when users cannot be reached).
    pub user: Option<User>,
    /// True: they type; false: they stopped, or their last true expired.
    pub typing: bool,
    /// When a true lapses unless repeated (a false follows then); null for
    /// false.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<crate::typing::Event> for TypingEvent {
    fn from(event: crate::typing::Event) -> Self {
        Self {
            conversation_id: id(event.conversation_id),
            user: Some(event.user_id.into()),
            typing: event.typing,
            expires_at: event.expires_at,
        }
    }
}
