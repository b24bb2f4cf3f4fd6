//! The emails auth sends: what they say ([`Templates`], from `templates/`)
//! and how they leave ([`Mailer`]: SMTP, or the log when no mail server is
//! configured). Emails are outbox events ([`EmailJob`]), so a mail server
//! that is down delays them but never loses them or blocks a request.

mod mailer;
mod templates;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use mailer::{Mailer, MailerError, SendError};
pub use templates::{Email, Page, Templates, human_duration};

/// Outbox event kind: send one email.
pub const SEND_EMAIL_EVENT: &str = "email.send";

/// The payload of a [`SEND_EMAIL_EVENT`].
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
}
