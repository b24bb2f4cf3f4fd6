//! The events auth enqueues: its own ([`EmailJob`], handled by auth's
//! worker), and the contracts it sends other services
//! ([`contracts::CreateUser`] to users, on registration and on a first
//! sign-in with a provider; delivered by [`crate::jobs::CreateUser`] or
//! through JetStream).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Send one email (`email.send`), rendered and sent by
/// [`crate::jobs::email::SendEmail`]. Emails are outbox events, so a mail
/// server that is down delays them but never loses them or blocks a
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailJob {
    /// A confirmation link for the account's address. The token is made
    /// when the email is sent, so no usable token is ever stored, and the
    /// link lives its full TTL even if the mail server was down for a while.
    Verify { account_id: Uuid, email: String },
    /// Someone tried to register with an address that already has a
    /// confirmed account.
    RegistrationAttempt { email: String },
    /// A password reset link for the account of `email`, made (like a
    /// confirmation link) when the email is sent. Queued for every request,
    /// with `account_id: None` when no account has the address: then the
    /// worker sends nothing, and the request cost what any other did.
    PasswordReset {
        account_id: Option<Uuid>,
        email: String,
    },
    /// A link to `new_email` that changes the account's address from
    /// `old_email` to it (made when sent; nothing if the account's address
    /// is no longer `old_email`).
    ConfirmEmailChange {
        account_id: Uuid,
        old_email: String,
        new_email: String,
    },
    /// Tells `old_email` that a change to `new_email` was asked for.
    EmailChangeNotice {
        old_email: String,
        new_email: String,
    },
}

impl outbox::Event for EmailJob {
    const KIND: &'static str = "email.send";
}
