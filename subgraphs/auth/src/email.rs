//! The emails auth sends: what they say ([`Templates`], from `templates/`)
//! and how they leave ([`Mailer`]: SMTP, or the log when no mail server is
//! configured). Emails are outbox events ([`EmailJob`](crate::events::EmailJob)),
//! so a mail server that is down delays them but never loses them or blocks
//! a request.

mod mailer;
mod templates;

pub use mailer::{Mailer, MailerError, SendError};
pub use templates::{Email, Page, Templates, human_duration};
