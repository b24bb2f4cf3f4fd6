//! Sending an [`Email`]: over SMTP with `lettre`, or, when no mail server is
//! configured (the local default), into the log so the link can be clicked.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use super::Email;

/// Upper bound for one SMTP conversation (connect, TLS, envelope, data).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("EMAIL_FROM {0:?} is not a valid mailbox: {1}")]
    From(String, lettre::address::AddressError),
    #[error("SMTP_URL is not usable: {0}")]
    SmtpUrl(lettre::transport::smtp::Error),
}

/// Why an email was not sent, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    /// The server refused for good (5xx), or the email cannot be built:
    /// retrying sends nothing.
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No mail server: emails go to the log.
    Log { from: Mailbox },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport knows the SMTP credentials: never print it.
        match self {
            Mailer::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
            Mailer::Log { from } => write!(f, "Mailer::Log(from {from})"),
        }
    }
}

impl Mailer {
    /// A mailer for `SMTP_URL` (TLS as the URL says; see the config), or
    /// one that logs when it is unset or empty.
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, MailerError> {
        let from: Mailbox = from
            .parse()
            .map_err(|err| MailerError::From(from.to_owned(), err))?;
        match smtp_url.map(str::trim).filter(|url| !url.is_empty()) {
            None => Ok(Mailer::Log { from }),
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(MailerError::SmtpUrl)?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
        }
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self, Mailer::Smtp { .. })
    }

    pub async fn send(&self, email: &Email) -> Result<(), SendError> {
        match self {
            Mailer::Smtp { transport, from } => {
                let message = build(from, email)?;
                match transport.send(message).await {
                    Ok(_) => {
                        tracing::info!(subject = %email.subject, "email sent");
                        Ok(())
                    }
                    Err(err) => Err(SendError {
                        message: format!("SMTP: {err}"),
                        permanent: err.is_permanent(),
                    }),
                }
            }
            Mailer::Log { from } => {
                // The local default: a developer reads the email here and
                // follows its link.
                tracing::info!(
                    %from,
                    to = %email.to,
                    subject = %email.subject,
                    link = email.link.as_deref().unwrap_or("-"),
                    "no SMTP_URL configured: email logged instead of sent\n{}",
                    email.text
                );
                Ok(())
            }
        }
    }
}

fn build(from: &Mailbox, email: &Email) -> Result<Message, SendError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|err| SendError::permanent(format!("recipient {:?}: {err}", email.to)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|err| SendError::permanent(format!("building the email: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The SMTP pool spawns its reaper on the runtime.
    #[tokio::test]
    async fn smtp_urls_choose_the_transport() {
        let from = "Messenger <no-reply@localhost>";
        assert!(!Mailer::new(None, from).unwrap().is_smtp());
        assert!(!Mailer::new(Some("  "), from).unwrap().is_smtp());
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:secret@mail.example.com:587?tls=required",
            "smtp://mail.example.com?tls=opportunistic",
            "smtps://user:secret@mail.example.com",
        ] {
            assert!(Mailer::new(Some(url), from).unwrap().is_smtp(), "{url}");
        }
        for url in [
            "http://mail.example.com",
            "smtp://mail.example.com?tls=maybe",
            "nonsense",
        ] {
            assert!(
                matches!(Mailer::new(Some(url), from), Err(MailerError::SmtpUrl(_))),
                "{url}"
            );
        }
        assert!(matches!(
            Mailer::new(None, "not a mailbox"),
            Err(MailerError::From(..))
        ));
    }

    #[tokio::test]
    async fn debug_output_hides_credentials() {
        let mailer = Mailer::new(
            Some("smtp://user:hunter2@mail.example.com:587?tls=required"),
            "a@example.com",
        )
        .unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
    }
}
