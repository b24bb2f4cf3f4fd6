//! The auth domain: registration, sign-in, refresh-token rotation, sign-out,
//! email confirmation ([`verification`]), password reset
//! ([`password_reset`]), changing the address ([`email_change`]) and token
//! checks. Resolvers, the
//! confirmation page and the gRPC server are thin layers over this.

pub mod email_change;
pub mod identities;
pub mod oauth;
pub mod password_reset;
pub mod security;
pub mod totp;
pub mod verification;

use api_errors::{ApiError, ApiResult, ErrorCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::db::sessions::NewSession;
use crate::db::{accounts, device_tokens, sessions};
use crate::events::EmailJob;
use crate::keys::Keys;
use crate::passwords::Hasher;
use crate::revocations::Revocations;
use crate::secrets::{AccessToken, DeviceToken, Password, RefreshToken};
use crate::tokens::{self, Claims, Rejection, TokenSettings};
use crate::validate;
use service_runtime::db::PgPool;

pub use password_reset::{PasswordReset, ResetLink};
pub use security::EventKind;
pub use verification::{EmailVerification, Verification, VerificationPolicy};

/// Tokens handed to a client after login, registration or refresh.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: AccessToken,
    pub refresh_token: RefreshToken,
    pub expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    pub user_id: Uuid,
    pub session_id: Uuid,
    /// The device credential of this sign-in (login, registration,
    /// provider sign-in; not refresh): see [`AuthService::login`].
    pub device_token: Option<DeviceToken>,
}

/// How long a device credential lives unless used again.
pub const DEVICE_TOKEN_TTL: chrono::TimeDelta = chrono::TimeDelta::days(365);

/// Remembers a new device of `account_id` (in the caller's transaction);
/// returns its token.
async fn remember_device(conn: &mut crate::db::Conn, account_id: Uuid) -> ApiResult<String> {
    let (token, hash) = new_token();
    device_tokens::insert(conn, &hash, account_id, Utc::now() + DEVICE_TOKEN_TTL).await?;
    Ok(token)
}

/// The outcome of `register`.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The normalised email.
    pub email: String,
    /// The new account's session; `None` while its email awaits confirmation
    /// (and then the answer is the same whether the address was free or not).
    pub signed_in: Option<IssuedTokens>,
}

/// Where a sign-in comes from, recorded on the session.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[derive(Clone)]
pub struct AuthService {
    pub pool: PgPool,
    pub hasher: Hasher,
    pub keys: Keys,
    pub revocations: Revocations,
    pub settings: TokenSettings,
    pub refresh_ttl: std::time::Duration,
    pub verification: VerificationPolicy,
    /// Sign-in with OpenID Connect providers ([`oauth`]).
    pub oauth: crate::oauth::OAuth,
    /// Throttling shared by every replica ([`security`]).
    pub limiter: ratelimit::Limiter,
    pub limits: security::Limits,
    /// The issuer named in TOTP enrollment URIs (the product name).
    pub totp_issuer: String,
}

/// An opaque token of 256 random bits (43 URL-safe characters) and the
/// SHA-256 that is all we store of it (refresh, confirmation and device
/// tokens).
pub(crate) fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub(crate) fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Shaped like a token of [`new_token`]: only those are looked up.
pub(crate) fn is_token_shaped(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("invalid email or password")
}

fn email_not_verified() -> ApiError {
    ApiError::new(
        ErrorCode::EmailNotVerified,
        "confirm your email address first: follow the link we sent you, or ask for a new one",
    )
}

fn invalid_refresh_token(reason: &'static str) -> ApiError {
    ApiError::unauthenticated("the refresh token is not valid; sign in again")
        .with_extension("reason", serde_json::Value::from(reason))
}

