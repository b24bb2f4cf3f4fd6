//! GraphQL object and input types of the messaging subgraph.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::cursor::{self, Kind};
use crate::db::messages::Message as MessageRow;
use crate::events::MessageSent;
use crate::service::{self, ConversationView, Page};

/// A user of the messenger. Messaging only refers to users; the users
/// subgraph resolves their fields through the router.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(unresolvable = "id")]
pub struct User {
    pub id: ID,
}

impl From<Uuid> for User {
    fn from(id: Uuid) -> Self {
        Self {
            id: ID(id.to_string()),
        }
    }
}

#[derive(InputObject)]
pub struct SendMessageInput {
    /// The recipient's user id.
    pub to: ID,
    /// 1 to 4000 characters after trimming; no control characters other
    /// than newline and tab.
    pub text: String,
    /// Chosen by the client, unique per message it sends (1 to 128 visible
    /// ASCII characters, e.g. a UUID). Sending again with the same id
    /// returns the original message instead of sending another.
    pub client_message_id: String,
}

/// A direct message.
#[derive(SimpleObject, Clone, Debug)]
pub struct Message {
    pub id: ID,
    pub conversation_id: ID,
    pub sender: User,
    pub recipient: User,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

impl From<MessageRow> for Message {
    fn from(row: MessageRow) -> Self {
        Self {
            id: ID(row.id.to_string()),
            conversation_id: ID(row.conversation_id.to_string()),
            sender: row.sender_id.into(),
            recipient: row.recipient_id.into(),
            text: row.body,
            sent_at: row.sent_at,
        }
    }
}

impl From<MessageSent> for Message {
    fn from(payload: MessageSent) -> Self {
        Self {
            id: ID(payload.id.to_string()),
            conversation_id: ID(payload.conversation_id.to_string()),
            sender: payload.sender_id.into(),
            recipient: payload.recipient_id.into(),
            text: payload.text,
            sent_at: payload.sent_at,
        }
    }
}

/// A direct conversation, as the caller sees it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Conversation {
    pub id: ID,
    /// The other participant.
    pub peer: User,
    /// The newest message.
    pub last_message: Option<Message>,
    /// Messages from the peer after the caller's read marker.
    pub unread_count: i32,
}

impl From<ConversationView> for Conversation {
    fn from(view: ConversationView) -> Self {
        Self {
            id: ID(view.id.to_string()),
            peer: view.peer_id.into(),
            last_message: view.last_message.map(Into::into),
            unread_count: view.unread_count,
        }
    }
}

pub type ConversationConnection = Connection<String, Conversation>;
pub type MessageConnection = Connection<String, Message>;

/// The caller's conversations: `hasNextPage` says whether more (older
/// activity) follow; pass `endCursor` as `after` for them.
pub fn conversation_connection(page: Page<ConversationView>) -> ConversationConnection {
    let mut connection = Connection::new(false, page.has_more);
    connection.edges = page
        .items
        .into_iter()
        .map(|view| {
            Edge::new(
                cursor::encode(Kind::Conversation, view.activity),
                view.into(),
            )
        })
        .collect();
    connection
}

/// A history page, newest first: `hasNextPage` says whether older messages
/// follow; pass `endCursor` as `before` for them.
pub fn message_connection(page: Page<MessageRow>) -> MessageConnection {
    let mut connection = Connection::new(false, page.has_more);
    connection.edges = page
        .items
        .into_iter()
        .map(|row| Edge::new(cursor::encode(Kind::Message, row.seq), row.into()))
        .collect();
    connection
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEventKind {
    /// Someone sent the caller a message.
    MessageReceived,
    /// The caller sent a message (from this or another device).
    MessageSent,
}

impl From<service::EventKind> for MessageEventKind {
    fn from(kind: service::EventKind) -> Self {
        match kind {
            service::EventKind::Received => MessageEventKind::MessageReceived,
            service::EventKind::Sent => MessageEventKind::MessageSent,
        }
    }
}

/// One entry of the caller's message feed.
#[derive(SimpleObject, Clone, Debug)]
pub struct MessageEvent {
    /// Pass as `after` when resubscribing to continue right after this event.
    pub cursor: String,
    pub kind: MessageEventKind,
    pub message: Message,
}

impl From<service::MessageEvent> for MessageEvent {
    fn from(event: service::MessageEvent) -> Self {
        Self {
            cursor: event.cursor,
            kind: event.kind.into(),
            message: event.message.into(),
        }
    }
}
