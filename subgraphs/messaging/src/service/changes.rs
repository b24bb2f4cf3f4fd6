//! Changes to messages already sent: edits and deletions (and, in
//! [`super::reactions`], reactions). Each one, in one transaction:
//!
//! 1. checks who may make it and whether it changes anything, on a plain
//!    read: a refusal or a no-op ends here and costs nothing;
//! 2. counts it in the caller's message rate (`RATE_LIMITED`), taking the
//!    rate's row lock before the conversation's, as `sendMessage` does, so
//!    that a change and a send of one user never wait on each other in a
//!    circle;
//! 3. takes the conversation's lock (a change, its event and the
//!    conversation's sends and other changes are ordered alike), checks
//!    again (a refusal or no-op now rolls the count back), writes, and
//!    enqueues a [`MessageChanged`], which tells the members who may see
//!    the message.

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

/// A message the caller may see, with its conversation (locked, on the
/// second look) and the caller's membership.
pub(super) struct Visible {
    pub conversation: Conversation,
    pub member: Membership,
    pub message: Message,
}

impl Visible {
    /// `FORBIDDEN` unless the caller is still a member: former members see
    /// what was said up to their leaving, and change nothing.
    pub fn require_current(&self) -> Result<(), Stop> {
        if self.member.is_current() {
            Ok(())
        } else {
            Err(ApiError::forbidden("you are no longer a member of this conversation").into())
        }
    }

    /// `CONFLICT` for a deleted message.
    pub fn require_not_deleted(&self) -> Result<(), Stop> {
        if self.message.is_deleted() {
            Err(ApiError::conflict("the message was deleted")
                .with_extension("field", "messageId".into())
                .into())
        } else {
            Ok(())
        }
    }
}

/// Why a change's transaction stops without writing (and rolls back what
/// it counted).
pub(super) enum Stop {
    /// Refused.
    Refused(ApiError),
    /// Nothing to change: the message as it is.
    Unchanged(Box<Message>),
}

impl From<ApiError> for Stop {
    fn from(err: ApiError) -> Self {
        Stop::Refused(err)
    }
}

impl From<diesel::result::Error> for Stop {
    fn from(err: diesel::result::Error) -> Self {
        Stop::Refused(err.into())
    }
}

/// The message a change wrote (`changed`) or found as it was.
pub(super) fn outcome(result: Result<Message, Stop>) -> ApiResult<(Message, bool)> {
    match result {
        Ok(message) => Ok((message, true)),
        Err(Stop::Unchanged(message)) => Ok((*message, false)),
        Err(Stop::Refused(err)) => Err(err),
    }
}

pub(super) fn message_not_found(field: &'static str) -> ApiError {
    ApiError::not_found("no such message").with_extension("field", field.into())
}

/// Whether [`visible`] takes the conversation's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lock {
    /// A plain read, for the checks before counting.
    No,
    /// Until the transaction ends.
    Yes,
}

/// Message `id` as `me` sees it: `NOT_FOUND` (naming `field`) unless `me`
/// is or was a member who may see it, whether or not it exists.
pub(super) async fn visible(
    conn: &mut Conn,
    id: Uuid,
    me: Uuid,
    field: &'static str,
    lock: Lock,
) -> ApiResult<Visible> {
    let not_found = || message_not_found(field);
    let found = messages::by_id(conn, id).await?.ok_or_else(not_found)?;
    let conversation = match lock {
        Lock::Yes => conversations::lock(conn, found.conversation_id).await?,
        Lock::No => conversations::by_id(conn, found.conversation_id).await?,
    }
    .ok_or_else(not_found)?;
    let member = conversations::membership(conn, conversation.id, me)
        .await?
        .ok_or_else(not_found)?;
    let message = if lock == Lock::Yes {
        // Read again under the lock, which every change of a message takes.
        messages::by_id(conn, id).await?.ok_or_else(not_found)?
    } else {
        found
    };
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
/// change that is then refused or rolled back costs nothing).
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

/// Whether `me` may give message `visible` the text `text`, and whether
/// that changes it.
fn check_edit(visible: &Visible, me: Uuid, text: &str) -> Result<(), Stop> {
    if visible.message.sender_id != Some(me) {
        return Err(ApiError::forbidden("only its sender edits a message").into());
    }
    visible.require_current()?;
    visible.require_not_deleted()?;
    if visible.message.body == text {
        return Err(Stop::Unchanged(Box::new(visible.message.clone())));
    }
    Ok(())
}

/// Whether `me` may delete message `visible`, and whether it is still
/// there to delete.
fn check_delete(visible: &Visible, me: Uuid) -> Result<(), Stop> {
    if visible.message.kind == messages::SYSTEM {
        return Err(
            ApiError::forbidden("SYSTEM messages stay: they record the group's changes").into(),
        );
    }
    let own = visible.message.sender_id == Some(me);
    let moderator = visible.conversation.is_group() && visible.member.role() != Role::Member;
    if !own && !moderator {
        return Err(ApiError::forbidden(
            "only its sender, or a group's owner and admins, delete a message",
        )
        .into());
    }
    visible.require_current()?;
    if visible.message.is_deleted() {
        return Err(Stop::Unchanged(Box::new(visible.message.clone())));
    }
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
        let result = conn
            .transaction::<_, Stop, _>(async |conn| {
                check_edit(
                    &visible(conn, id, me, "messageId", Lock::No).await?,
                    me,
                    text,
                )?;
                charge(conn, me, rate).await?;
                let visible = visible(conn, id, me, "messageId", Lock::Yes).await?;
                check_edit(&visible, me, text)?;
                let edited = messages::set_text(conn, id, text).await?;
                enqueue_change(conn, &visible.conversation, &edited, Change::Edited, me).await?;
                Ok(edited)
            })
            .await;
        let (message, changed) = outcome(result)?;
        if changed {
            self.outbox.wake();
        }
        Ok(message)
    }

    /// Deletes a message: its sender, or a group's OWNER or ADMINs for any
    /// TEXT message in it. A tombstone stays (`deletedAt`, empty text, no
    /// reactions); deleting it again changes nothing. Every member who may
    /// see it gets MESSAGE_DELETED.
    pub async fn delete_message(&self, me: Uuid, message_id: &str) -> ApiResult<Message> {
        let id = validate::uuid("messageId", message_id)?;
        let rate = self.message_rate;
        let mut conn = self.pool.get().await?;
        let result = conn
            .transaction::<_, Stop, _>(async |conn| {
                check_delete(&visible(conn, id, me, "messageId", Lock::No).await?, me)?;
                charge(conn, me, rate).await?;
                let visible = visible(conn, id, me, "messageId", Lock::Yes).await?;
                check_delete(&visible, me)?;
                let deleted = messages::tombstone(conn, id).await?;
                reactions::clear(conn, id).await?;
                enqueue_change(conn, &visible.conversation, &deleted, Change::Deleted, me).await?;
                Ok(deleted)
            })
            .await;
        let (message, changed) = outcome(result)?;
        if changed {
            self.outbox.wake();
        }
        Ok(message)
    }
}
