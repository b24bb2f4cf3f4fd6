//! Friend notifications: what goes into a user's feed, and back out.
//!
//! The transaction that changes a friendship enqueues a
//! [`FriendshipChanged`] outbox event ([`notify`]), so a notification
//! exists exactly when its change committed; the event's handler
//! ([`crate::jobs::FriendNotification`], called by the outbox worker or, with
//! `EVENTS=broker`, by the JetStream consumer) appends the feed entry once
//! per event ([`append`]).

use diesel::QueryResult;
use uuid::Uuid;

use crate::db::Conn;
use crate::events::FriendshipChanged;

/// Kinds of entries in the feed (stable strings: stored in the log).
pub const REQUEST_RECEIVED: &str = "friend.request_received";
pub const REQUEST_ACCEPTED: &str = "friend.request_accepted";
pub const REQUEST_CANCELLED: &str = "friend.request_cancelled";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriendEventKind {
    /// Someone sent the recipient a friend request.
    RequestReceived,
    /// Someone accepted the recipient's request (or sent one back).
    RequestAccepted,
    /// Someone withdrew the request they had sent the recipient.
    RequestCancelled,
}

impl FriendEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FriendEventKind::RequestReceived => REQUEST_RECEIVED,
            FriendEventKind::RequestAccepted => REQUEST_ACCEPTED,
            FriendEventKind::RequestCancelled => REQUEST_CANCELLED,
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        match kind {
            REQUEST_RECEIVED => Some(FriendEventKind::RequestReceived),
            REQUEST_ACCEPTED => Some(FriendEventKind::RequestAccepted),
            REQUEST_CANCELLED => Some(FriendEventKind::RequestCancelled),
            _ => None,
        }
    }
}

/// The feed entry's payload: who did it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Payload {
    user_id: Uuid,
}

/// A friend notification read back from the feed.
#[derive(Debug, Clone)]
pub struct FriendEvent {
    pub cursor: String,
    pub kind: FriendEventKind,
    /// The other user: who sent, accepted or cancelled.
    pub user_id: Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl FriendEvent {
    /// `None` for entries that are not friend notifications (or that this
    /// version does not understand): subscribers skip them.
    pub fn from_feed(event: &feed::Event) -> Option<Self> {
        let kind = FriendEventKind::parse(&event.kind)?;
        let payload: Payload = serde_json::from_value(event.payload.clone()).ok()?;
        Some(FriendEvent {
            cursor: event.cursor(),
            kind,
            user_id: payload.user_id,
            at: event.created_at,
        })
    }
}

/// Tells `recipient` that `actor` did `kind`: enqueues the event in the
/// caller's transaction (the feed entry follows when it is delivered).
pub async fn notify(
    conn: &mut Conn,
    recipient: Uuid,
    kind: FriendEventKind,
    actor: Uuid,
) -> QueryResult<Uuid> {
    let event = FriendshipChanged {
        recipient_id: recipient,
        kind: kind.as_str().to_owned(),
        user_id: actor,
    };
    outbox::enqueue(conn, &event).await
}

/// Appends the feed entry of a [`FriendshipChanged`], once per
/// `event_id` (a redelivered event appends nothing). Call it in a
/// transaction.
pub async fn append(
    conn: &mut Conn,
    event_id: Uuid,
    event: &FriendshipChanged,
) -> QueryResult<Vec<(Uuid, i64)>> {
    let payload = serde_json::json!({ "user_id": event.user_id });
    let entry = feed::Entry {
        recipient: event.recipient_id,
        kind: &event.kind,
        payload: &payload,
    };
    feed::append_once(conn, event_id, &[entry]).await
}
