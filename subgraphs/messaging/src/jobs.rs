//! Handlers of messaging's own outbox events (in both `EVENTS` modes).

use diesel_async::AsyncConnection as _;
use outbox::{Event, Handler, HandlerError};
use service_runtime::db::PgPool;

use crate::events::{self, MessagePayload};

pub use crate::events::MESSAGE_SENT_EVENT;

/// Writes a sent message into its recipient's feed and its sender's
/// (idempotent by event id).
pub struct MessageNotification {
    pool: PgPool,
}

impl MessageNotification {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[outbox::async_trait]
impl Handler for MessageNotification {
    async fn handle(&self, event: &Event) -> Result<(), HandlerError> {
        let message: MessagePayload = event.payload_as()?;
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| HandlerError::retry(format!("no database connection: {e}")))?;
        let event_id = event.event_id;
        conn.transaction(async |conn| events::append(conn, event_id, &message).await)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}
