//! Changes to messages already sent: edits and deletions. Each takes the
//! conversation's lock (so that a change, its event and the conversation's
//! sends and other changes are ordered alike), checks who may make it,
//! counts it in the caller's message rate and enqueues a
//! [`MessageChanged`], which tells the members who may see the message.

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::MessagingService;
use crate::db::Conn;
use crate::db::conversations::{self, Conversation, Membership, Role};
use crate::db::messages::{self, Message};
use crate::db::reactions;
use crate::events::{Change, MessageChanged};
use crate::validate;

/// A message the caller may see, with its conversation (locked) and the
/// caller's membership.
pub(super) struct Visible {
    pub conversation: Conversation,
    pub member: Membership,
    pub message: Message,
}

impl Visible {
    /// `FORBIDDEN` unless the caller is still a member: former members see
    /// what was said up to their leaving, and change nothing.
    pub fn require_current(&self) -> ApiResult<()> {
        if self.member.is_current() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "you are no longer a member of this conversation",
            ))
        }
    }

    /// `CONFLICT` for a deleted message.
    pub fn require_not_deleted(&self) -> ApiResult<()> {
        if self.message.is_deleted() {
            Err(ApiError::conflict("the message was deleted")
                .with_extension("field", "messageId".into()))
        } else {
            Ok(())
        }
    }
}

pub(super) fn message_not_found(field: &'static str) -> ApiError {
    ApiError::not_found("no such message").with_extension("field", field.into())
}

/// Message `id` as `me` sees it, its conversation locked until the
/// transaction ends: `NOT_FOUND` (naming `field`) unless `me` is or was a
/// member who may see it, whether or not it exists.
pub(super) async fn lock_visible(
    conn: &mut Conn,
    id: Uuid,
    me: Uuid,
    field: &'static str,
) -> ApiResult<Visible> {
    let not_found = || message_not_found(field);
    let found = messages::by_id(conn, id).await?.ok_or_else(not_found)?;
    let conversation = conversations::lock(conn, found.conversation_id)
        .await?
        .ok_or_else(not_found)?;
    let member = conversations::membership(conn, conversation.id, me)
        .await?
        .ok_or_else(not_found)?;
    // Read again under the lock, which every change of a message takes.
    let message = messages::by_id(conn, id).await?.ok_or_else(not_found)?;
    if message.seq <= member.joined_seq || message.seq > member.visible_up_to(conversation.last_seq)
    {
        return Err(not_found());
    }
    Ok(Visible {
        conversation,
        member,
        message,
    })
}

/// Counts a change in `me`'s message rate (in the change's transaction: a
/// refused or failed change costs nothing).
pub(super) async fn charge(conn: &mut Conn, me: Uuid, rate: ratelimit::Rate) -> ApiResult<()> {
    let key = format!("message:{me}");
    ratelimit::check(conn, &key, rate).await?.into_result()
}

/// Queues the event of a change to `message` (its conversation locked).
pub(super) async fn enqueue_change(
    conn: &mut Conn,
    conversation: &Conversation,
    message: &Message,
    change: Change,
    actor: Uuid,
) -> ApiResult<()> {
    let event = MessageChanged {
        message_id: message.id,
        conversation_id: conversation.id,
        seq: message.seq,
        at_seq: conversation.last_seq,
        change,
        actor,
    };
    outbox::enqueue_unannounced(conn, &event).await?;
    Ok(())
}

impl MessagingService {
    /// Replaces the text of the caller's own message (same rules as
    /// sending) and stamps `editedAt`; the same text again changes nothing
    /// and tells nobody. Every member who may see it gets MESSAGE_EDITED.
    pub async fn edit_message(&self, me: Uuid, message_id: &str, text: &str) -> ApiResult<Message> {
        let id = validate::uuid("messageId", message_id)?;
        let text = validate::message_text(text)?;
        let rate = self.message_rate;
        let mut conn = self.pool.get().await?;
        let (message, changed) = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let visible = lock_visible(conn, id, me, "messageId").await?;
                if visible.message.sender_id != Some(me) {
                    return Err(ApiError::forbidden("only its sender edits a message"));
                }
                visible.require_current()?;
                visible.require_not_deleted()?;
                if visible.message.body == text {
                    return Ok((visible.message, false));
                }
                charge(conn, me, rate).await?;
                let edited = messages::set_text(conn, id, text).await?;
                enqueue_change(conn, &visible.conversation, &edited, Change::Edited, me).await?;
                Ok((edited, true))
            })
            .await?;
        if changed {
            self.outbox.wake();
        }
        Ok(message)
    }

    /// Deletes a message: its sender, or a group's OWNER or ADMINs for any
    /// TEXT message in it. A tombstone stays (`deletedAt`, empty text, no
    /// reactions); deleting it again changes nothing. Every member who may see it gets
    /// MESSAGE_DELETED.
    pub async fn delete_message(&self, me: Uuid, message_id: &str) -> ApiResult<Message> {
        let id = validate::uuid("messageId", message_id)?;
        let rate = self.message_rate;
        let mut conn = self.pool.get().await?;
        let (message, changed) = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let visible = lock_visible(conn, id, me, "messageId").await?;
                if visible.message.kind == messages::SYSTEM {
                    return Err(ApiError::forbidden(
                        "SYSTEM messages stay: they record the group's changes",
                    ));
                }
                let own = visible.message.sender_id == Some(me);
                let moderator =
                    visible.conversation.is_group() && visible.member.role() != Role::Member;
                if !own && !moderator {
                    return Err(ApiError::forbidden(
                        "only its sender, or a group's owner and admins, delete a message",
                    ));
                }
                visible.require_current()?;
                if visible.message.is_deleted() {
                    return Ok((visible.message, false));
                }
                charge(conn, me, rate).await?;
                let deleted = messages::tombstone(conn, id).await?;
                reactions::clear(conn, id).await?;
                enqueue_change(conn, &visible.conversation, &deleted, Change::Deleted, me).await?;
                Ok((deleted, true))
            })
            .await?;
        if changed {
            self.outbox.wake();
        }
        Ok(message)
    }
}