impl AuthService {
    /// Creates an account. Without required confirmation it is signed in
    /// at once (a taken email is a CONFLICT); with it, see
    /// [`register_unverified`](Self::register_unverified). The event asking
    /// users to create the profile is written in the same transaction.
    pub async fn register(
        &self,
        email: &str,
        password: Password,
        client: &ClientInfo,
    ) -> ApiResult<Registration> {
        let email = validate::normalize_email(email)?;
        validate::check_password(password.expose())?;
        self.throttle_register(client).await?;
        if self.verification.mode == EmailVerification::Required {
            self.register_unverified(&email, password, client).await?;
            return Ok(Registration {
                email,
                signed_in: None,
            });
        }
        let mut conn = self.pool.get().await?;
        // Cheap early answer for the common duplicate case; the unique index decides.
        if accounts::by_email(&mut conn, &email).await?.is_some() {
            return Err(email_taken());
        }
        let hash = self.hasher.hash(password).await?;
        let account_id = Uuid::now_v7();
        let session = self.new_session(account_id, client);
        let (refresh_token, refresh_hash) = new_token();
        let device = conn
            .transaction::<_, ApiError, _>(async |conn| {
                accounts::insert(conn, account_id, &email, &hash)
                    .await?
                    .ok_or_else(email_taken)?;
                sessions::insert(conn, &session.as_new(client)).await?;
                sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                    .await?;
                let event = contracts::CreateUser {
                    account_id,
                    email: email.clone(),
                };
                outbox::enqueue(conn, &event).await?;
                security::record(
                    conn,
                    EventKind::Registered,
                    Some(account_id),
                    Some(session.id),
                    client,
                )
                .await?;
                remember_device(conn, account_id).await
            })
            .await?;
        let mut tokens = self.tokens(
            account_id,
            session.id,
            self.ev_claim(false),
            refresh_token,
            session.expires_at,
        )?;
        tokens.device_token = Some(DeviceToken::new(device));
        Ok(Registration {
            email,
            signed_in: Some(tokens),
        })
    }

