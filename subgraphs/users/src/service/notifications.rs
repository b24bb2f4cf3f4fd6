//! Friend notifications: what goes into a user's feed, and back out.
//!
//! Appended with [`feed::append`] inside the transaction that changes the
//! friendship, so a notification exists exactly when its change committed.

use diesel::QueryResult;
use uuid::Uuid;

use crate::db::Conn;

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

/// The payload: who did it.
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

/// Tells `recipient` that `actor` did `kind`; call it last in the transaction
/// (the feed holds the recipient's head lock until commit).
pub async fn notify(
    conn: &mut Conn,
    recipient: Uuid,
    kind: FriendEventKind,
    actor: Uuid,
) -> QueryResult<i64> {
    let payload = serde_json::json!({ "user_id": actor });
    feed::append(conn, recipient, kind.as_str(), &payload).await
}
