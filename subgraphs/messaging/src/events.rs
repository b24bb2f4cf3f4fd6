//! What messaging writes into the per-user feed (`feed` crate): one entry
//! per message for the recipient and one for the sender's other devices.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::messages::Message;

/// Feed kind of a message in its recipient's log.
pub const MESSAGE_RECEIVED: &str = "message.received";
/// Feed kind of a message in its sender's log (for their other devices).
pub const MESSAGE_SENT: &str = "message.sent";

/// The feed payload: the message as clients see it, so a subscription
/// needs no database read per event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePayload {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

impl From<&Message> for MessagePayload {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id,
            conversation_id: message.conversation_id,
            sender_id: message.sender_id,
            recipient_id: message.recipient_id,
            text: message.body.clone(),
            sent_at: message.sent_at,
        }
    }
}