    /// Registration when confirmation is required: no session, and nothing
    /// in the answer or its timing tells whether the address was free. A new
    /// account is sent its confirmation link; a taken address gets a new
    /// link if still unconfirmed, else a "someone tried to register" notice
    /// (both within the per-address email limit, silently).
    async fn register_unverified(
        &self,
        email: &str,
        password: Password,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        // Hash whatever happens next: a taken address costs what a free one does.
        let hash = self.hasher.hash(password).await?;
        let account_id = Uuid::now_v7();
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            if accounts::insert(conn, account_id, email, &hash)
                .await?
                .is_some()
            {
                let event = contracts::CreateUser {
                    account_id,
                    email: email.to_owned(),
                };
                outbox::enqueue(conn, &event).await?;
                security::record(conn, EventKind::Registered, Some(account_id), None, client)
                    .await?;
                // The first link of a new account goes out even if strangers
                // used up the address's limit; it still counts.
                self.verification.take_email(conn, email).await?;
                let job = EmailJob::Verify {
                    account_id,
                    email: email.to_owned(),
                };
                outbox::enqueue(conn, &job).await?;
                return Ok(());
            }
            let Some(existing) = accounts::by_email(conn, email).await? else {
                return Ok(());
            };
            if self.verification.take_email(conn, email).await?.is_some() {
                tracing::info!("registration with a taken address: email limit reached, none sent");
                return Ok(());
            }
            let job = if existing.email_verified {
                EmailJob::RegistrationAttempt {
                    email: email.to_owned(),
                }
            } else {
                EmailJob::Verify {
                    account_id: existing.id,
                    email: email.to_owned(),
                }
            };
            outbox::enqueue(conn, &job).await?;
            Ok(())
        })
        .await
    }

    /// Signs in with email and password. `device_token`, a device
    /// credential an earlier sign-in of this account returned (OWASP
    /// "device cookies"), moves the attempt from the per-account limit to a
    /// per-device one: strangers who use up the account's attempts do not
    /// lock out the devices its owner signed in on. Any other token (forged,
    /// expired, another account's) changes nothing. A successful sign-in
    /// returns the device's credential: the one presented, or a new one.
    pub async fn login(
        &self,
        email: &str,
        password: Password,
        device_token: Option<&str>,
        client: &ClientInfo,
    ) -> ApiResult<IssuedTokens> {
        // A malformed email cannot belong to an account: same answer as a wrong password.
        let email = validate::normalize_email(email).ok();
        if password.expose().chars().count() > validate::MAX_PASSWORD_CHARS {
            return Err(ApiError::invalid_field(
                "password",
                "the password is too long",
            ));
        }
        let presented = device_token
            .map(str::trim)
            .filter(|token| is_token_shaped(token));
        let presented_hash = presented.map(hash_token);
        let mut conn = self.pool.get().await?;
        let account = match &email {
            Some(email) => accounts::by_email(&mut conn, email).await?,
            None => None,
        };
        let device_account = match (&presented_hash, &account) {
            (Some(hash), Some(_)) => device_tokens::account_of(&mut conn, hash).await?,
            _ => None,
        };
        drop(conn);
        let known_device = presented_hash.as_deref().filter(|_| {
            device_account.is_some() && device_account == account.as_ref().map(|a| a.id)
        });
        // Before the password is looked at: during a lockout even the
        // right one fails, and no hashing is spent on it.
        self.throttle_login_from(email.as_deref(), known_device, client)
            .await?;
        let phc = account.as_ref().and_then(|a| a.password_hash.clone());
        if !self.hasher.verify(password.clone(), phc.clone()).await? {
            self.record_failed_login(account.as_ref().map(|a| a.id), client)
                .await;
            return Err(invalid_credentials());
        }
        let account = account.ok_or_else(invalid_credentials)?;
        // Only now, with the password right: this says nothing to someone
        // who does not know it.
        if self.verification.mode == EmailVerification::Required && !account.email_verified {
            return Err(email_not_verified());
        }
        let session = self.new_session(account.id, client);
        let (refresh_token, refresh_hash) = new_token();
        let mut conn = self.pool.get().await?;
        let signed_in = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // The password checked must still be the account's: a
                // provider sign-in that claimed the account, or a password
                // change, since we read it ended every session, and must
                // not be followed by a new one made with the old password.
                if accounts::lock_password_hash(conn, account.id).await? != Some(phc.clone()) {
                    return Err(invalid_credentials());
                }
                // Under the account's row lock: TOTP turned on or off
                // meanwhile is seen.
                if totp::is_enabled(conn, account.id).await? {
                    let challenge =
                        totp::issue_challenge(conn, account.id, client, known_device, None).await?;
                    return Ok(Err(challenge));
                }
                sessions::insert(conn, &session.as_new(client)).await?;
                sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                    .await?;
                security::record(
                    conn,
                    EventKind::LoggedIn,
                    Some(account.id),
                    Some(session.id),
                    client,
                )
                .await?;
                match (known_device, presented) {
                    (Some(hash), Some(token)) => {
                        device_tokens::touch(conn, hash, Utc::now() + DEVICE_TOKEN_TTL).await?;
                        Ok(Ok(token.to_owned()))
                    }
                    _ => remember_device(conn, account.id).await.map(Ok),
                }
            })
            .await?;
        if let Some(phc) = &phc {
            self.upgrade_hash(account.id, phc, password).await;
        }
        let device = signed_in.map_err(|challenge| totp::mfa_required(&challenge))?;
        let mut tokens = self.tokens(
            account.id,
            session.id,
            self.ev_claim(account.email_verified),
            refresh_token,
            session.expires_at,
        )?;
        tokens.device_token = Some(DeviceToken::new(device));
        Ok(tokens)
    }

    /// Rotates a refresh token. Presenting one that was already rotated
    /// revokes the whole session: someone else has a copy.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        client: &ClientInfo,
    ) -> ApiResult<IssuedTokens> {
        if refresh_token.is_empty() || refresh_token.len() > 256 {
            return Err(invalid_refresh_token("MALFORMED"));
        }
        enum Outcome {
            Rotated {
                account_id: Uuid,
                session_id: Uuid,
                email_verified: bool,
            },
            Reused(Uuid),
            Refused(&'static str),
        }
        let presented = hash_token(refresh_token);
        let (next_token, next_hash) = new_token();
        let next_expiry = Utc::now() + self.refresh_ttl;
        let mut conn = self.pool.get().await?;
        let outcome = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let Some(target) = sessions::lock_refresh_target(conn, &presented).await? else {
                    return Ok(Outcome::Refused("UNKNOWN"));
                };
                if target.session_revoked_at.is_some() {
                    return Ok(Outcome::Refused("SESSION_REVOKED"));
                }
                if target.rotated_at.is_some() || !sessions::mark_rotated(conn, &presented).await? {
                    sessions::revoke(
                        conn,
                        target.account_id,
                        target.session_id,
                        "refresh_token_reuse",
                    )
                    .await?;
                    security::record(
                        conn,
                        EventKind::RefreshTokenReused,
                        Some(target.account_id),
                        Some(target.session_id),
                        client,
                    )
                    .await?;
                    return Ok(Outcome::Reused(target.session_id));
                }
                if target.token_expires_at <= Utc::now() {
                    return Ok(Outcome::Refused("EXPIRED"));
                }
                // After the reuse check, which must always fire; a refusal
                // rolls back the rotation mark above.
                self.throttle_refresh(conn, target.session_id).await?;
                sessions::insert_refresh_token(conn, &next_hash, target.session_id, next_expiry)
                    .await?;
                sessions::touch(conn, target.session_id, next_expiry).await?;
                Ok(Outcome::Rotated {
                    account_id: target.account_id,
                    session_id: target.session_id,
                    email_verified: target.email_verified,
                })
            })
            .await?;
        match outcome {
            Outcome::Rotated {
                account_id,
                session_id,
                email_verified,
            } => self.tokens(
                account_id,
                session_id,
                self.ev_claim(email_verified),
                next_token,
                next_expiry,
            ),
            Outcome::Reused(session_id) => {
                tracing::warn!(%session_id, "refresh token reuse detected; session revoked");
                self.revocations.insert([session_id]);
                Err(invalid_refresh_token("REUSED"))
            }
            Outcome::Refused(reason) => Err(invalid_refresh_token(reason)),
        }
    }

    /// Ends the caller's session.
    pub async fn logout(&self, account_id: Uuid, session_id: Uuid) -> ApiResult<bool> {
        let mut conn = self.pool.get().await?;
        let revoked = sessions::revoke(&mut conn, account_id, session_id, "logout").await?;
        self.revocations.insert([session_id]);
        Ok(revoked)
    }

    /// Ends every session of the caller, this one included; returns how many.
    pub async fn logout_everywhere(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        client: &ClientInfo,
    ) -> ApiResult<usize> {
        let mut conn = self.pool.get().await?;
        let revoked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let revoked = sessions::revoke_all(conn, account_id, "logout_everywhere").await?;
                security::record(
                    conn,
                    EventKind::LoggedOutEverywhere,
                    Some(account_id),
                    Some(session_id),
                    client,
                )
                .await?;
                Ok(revoked)
            })
            .await?;
        let count = revoked.len();
        self.revocations.insert(revoked);
        Ok(count)
    }

    pub async fn sessions(&self, account_id: Uuid) -> ApiResult<Vec<sessions::Session>> {
        let mut conn = self.pool.get().await?;
        Ok(sessions::active_for(&mut conn, account_id).await?)
    }

    pub async fn account(&self, account_id: Uuid) -> ApiResult<Option<accounts::Account>> {
        let mut conn = self.pool.get().await?;
        Ok(accounts::by_id(&mut conn, account_id).await?)
    }

    /// The hot path: signature, claims and revocation, all from memory.
    pub fn validate_token(&self, token: &str) -> Result<Claims, Rejection> {
        let keys = self.keys.current();
        let claims = tokens::verify(&keys, &self.settings, token)?;
        if self.revocations.is_revoked(claims.sid) {
            return Err(Rejection::SessionRevoked);
        }
        Ok(claims)
    }

    /// The `ev` claim of an access token: may this account act (write in
    /// users and messaging)? Yes if its email is confirmed, and yes for every
    /// account while confirmation is not required. Re-read on every sign-in
    /// and refresh, so a confirmation shows in the next token.
    fn ev_claim(&self, email_verified: bool) -> bool {
        email_verified || self.verification.mode == EmailVerification::Off
    }

    fn new_session(&self, account_id: Uuid, _client: &ClientInfo) -> PendingSession {
        PendingSession {
            id: Uuid::new_v4(),
            account_id,
            expires_at: Utc::now() + self.refresh_ttl,
        }
    }

    fn tokens(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        email_verified: bool,
        refresh_token: String,
        refresh_expires_at: DateTime<Utc>,
    ) -> ApiResult<IssuedTokens> {
        let keys = self.keys.current();
        let (access_token, expires_at) =
            tokens::issue(&keys, &self.settings, user_id, session_id, email_verified)
                .map_err(ApiError::internal)?;
        Ok(IssuedTokens {
            access_token: AccessToken::new(access_token),
            refresh_token: RefreshToken::new(refresh_token),
            expires_at,
            refresh_expires_at,
            user_id,
            session_id,
            device_token: None,
        })
    }
}

fn email_taken() -> ApiError {
    ApiError::conflict("an account with this email already exists")
        .with_extension("field", serde_json::Value::from("email"))
}

struct PendingSession {
    id: Uuid,
    account_id: Uuid,
    expires_at: DateTime<Utc>,
}

impl PendingSession {
    fn as_new<'a>(&self, client: &'a ClientInfo) -> NewSession<'a> {
        NewSession {
            id: self.id,
            account_id: self.account_id,
            expires_at: self.expires_at,
            user_agent: client.user_agent.as_deref(),
            ip: client.ip.as_deref(),
        }
    }
}
