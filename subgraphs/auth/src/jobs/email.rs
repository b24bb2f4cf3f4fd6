//! Sending the emails queued as [`EmailJob`]s.

use outbox::{Envelope, Handler, HandlerError};
use uuid::Uuid;

use crate::email::{Email, Mailer, SendError, Templates};
use crate::events::EmailJob;
use crate::service::AuthService;

/// Renders and sends one email per event. A mail server that is down or
/// answers 4xx is retried with the outbox's backoff; a 5xx refusal parks the
/// event (dead letters can be re-driven with `auth outbox redrive`).
pub struct SendEmail {
    service: AuthService,
    mailer: Mailer,
    templates: Templates,
    /// `<public URL>/verify-email?token=`
    verify_link: String,
    /// `<public URL>/reset-password?token=`
    reset_link: String,
    /// `<public URL>/confirm-email-change?token=`
    change_link: String,
}

impl SendEmail {
    pub fn new(
        service: AuthService,
        mailer: Mailer,
        templates: Templates,
        public_url: &str,
    ) -> Self {
        let base = public_url.trim_end_matches('/');
        Self {
            service,
            mailer,
            templates,
            verify_link: format!("{base}{}?token=", crate::http::verify_page::PATH),
            reset_link: format!("{base}{}?token=", crate::http::reset_page::PATH),
            change_link: format!("{base}{}?token=", crate::http::email_change_page::PATH),
        }
    }

    async fn send(&self, email: &Email) -> Result<(), HandlerError> {
        self.mailer.send(email).await.map_err(to_handler_error)
    }

    async fn send_verification(&self, account_id: Uuid, address: &str) -> Result<(), HandlerError> {
        let Some((token, hash)) = self
            .service
            .new_verification_token(account_id, address)
            .await
            .map_err(|err| HandlerError::retry(format!("making a confirmation token: {err:?}")))?
        else {
            tracing::info!(%account_id, "nothing to confirm any more; no email sent");
            return Ok(());
        };
        let link = format!("{}{token}", self.verify_link);
        let email = self
            .templates
            .verify(address, &link, self.service.verification.ttl);
        if let Err(err) = self.mailer.send(&email).await {
            // Nobody will ever see this token; the retry makes a new one.
            if let Err(cleanup) = self.service.discard_verification_token(&hash).await {
                tracing::warn!(?cleanup, "could not delete the token of an unsent email");
            }
            return Err(to_handler_error(err));
        }
        Ok(())
    }

    async fn send_reset(
        &self,
        account_id: Option<Uuid>,
        address: &str,
    ) -> Result<(), HandlerError> {
        // Queued for unknown addresses too, so that asking costs the same
        // whoever asks; nothing goes out for them.
        let Some(account_id) = account_id else {
            tracing::debug!("password reset for an address without an account; no email sent");
            return Ok(());
        };
        let Some((token, hash)) = self
            .service
            .new_reset_token(account_id, address)
            .await
            .map_err(|err| HandlerError::retry(format!("making a reset token: {err:?}")))?
        else {
            tracing::info!(%account_id, "the account has another address or is gone; no reset email sent");
            return Ok(());
        };
        let link = format!("{}{token}", self.reset_link);
        let email =
            self.templates
                .password_reset(address, &link, self.service.verification.reset_ttl);
        if let Err(err) = self.mailer.send(&email).await {
            if let Err(cleanup) = self.service.discard_reset_token(&hash).await {
                tracing::warn!(?cleanup, "could not delete the token of an unsent email");
            }
            return Err(to_handler_error(err));
        }
        Ok(())
    }

    async fn send_email_change(
        &self,
        account_id: Uuid,
        old: &str,
        new: &str,
    ) -> Result<(), HandlerError> {
        let Some((token, hash)) = self
            .service
            .new_email_change_token(account_id, old, new)
            .await
            .map_err(|err| HandlerError::retry(format!("making an email change token: {err:?}")))?
        else {
            tracing::info!(%account_id, "the account's address changed meanwhile, or it is gone; no email sent");
            return Ok(());
        };
        let link = format!("{}{token}", self.change_link);
        let email = self
            .templates
            .email_change(old, new, &link, self.service.verification.ttl);
        if let Err(err) = self.mailer.send(&email).await {
            if let Err(cleanup) = self.service.discard_email_change_token(&hash).await {
                tracing::warn!(?cleanup, "could not delete the token of an unsent email");
            }
            return Err(to_handler_error(err));
        }
        Ok(())
    }
}

fn to_handler_error(err: SendError) -> HandlerError {
    if err.permanent {
        HandlerError::permanent(err.message)
    } else {
        HandlerError::retry(err.message)
    }
}

#[async_trait::async_trait]
impl Handler<EmailJob> for SendEmail {
    async fn handle(&self, job: EmailJob, _envelope: &Envelope) -> Result<(), HandlerError> {
        match job {
            EmailJob::Verify { account_id, email } => {
                self.send_verification(account_id, &email).await
            }
            EmailJob::RegistrationAttempt { email } => {
                self.send(&self.templates.registration_attempt(&email))
                    .await
            }
            EmailJob::PasswordReset { account_id, email } => {
                self.send_reset(account_id, &email).await
            }
            EmailJob::ConfirmEmailChange {
                account_id,
                old_email,
                new_email,
            } => {
                self.send_email_change(account_id, &old_email, &new_email)
                    .await
            }
            EmailJob::EmailChangeNotice {
                old_email,
                new_email,
            } => {
                self.send(&self.templates.email_change_notice(&old_email, &new_email))
                    .await
            }
        }
    }
}
