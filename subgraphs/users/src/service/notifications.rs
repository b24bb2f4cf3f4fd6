//! Friend notifications: what goes into a user's feed, and back out.
//!
//! The transaction that changes a friendship enqueues a
//! [`FriendshipChanged`] outbox event ([`notify`]), so a notification
//! exists exactly when its change committed; the event's handler
//! ([`crate::jobs::FriendNotification`], called by the outbox worker or, with
//! `EVENTS=broker`, by the JetStream consumer) appends the feed entry once
//! per event ([`append`]).

use api_errors::ApiResult;
use diesel::QueryResult;
use uuid::Uuid;

use super::UsersService;

use crate::db::Conn;
use crate::events::FriendshipChanged;

/// Kinds of entries in the feed (stable strings: stored in the log).
pub const REQUEST_RECEIVED: &str = "friend.request_received";
pub const REQUEST_ACCEPTED: &str = "friend.request_accepted";
pub const REQUEST_CANCELLED: &str = "friend.request_cancelled";
pub const REQUEST_SENT: &str = "friend.request_sent";
pub const REQUEST_DECLINED: &str = "friend.request_declined";
pub const FRIEND_REMOVED: &str = "friend.removed";

/// The cursors of `friendEvents` (`friendEventsCursor`): a tag of their
/// own, so that a `messageEvents` or list cursor is refused. Cursors of
/// the untagged era (`v1`) are refused too: clients subscribe afresh once
/// after the upgrade (conversations v2, issue 19).
pub const CURSORS: feed::Cursors = feed::Cursors::new("fe1");

/// What a feed entry tells its recipient. The first three come from the
/// other user; the actor's own other devices hear of the actor's changes:
/// [`RequestSent`](Self::RequestSent), [`RequestDeclined`](Self::RequestDeclined),
/// [`FriendRemoved`](Self::FriendRemoved), and also
/// [`RequestAccepted`](Self::RequestAccepted) and
/// [`RequestCancelled`](Self::RequestCancelled), which tell both sides
/// (the user named is always the other one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriendEventKind {
    /// Someone sent the recipient a friend request.
    RequestReceived,
    /// The recipient and the user became friends: the user accepted the
    /// recipient's request (or sent one back), or the recipient accepted
    /// theirs (on any device).
    RequestAccepted,
    /// A pending request between the two was withdrawn by its sender: the
    /// user withdrew theirs, or the recipient withdrew their own.
    RequestCancelled,
    /// The recipient sent the user a request (on any device).
    RequestSent,
    /// The recipient declined the user's request (the user is not told).
    RequestDeclined,
    /// The recipient ended the friendship with the user (the user is not told).
    FriendRemoved,
}

impl FriendEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FriendEventKind::RequestReceived => REQUEST_RECEIVED,
            FriendEventKind::RequestAccepted => REQUEST_ACCEPTED,
            FriendEventKind::RequestCancelled => REQUEST_CANCELLED,
            FriendEventKind::RequestSent => REQUEST_SENT,
            FriendEventKind::RequestDeclined => REQUEST_DECLINED,
            FriendEventKind::FriendRemoved => FRIEND_REMOVED,
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        match kind {
            REQUEST_RECEIVED => Some(FriendEventKind::RequestReceived),
            REQUEST_ACCEPTED => Some(FriendEventKind::RequestAccepted),
            REQUEST_CANCELLED => Some(FriendEventKind::RequestCancelled),
            REQUEST_SENT => Some(FriendEventKind::RequestSent),
            REQUEST_DECLINED => Some(FriendEventKind::RequestDeclined),
            FRIEND_REMOVED => Some(FriendEventKind::FriendRemoved),
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
    /// The other user.
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
            cursor: CURSORS.encode(event.seq),
            kind,
            user_id: payload.user_id,
            at: event.created_at,
        })
    }
}

/// Tells `recipient` that `kind` happened with `user` (the other side):
/// enqueues the event in the caller's transaction (the feed entry follows
/// when it is delivered).
pub async fn notify(
    conn: &mut Conn,
    recipient: Uuid,
    kind: FriendEventKind,
    user: Uuid,
) -> QueryResult<Uuid> {
    let event = FriendshipChanged {
        recipient_id: recipient,
        kind: kind.as_str().to_owned(),
        user_id: user,
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

impl UsersService {
    /// The cursor of the caller's newest feed entry: subscribing with it as
    /// `after` delivers every entry appended from now on (also those of
    /// changes committed just before whose events are still being
    /// delivered). Read it before loading the lists.
    pub async fn friend_events_cursor(&self, me: Uuid) -> ApiResult<String> {
        let mut conn = self.pool.get().await?;
        let head = feed::head(&mut conn, me).await?;
        Ok(CURSORS.encode(head))
    }
}
