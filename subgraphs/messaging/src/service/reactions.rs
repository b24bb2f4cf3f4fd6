//! Reactions: one of each emoji per member and message, at most
//! [`validate::MAX_REACTIONS`] distinct emoji per message. Like edits,
//! each change takes the conversation's lock, counts in the caller's
//! message rate and tells the members who may see the message
//! (REACTIONS_CHANGED).

use std::collections::HashMap;

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use serde_json::json;
use uuid::Uuid;

use super::MessagingService;
use super::changes::{Lock, Stop, Visible, charge, enqueue_change, outcome, visible};
use crate::db::Conn;
use crate::db::messages::Message;
use crate::db::reactions::{self, Summary};
use crate::events::Change;
use crate::validate;

/// Adding or taking back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toggle {
    Add,
    Remove,
}

impl MessagingService {
    /// The caller reacts to a message they may see with `emoji`; again
    /// changes nothing.
    pub async fn add_reaction(
        &self,
        me: Uuid,
        message_id: &str,
        emoji: &str,
    ) -> ApiResult<Message> {
        self.react(me, message_id, emoji, Toggle::Add).await
    }

    /// The caller takes back their `emoji` on a message; without one,
    /// nothing changes.
    pub async fn remove_reaction(
        &self,
        me: Uuid,
        message_id: &str,
        emoji: &str,
    ) -> ApiResult<Message> {
        self.react(me, message_id, emoji, Toggle::Remove).await
    }

    async fn react(
        &self,
        me: Uuid,
        message_id: &str,
        emoji: &str,
        toggle: Toggle,
    ) -> ApiResult<Message> {
        let id = validate::uuid("messageId", message_id)?;
        let emoji = validate::emoji(emoji)?;
        let rate = self.message_rate;
        let mut conn = self.pool.get().await?;
        // As edits do (`super::changes`): check, count, lock, check again.
        let result = conn
            .transaction::<_, Stop, _>(async |conn| {
                let seen = visible(conn, id, me, "messageId", Lock::No).await?;
                check(conn, &seen, me, emoji, toggle).await?;
                charge(conn, me, rate).await?;
                let visible = visible(conn, id, me, "messageId", Lock::Yes).await?;
                check(conn, &visible, me, emoji, toggle).await?;
                match toggle {
                    Toggle::Add => reactions::add(conn, id, me, emoji).await?,
                    Toggle::Remove => reactions::remove(conn, id, me, emoji).await?,
                };
                enqueue_change(
                    conn,
                    &visible.conversation,
                    &visible.message,
                    Change::ReactionsChanged,
                    me,
                )
                .await?;
                Ok(visible.message)
            })
            .await;
        let (message, changed) = outcome(result)?;
        if changed {
            self.outbox.wake();
        }
        Ok(message)
    }

    /// The reactions to `messages` as `viewer` sees them, by message (in
    /// the order their emoji were first used); messages without any are
    /// left out.
    pub async fn reactions(
        &self,
        viewer: Uuid,
        messages: &[Uuid],
    ) -> ApiResult<HashMap<Uuid, Vec<Summary>>> {
        if messages.is_empty() {
            return Ok(HashMap::new());
        }
        let mut conn = self.pool.get().await?;
        Ok(by_message(
            reactions::summaries(&mut conn, messages, viewer).await?,
        ))
    }
}

/// Summaries grouped by message, in their order.
pub(super) fn by_message(rows: Vec<Summary>) -> HashMap<Uuid, Vec<Summary>> {
    let mut out: HashMap<Uuid, Vec<Summary>> = HashMap::new();
    for row in rows {
        out.entry(row.message_id).or_default().push(row);
    }
    out
}

/// Whether `me` may add or take back `emoji` on message `visible`, and
/// whether that changes anything.
async fn check(
    conn: &mut Conn,
    visible: &Visible,
    me: Uuid,
    emoji: &str,
    toggle: Toggle,
) -> Result<(), Stop> {
    visible.require_current()?;
    if toggle == Toggle::Add {
        visible.require_not_deleted()?;
    }
    let id = visible.message.id;
    let has = reactions::exists(conn, id, me, emoji).await?;
    if has == (toggle == Toggle::Add) {
        return Err(Stop::Unchanged(Box::new(visible.message.clone())));
    }
    if toggle == Toggle::Add {
        let used = reactions::emoji_of(conn, id).await?;
        if used.len() >= validate::MAX_REACTIONS && !used.iter().any(|e| e == emoji) {
            return Err(ApiError::invalid_field(
                "emoji",
                format!(
                    "a message has at most {} different reactions",
                    validate::MAX_REACTIONS
                ),
            )
            .with_extension("reason", json!("TOO_MANY_REACTIONS"))
            .into());
        }
    }
    Ok(())
}
