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
}
