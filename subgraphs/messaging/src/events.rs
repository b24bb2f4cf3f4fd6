//! Messaging's events, and what they write into the per-user feed (`feed`
//! crate): one entry per message for the recipient and one for the
//! sender's other devices.
//!
//! `sendMessage` enqueues a [`MessageSent`] in its transaction (written by
//! the send statement itself, `db::messages::send`, whose JSON a test holds
//! to this type); the event's handler ([`crate::jobs::MessageNotification`],
//! called by the outbox worker or, with `EVENTS=broker`, by the JetStream
//! consumer) writes both entries once per event ([`append`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::messages::Message;

/// Feed kind of a message in its recipient's log.
pub const MESSAGE_RECEIVED: &str = "message.received";
/// Feed kind of a message in its sender's log (for their other devices).
pub const MESSAGE_SENT: &str = "message.sent";

/// A message was sent (`messaging.message_sent`): the message as clients
/// see it. The feed entries carry it unchanged, so a subscription needs no
/// database read per event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSent {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

impl outbox::Event for MessageSent {
    const KIND: &'static str = "messaging.message_sent";
}

impl From<&Message> for MessageSent {
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

/// Appends the message to the recipient's feed and the sender's, once per
/// `event_id` (a redelivered event appends nothing). Call it in a
/// transaction. The two head rows are locked in ascending id order, so
/// concurrent appends cannot deadlock.
pub async fn append(
    conn: &mut Conn,
    event_id: Uuid,
    message: &MessageSent,
) -> diesel::QueryResult<Vec<(Uuid, i64)>> {
    let payload = serde_json::to_value(message)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let entries = [
        feed::Entry {
            recipient: message.recipient_id,
            kind: MESSAGE_RECEIVED,
            payload: &payload,
        },
        feed::Entry {
            recipient: message.sender_id,
            kind: MESSAGE_SENT,
            payload: &payload,
        },
    ];
    feed::append_once(conn, event_id, &entries).await
}
