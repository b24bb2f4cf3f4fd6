//! Handlers of messaging's own outbox events (in both `EVENTS` modes).

use diesel_async::AsyncPgConnection;
use outbox::{Envelope, HandlerError, TxHandler};

use crate::events::{self, MessageChanged, MessageSent};

/// Writes a sent message into its recipient's feed and its sender's
/// (idempotent by event id), in the transaction the outbox worker or the
/// consumer gives it.
pub struct MessageNotification;

#[outbox::async_trait]
impl TxHandler<MessageSent> for MessageNotification {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        message: MessageSent,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        events::append(conn, envelope.event_id, &message)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}

/// Writes a message's change (edit, deletion) into the feeds of the
/// members who may see it (idempotent by event id).
pub struct ChangeNotification;

#[outbox::async_trait]
impl TxHandler<MessageChanged> for ChangeNotification {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        change: MessageChanged,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        events::append_change(conn, envelope.event_id, &change)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}
