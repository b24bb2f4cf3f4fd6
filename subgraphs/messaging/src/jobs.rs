//! Handlers of messaging's own outbox events (in both `EVENTS` modes).

use diesel_async::AsyncPgConnection;
use outbox::{Event, HandlerError, TxHandler};

use crate::events::{self, MessagePayload};

pub use crate::events::MESSAGE_SENT_EVENT;

/// Writes a sent message into its recipient's feed and its sender's
/// (idempotent by event id), in the transaction the outbox worker or the
/// consumer gives it.
pub struct MessageNotification;

#[outbox::async_trait]
impl TxHandler for MessageNotification {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        event: &Event,
    ) -> Result<(), HandlerError> {
        let message: MessagePayload = event.payload_as()?;
        events::append(conn, event.event_id, &message)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}
