//! The events users enqueues for itself: [`FriendshipChanged`], handled by
//! [`crate::jobs::FriendNotification`]. Users also handles a contract of
//! auth's ([`contracts::CreateUser`], with `EVENTS=broker`:
//! [`crate::jobs::CreateUser`]).

use uuid::Uuid;

/// A friend notification (`users.friendship_changed`), enqueued by the
/// transaction that changed the friendship
/// ([`notify`](crate::service::notifications::notify)): who is told what
/// about whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FriendshipChanged {
    pub recipient_id: Uuid,
    /// A feed kind ([`REQUEST_RECEIVED`](crate::service::notifications::REQUEST_RECEIVED), …).
    pub kind: String,
    /// The other user of the pair (the actor, or whom the recipient
    /// acted on, for the recipient's own other devices).
    pub user_id: Uuid,
}

impl outbox::Event for FriendshipChanged {
    const KIND: &'static str = "users.friendship_changed";
}
