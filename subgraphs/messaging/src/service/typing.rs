//! Typing indicators ([`crate::typing`]): `setTyping` checks membership
//! and notifies every replica in one statement, throttled per member and
//! conversation; `typing` subscriptions read what this process hears.

use api_errors::ApiResult;
use futures::{Stream, StreamExt as _};
use uuid::Uuid;

use super::{MessagingService, conversation_not_found};
use crate::db::{conversations, typing as db_typing};
use crate::typing::{Event, MembershipEnded, Signal};
use crate::validate;

impl MessagingService {
    /// Tells the other members of a conversation the caller is in that
    /// they type (or stopped). More than `TYPING_RATE` (one a second) per
    /// member and conversation are accepted and ignored.
    pub async fn set_typing(
        &self,
        me: Uuid,
        conversation_id: &str,
        typing: bool,
    ) -> ApiResult<Uuid> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let mut conn = self.pool.get().await?;
        require_member(&mut conn, id, me).await?;
        let payload = Signal {
            conversation_id: id,
            user_id: me,
            typing,
            left: false,
        }
        .to_payload();
        let key = format!("typing:{id}:{me}");
        let charge = ratelimit::Charge::new(&key, self.typing_rate);
        let sent = db_typing::notify(&mut conn, &payload, charge.as_ref()).await?;
        if !sent {
            tracing::trace!(conversation_id = %id, "typing signal over the rate; ignored");
        }
        Ok(id)
    }

    /// The typing of the other members of a conversation the caller is
    /// in, from now on.
    pub async fn typing_events(
        &self,
        me: Uuid,
        conversation_id: &str,
    ) -> ApiResult<impl Stream<Item = ApiResult<Event>> + Send + use<>> {
        let id = validate::uuid("conversationId", conversation_id)?;
        // Listen first, then check: nothing said after the check is lost.
        let events = self.typing.subscribe(id, me, self.typing_expires);
        let mut conn = self.pool.get().await?;
        require_member(&mut conn, id, me).await?;
        // Removed (or left) later: the stream ends with the error a new
        // subscription would get.
        Ok(events.map(|heard| {
            heard.map_err(|MembershipEnded| {
                conversation_not_found().with_extension("field", "conversationId".into())
            })
        }))
    }
}

/// `NOT_FOUND` (naming `conversationId`) unless `me` is a current member.
async fn require_member(conn: &mut crate::db::Conn, id: Uuid, me: Uuid) -> ApiResult<()> {
    let current = conversations::membership(conn, id, me)
        .await?
        .is_some_and(|m| m.is_current());
    if current {
        Ok(())
    } else {
        Err(conversation_not_found().with_extension("field", "conversationId".into()))
    }
}
