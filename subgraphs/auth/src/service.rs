//! The auth domain: registration, sign-in, refresh-token rotation, sign-out,
//! and token checks. Resolvers and the gRPC server are thin layers over this.

use api_errors::{ApiError, ApiResult};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::db::sessions::NewSession;
use crate::db::{accounts, sessions};
use crate::keys::Keys;
use crate::passwords::Hasher;
use crate::revocations::Revocations;
use crate::tokens::{self, Claims, Rejection, TokenSettings};
use crate::validate;
use service_runtime::db::PgPool;

/// Outbox event kind: ask the users service to create the user.
pub const CREATE_USER_EVENT: &str = "users.create_user";

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct CreateUserEvent {
    pub account_id: Uuid,
    pub email: String,
}

/// Tokens handed to a client after login, registration or refresh.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    pub user_id: Uuid,
    pub session_id: Uuid,
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
}

fn new_refresh_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("invalid email or password")
}

fn invalid_refresh_token(reason: &'static str) -> ApiError {
    ApiError::unauthenticated("the refresh token is not valid; sign in again")
        .with_extension("reason", serde_json::Value::from(reason))
}

impl AuthService {
    /// Creates an account and its first session. The event asking users to
    /// create the profile is written in the same transaction.
    /// Returns the tokens and the normalised email.
    pub async fn register(
        &self,
        email: &str,
        password: String,
        client: &ClientInfo,
    ) -> ApiResult<(IssuedTokens, String)> {
        let email = validate::normalize_email(email)?;
        validate::check_password(&password)?;
        let mut conn = self.pool.get().await?;
        // Cheap early answer for the common duplicate case; the unique index decides.
        if accounts::by_email(&mut conn, &email).await?.is_some() {
            return Err(email_taken());
        }
        let hash = self.hasher.hash(password).await?;
        let account_id = Uuid::now_v7();
        let session = self.new_session(account_id, client);
        let (refresh_token, refresh_hash) = new_refresh_token();
        conn.transaction::<_, ApiError, _>(async |conn| {
            accounts::insert(conn, account_id, &email, &hash)
                .await?
                .ok_or_else(email_taken)?;
            sessions::insert(conn, &session.as_new(client)).await?;
            sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                .await?;
            let event = CreateUserEvent {
                account_id,
                email: email.clone(),
            };
            outbox::enqueue(conn, CREATE_USER_EVENT, &event).await?;
            Ok(())
        })
        .await?;
        let tokens = self.tokens(
            account_id,
            session.id,
            false,
            refresh_token,
            session.expires_at,
        )?;
        Ok((tokens, email))
    }

    pub async fn login(
        &self,
        email: &str,
        password: String,
        client: &ClientInfo,
    ) -> ApiResult<IssuedTokens> {
        // A malformed email cannot belong to an account: same answer as a wrong password.
        let email = validate::normalize_email(email).ok();
        if password.chars().count() > validate::MAX_PASSWORD_CHARS {
            return Err(ApiError::invalid_field(
                "password",
                "the password is too long",
            ));
        }
        let mut conn = self.pool.get().await?;
        let account = match &email {
            Some(email) => accounts::by_email(&mut conn, email).await?,
            None => None,
        };
        drop(conn);
        let phc = account.as_ref().and_then(|a| a.password_hash.clone());
        if !self.hasher.verify(password, phc).await? {
            return Err(invalid_credentials());
        }
        let account = account.ok_or_else(invalid_credentials)?;
        let session = self.new_session(account.id, client);
        let (refresh_token, refresh_hash) = new_refresh_token();
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            sessions::insert(conn, &session.as_new(client)).await?;
            sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                .await?;
            Ok(())
        })
        .await?;
        self.tokens(
            account.id,
            session.id,
            account.email_verified,
            refresh_token,
            session.expires_at,
        )
    }

    /// Rotates a refresh token. Presenting one that was already rotated
    /// revokes the whole session: someone else has a copy.
    pub async fn refresh(&self, refresh_token: &str) -> ApiResult<IssuedTokens> {
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
        let presented = hash_refresh_token(refresh_token);
        let (next_token, next_hash) = new_refresh_token();
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
                    return Ok(Outcome::Reused(target.session_id));
                }
                if target.token_expires_at <= Utc::now() {
                    return Ok(Outcome::Refused("EXPIRED"));
                }
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
                email_verified,
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
    pub async fn logout_everywhere(&self, account_id: Uuid) -> ApiResult<usize> {
        let mut conn = self.pool.get().await?;
        let revoked = sessions::revoke_all(&mut conn, account_id, "logout_everywhere").await?;
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
            access_token,
            refresh_token,
            expires_at,
            refresh_expires_at,
            user_id,
            session_id,
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
