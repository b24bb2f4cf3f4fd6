//! Messaging's events, and what they write into the per-user feed (`feed`
//! crate).
//!
//! Every message (a member's TEXT or a SYSTEM message announcing a
//! membership change or rename) enqueues one [`MessageSent`] in its
//! transaction (the send statements of `db::messages` build its JSON in
//! SQL; a test holds it to this type). Its handler
//! ([`crate::jobs::MessageNotification`], called by the outbox worker or,
//! with `EVENTS=broker`, by the JetStream consumer) fans it out on write:
//! one feed entry per member of the conversation at that message, all in
//! one statement, once per event ([`append`]). A change to a message (an
//! edit, a deletion, a reaction added or taken back) enqueues one [`MessageChanged`], fanned out alike to
//! the members who may see the message ([`append_change`]).
//!
//! A message's feed entries hold a reference to it ([`FeedMessage`]), not
//! its text: the subscription loads the messages of the entries it is about
//! to deliver (one query per batch), so a replay shows each message as it
//! is now (edited, or a tombstone) and a deleted text is kept nowhere.
//!
//! `markRead` appends its read events ([`ConversationRead`], [`MemberRead`])
//! itself, in its own transaction ([`append_read`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::conversations;

/// The cursors of `messageEvents` (`me1:<seq>`): a cursor of another
/// stream (`friendEvents`) or list is `BAD_USER_INPUT`.
pub const CURSORS: feed::Cursors = feed::Cursors::new("me1");

/// Feed kind of a message in the log of a member who did not write it.
pub const MESSAGE_RECEIVED: &str = "message.received";
/// Feed kind of a message in its author's log (for their other devices).
pub const MESSAGE_SENT: &str = "message.sent";
/// Feed kind of the reader's own read marker moving (their other devices).
pub const CONVERSATION_READ: &str = "conversation.read";
/// Feed kind of another member's read marker moving.
pub const MEMBER_READ: &str = "member.read";
/// Feed kind of a message whose text was edited.
pub const MESSAGE_EDITED: &str = "message.edited";
/// Feed kind of a message that was deleted.
pub const MESSAGE_DELETED: &str = "message.deleted";
/// Feed kind of a message whose reactions changed.
pub const REACTIONS_CHANGED: &str = "message.reactions_changed";

/// What a SYSTEM message describes (stored as `messages.system`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SystemAction {
    GroupCreated,
    MembersAdded,
    MemberRemoved,
    MemberLeft,
    TitleChanged,
    RoleChanged,
    OwnerChanged,
}

/// The structured description of a SYSTEM message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemMessage {
    pub action: SystemAction,
    /// Who made the change.
    pub actor: Uuid,
    /// Whom it concerns (added, removed, the new owner…).
    #[serde(default)]
    pub users: Vec<Uuid>,
    /// The new title (GROUP_CREATED, TITLE_CHANGED).
    #[serde(default)]
    pub title: Option<String>,
    /// The new role (ROLE_CHANGED), as `conversation_members.role`.
    #[serde(default)]
    pub role: Option<String>,
}

/// A message was written (`messaging.message_sent`): the message as
/// clients saw it when sent. Its handler needs only its place (who may see
/// it) and its author; feed entries refer to the message ([`FeedMessage`]).
/// Fields added since the first version have defaults, so events written
/// before still read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSent {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// Its number in the conversation (who was a member then gets it).
    #[serde(default)]
    pub seq: i64,
    /// `TEXT` or `SYSTEM`.
    #[serde(default = "text_kind")]
    pub kind: String,
    pub sender_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub text: String,
    #[serde(default)]
    pub system: Option<SystemMessage>,
    /// Shown to the sender only.
    #[serde(default)]
    pub client_message_id: Option<String>,
    pub sent_at: DateTime<Utc>,
}

fn text_kind() -> String {
    crate::db::messages::TEXT.to_owned()
}

impl MessageSent {
    /// Who wrote it: the sender, or the actor of a SYSTEM message.
    pub fn author(&self) -> Option<Uuid> {
        self.sender_id.or(self.system.as_ref().map(|s| s.actor))
    }
}

impl outbox::Event for MessageSent {
    const KIND: &'static str = "messaging.message_sent";
}

impl TryFrom<&crate::db::messages::Message> for MessageSent {
    type Error = serde_json::Error;

    fn try_from(message: &crate::db::messages::Message) -> Result<Self, Self::Error> {
        Ok(Self {
            id: message.id,
            conversation_id: message.conversation_id,
            seq: message.seq,
            kind: message.kind.clone(),
            sender_id: message.sender_id,
            recipient_id: message.recipient_id,
            text: message.body.clone(),
            system: message
                .system
                .clone()
                .map(serde_json::from_value)
                .transpose()?,
            client_message_id: message.client_message_id.clone(),
            sent_at: message.sent_at,
        })
    }
}

/// What happened to a message ([`MessageChanged`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Change {
    Edited,
    Deleted,
    ReactionsChanged,
}

impl Change {
    /// The feed kind of its entries.
    pub const fn feed_kind(self) -> &'static str {
        match self {
            Change::Edited => MESSAGE_EDITED,
            Change::Deleted => MESSAGE_DELETED,
            Change::ReactionsChanged => REACTIONS_CHANGED,
        }
    }
}

