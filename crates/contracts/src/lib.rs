//! The events one service sends another: each a type, its payload and the
//! kind it travels under ([`outbox::Event`]), compiled into the producer
//! and the consumer alike, so the two cannot disagree on either. Events a
//! service only sends itself stay in that service's `events.rs`.
//!
//! The [`Event`] trait lives in `outbox`, not here: it is what the outbox
//! stores and routes by, and the outbox is a library of its own that has no
//! business knowing the messenger's events. Every user of a contract
//! enqueues or handles it through the outbox anyway, so depending on it
//! costs nothing.
//!
//! A contract changes like a public API: its `KIND` never (it is in stored
//! rows and is the broker subject), its fields only compatibly (a new field
//! is optional for the consumer, which may be deployed first).

use outbox::Event;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Auth to users: create the user of a new account (on registration and on
/// a first sign-in with a provider). Idempotent by account id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUser {
    pub account_id: Uuid,
    pub email: String,
}

impl Event for CreateUser {
    const KIND: &'static str = "users.create_user";
}

/// Users to messaging: `blocker_id` blocked `blocked_id` (in the
/// transaction that recorded it). `version` orders the changes of one pair:
/// messaging keeps the state of the highest version it has seen, so a late
/// or repeated event changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserBlocked {
    pub blocker_id: Uuid,
    pub blocked_id: Uuid,
    pub version: i64,
}

impl Event for UserBlocked {
    const KIND: &'static str = "users.user_blocked";
}

/// Users to messaging: `blocker_id` unblocked `blocked_id`; ordered with
/// [`UserBlocked`] by `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUnblocked {
    pub blocker_id: Uuid,
    pub blocked_id: Uuid,
    pub version: i64,
}

impl Event for UserUnblocked {
    const KIND: &'static str = "users.user_unblocked";
}

/// Users to messaging: a user's privacy settings as they are now (all of
/// them, so the newest version alone is the state). Values: `EVERYONE`,
/// `FRIENDS` (and `NOBODY` for `show_last_seen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyChanged {
    pub user_id: Uuid,
    pub who_may_message: String,
    pub who_may_add: String,
    pub read_receipts: bool,
    pub show_last_seen: String,
    pub version: i64,
}

impl Event for PrivacyChanged {
    const KIND: &'static str = "users.privacy_changed";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire form, as rows already stored and a consumer of another
    /// version read it.
    #[test]
    fn create_user_keeps_its_kind_and_shape() {
        let event = CreateUser {
            account_id: Uuid::nil(),
            email: "a@example.com".to_owned(),
        };
        assert_eq!(CreateUser::KIND, "users.create_user");
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({
                "account_id": "00000000-0000-0000-0000-000000000000",
                "email": "a@example.com",
            })
        );
    }

    #[test]
    fn block_and_privacy_events_keep_their_kinds_and_shapes() {
        let nil = Uuid::nil();
        assert_eq!(UserBlocked::KIND, "users.user_blocked");
        assert_eq!(UserUnblocked::KIND, "users.user_unblocked");
        assert_eq!(PrivacyChanged::KIND, "users.privacy_changed");
        let pair = serde_json::json!({
            "blocker_id": "00000000-0000-0000-0000-000000000000",
            "blocked_id": "00000000-0000-0000-0000-000000000000",
            "version": 7,
        });
        let blocked = UserBlocked {
            blocker_id: nil,
            blocked_id: nil,
            version: 7,
        };
        assert_eq!(serde_json::to_value(&blocked).unwrap(), pair);
        let unblocked = UserUnblocked {
            blocker_id: nil,
            blocked_id: nil,
            version: 7,
        };
        assert_eq!(serde_json::to_value(&unblocked).unwrap(), pair);
        let privacy = PrivacyChanged {
            user_id: nil,
            who_may_message: "FRIENDS".to_owned(),
            who_may_add: "EVERYONE".to_owned(),
            read_receipts: false,
            show_last_seen: "NOBODY".to_owned(),
            version: 3,
        };
        assert_eq!(
            serde_json::to_value(&privacy).unwrap(),
            serde_json::json!({
                "user_id": "00000000-0000-0000-0000-000000000000",
                "who_may_message": "FRIENDS",
                "who_may_add": "EVERYONE",
                "read_receipts": false,
                "show_last_seen": "NOBODY",
                "version": 3,
            })
        );
    }
}