/// A message changed (`messaging.message_changed`): enqueued in the
/// change's transaction, under the conversation's lock, and fanned out to
/// every member at that moment who may see the message ([`append_change`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageChanged {
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    /// The message's number: members who joined after it do not see it.
    pub seq: i64,
    /// The conversation's newest number at the change: members who had
    /// left by then are not told.
    pub at_seq: i64,
    pub change: Change,
    /// Who made the change.
    pub actor: Uuid,
}

impl outbox::Event for MessageChanged {
    const KIND: &'static str = "messaging.message_changed";
}

/// The payload of a message's feed entries: which message, and who did
/// what the entry tells (for changes). The message itself is loaded when
/// the entry is delivered. Entries written before carry the whole
/// [`MessageSent`]; they read as this too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedMessage {
    pub id: Uuid,
    pub conversation_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Uuid>,
}

/// The reader's own marker moved (`conversation.read` feed entry).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRead {
    pub conversation_id: Uuid,
    pub read_up_to: Uuid,
    pub unread_count: i64,
    pub unread_total: i64,
}

/// Another member's marker moved (`member.read` feed entry).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRead {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub read_up_to: Uuid,
}

fn to_json<T: serde::Serialize>(value: &T) -> diesel::QueryResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// Appends the message to the feed of every member of its conversation
/// at that message (MESSAGE_SENT for its author, MESSAGE_RECEIVED for the
/// others), once per `event_id` (a redelivered event appends nothing), in
/// one statement however many members (`feed::append_once`). Call it in a
/// transaction.
pub async fn append(
    conn: &mut Conn,
    event_id: Uuid,
    message: &MessageSent,
) -> diesel::QueryResult<Vec<(Uuid, i64)>> {
    let payload = to_json(&FeedMessage {
        id: message.id,
        conversation_id: message.conversation_id,
        actor: None,
    })?;
    let audience = if message.seq > 0 {
        conversations::audience(conn, message.conversation_id, message.seq).await?
    } else {
        // An event of the first version (direct messages only, no seq).
        message
            .sender_id
            .into_iter()
            .chain(message.recipient_id)
            .collect()
    };
    let author = message.author();
    let entries: Vec<feed::Entry<'_>> = audience
        .into_iter()
        .map(|recipient| feed::Entry {
            recipient,
            kind: if Some(recipient) == author {
                MESSAGE_SENT
            } else {
                MESSAGE_RECEIVED
            },
            payload: &payload,
        })
        .collect();
    feed::append_once(conn, event_id, &entries).await
}

/// Appends a message's change to the feed of every member at the change
/// who may see the message (its author's other devices included), once
/// per `event_id`, in one statement like [`append`].
pub async fn append_change(
    conn: &mut Conn,
    event_id: Uuid,
    change: &MessageChanged,
) -> diesel::QueryResult<Vec<(Uuid, i64)>> {
    let payload = to_json(&FeedMessage {
        id: change.message_id,
        conversation_id: change.conversation_id,
        actor: Some(change.actor),
    })?;
    let audience =
        conversations::change_audience(conn, change.conversation_id, change.seq, change.at_seq)
            .await?;
    let kind = change.change.feed_kind();
    let entries: Vec<feed::Entry<'_>> = audience
        .into_iter()
        .map(|recipient| feed::Entry {
            recipient,
            kind,
            payload: &payload,
        })
        .collect();
    feed::append_once(conn, event_id, &entries).await
}

/// Who learns that `reader`'s marker moved, besides the reader: the other
/// current members, unless read receipts are off (`receipts_off`: those
/// among the members who turned them off): nobody hears of a reader who
/// turned them off, and whoever turned them off hears of nobody.
pub fn member_read_audience(
    reader: Uuid,
    members: &[conversations::Membership],
    receipts_off: &[Uuid],
) -> Vec<Uuid> {
    if receipts_off.contains(&reader) {
        return Vec::new();
    }
    members
        .iter()
        .map(|m| m.user_id)
        .filter(|&user| user != reader && !receipts_off.contains(&user))
        .collect()
}

/// Appends the read events of a marker move in the reader's transaction:
/// CONVERSATION_READ to the reader's own feed, MEMBER_READ to `others`.
pub async fn append_read(
    conn: &mut Conn,
    own: &ConversationRead,
    reader: Uuid,
    others: &[Uuid],
) -> diesel::QueryResult<()> {
    let own_payload = to_json(own)?;
    let member_payload = to_json(&MemberRead {
        conversation_id: own.conversation_id,
        user_id: reader,
        read_up_to: own.read_up_to,
    })?;
    let entries: Vec<feed::Entry<'_>> = std::iter::once(feed::Entry {
        recipient: reader,
        kind: CONVERSATION_READ,
        payload: &own_payload,
    })
    .chain(others.iter().map(|&recipient| feed::Entry {
        recipient,
        kind: MEMBER_READ,
        payload: &member_payload,
    }))
    .collect();
    feed::append_once(conn, Uuid::now_v7(), &entries)
        .await
        .map(drop)
}
