//! Signing in with an OpenID Connect provider: starting a flow, its
//! callback, and the exchange of the one-time login code for a session,
//! where the account is found, linked or created.
//!
//! Account rules, applied when the login code is exchanged:
//! - an identity (issuer, subject) seen before signs in to its account;
//! - else an account with the provider's email is linked only if the
//!   provider says the email is verified and the provider is trusted to say
//!   so (`trust_email_verified`, default true; otherwise CONFLICT). Linking
//!   confirms the account's address. If the address had never been
//!   confirmed, the account is *claimed*, whatever `EMAIL_VERIFICATION`
//!   says: its password is removed, every session ends and every other
//!   identity linked to it is unlinked, and `UNVERIFIED_ACCOUNT_CLAIMED` is
//!   recorded — whoever set them up never proved the address is theirs (an
//!   account registered in someone else's name beforehand must not survive
//!   the real owner signing in);
//! - else a verified email creates an account without a password, confirmed
//!   when the provider is trusted (unconfirmed otherwise), and asks users to
//!   create the user (outbox, same transaction), as registration does; an
//!   unverified or missing email creates nothing.
//!
//! Emails are compared in their normalised form (`validate::normalize_email`:
//! NFKC, case-folded); one that is not already normal but for its case is
//! refused (EMAIL_INVALID), never folded into someone else's address.
//!
//! Login codes and flow states are single use: each is spent by the first
//! request presenting it, whatever its outcome.

use api_errors::{ApiError, ApiResult};
use chrono::Utc;
use diesel_async::AsyncConnection as _;
use url::Url;
use uuid::Uuid;

use super::security::{self, EventKind};
use super::{AuthService, ClientInfo, IssuedTokens};
use super::{hash_token, new_token};
use crate::db::oauth::{self as db, LoginCode, NewIdentity, NewState, Spent};
use crate::db::{accounts, device_tokens, sessions};
use crate::oauth::flow::{self, ExchangeFailed, Pending, VerifiedIdentity};
use crate::oauth::{Failure, FlowCookie, MAX_APP_STATE_LEN, back_to_app};
use crate::validate;

/// Spent states and codes are kept this long after they expire, so that a
/// late replay is told "already used" or "expired" rather than "invalid".
const KEEP_SPENT: std::time::Duration = std::time::Duration::from_hours(24);

/// The query of the provider's redirect to `/oauth/{provider}/callback`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    /// RFC 9207: the issuer of the answer, when the provider says it.
    pub iss: Option<String>,
}

/// A sign-in started by a browser: where to send it, and the cookie that
/// binds the flow to it.
pub struct Started {
    pub url: Url,
    pub cookie: FlowCookie,
}

/// A callback that did not end in a login code.
#[derive(Debug)]
pub struct CallbackFailure {
    pub failure: Failure,
    /// The app's redirect URI with `error` (and its `state`), once the flow
    /// is known.
    pub back_to_app: Option<Url>,
}

impl From<Failure> for CallbackFailure {
    fn from(failure: Failure) -> Self {
        Self {
            failure,
            back_to_app: None,
        }
    }
}

/// States and login codes we make are 32 random bytes in base64url.
fn is_well_formed(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn code_refused(reason: &'static str) -> ApiError {
    let message = match reason {
        "USED" => "this sign-in code was already used; sign in again",
        "EXPIRED" => "this sign-in code has expired; sign in again",
        _ => "this sign-in code is not valid; sign in again",
    };
    ApiError::unauthenticated(message).with_extension("reason", serde_json::Value::from(reason))
}

fn forbidden(reason: &'static str, message: String) -> ApiError {
    ApiError::forbidden(message).with_extension("reason", serde_json::Value::from(reason))
}

/// The account a login code signs in to.
struct Resolved {
    account_id: Uuid,
    email_verified: bool,
    /// Sessions ended by claiming the account (see the module docs).
    revoked: Vec<Uuid>,
    /// The account's address had never been confirmed: it was claimed.
    claimed: bool,
    /// "returning", "linked" or "created", for the log.
    how: &'static str,
}

enum Exchange {
    SignedIn {
        account: Resolved,
        session: super::PendingSession,
        device: String,
    },
    /// The account uses TOTP: the sign-in waits for its second factor.
    MfaRequired {
        account_id: Uuid,
        challenge: super::totp::Challenge,
        revoked: Vec<Uuid>,
    },
    /// Refused; the code is spent all the same.
    Refused(ApiError),
}

impl AuthService {
    /// For apps that open the browser themselves (`oauthStart`): checks what
    /// `/start` would (throttled per client address, provider known and
    /// reachable, `redirect_uri` allowed) and returns the `/start` URL to
    /// open. The flow itself starts there, in the browser that will sign in,
    /// which gets the flow's cookie: a GraphQL answer cannot give it one.
    pub async fn oauth_start_url(
        &self,
        provider: &str,
        redirect_uri: &str,
        app_state: Option<&str>,
        client: &ClientInfo,
    ) -> Result<Url, Failure> {
        self.throttle_oauth_start(client).await?;
        let (provider, _, _) = self
            .prepare_start(provider, redirect_uri, app_state)
            .await?;
        self.oauth
            .start_url(provider, redirect_uri, app_state)
            .ok_or_else(|| Failure::Internal(ApiError::internal("the public URL is not known yet")))
    }

    /// Starts a sign-in with `provider` in the browser asking: stores the
    /// flow, bound to a new cookie for that browser, and returns the
    /// provider's authorization URL to send it to. Throttled per client
    /// address (RATE_LIMITED), before anything else.
    pub async fn oauth_start(
        &self,
        provider: &str,
        redirect_uri: &str,
        app_state: Option<&str>,
        client: &ClientInfo,
    ) -> Result<Started, Failure> {
        self.throttle_oauth_start(client).await?;
        let oauth = &self.oauth;
        let (provider_name, redirect_uri, oidc) = self
            .prepare_start(provider, redirect_uri, app_state)
            .await?;
        let provider = oauth
            .provider(provider_name)
            .ok_or(Failure::UnknownProvider)?;
        let callback = oauth.callback_url(provider_name).ok_or_else(|| {
            Failure::Internal(ApiError::internal("the public URL is not known yet"))
        })?;
        let authorization = flow::authorize(&oidc, &callback, &provider.config.scopes);
        let (browser_secret, browser_hash) = new_token();
        let cookie = FlowCookie {
            name: FlowCookie::name_for(&authorization.state),
            value: browser_secret,
            path: callback.url().path().to_owned(),
            max_age: oauth.state_ttl(),
            secure: callback.url().scheme() == "https",
        };
        let mut conn = self.pool.get().await?;
        db::insert_state(
            &mut conn,
            &NewState {
                state_hash: &hash_token(&authorization.state),
                provider: provider.name(),
                nonce_hash: &authorization.nonce_hash,
                pkce_verifier: &authorization.pkce_verifier,
                redirect_uri: &redirect_uri,
                app_state,
                expires_at: Utc::now() + oauth.state_ttl(),
                browser_hash: &browser_hash,
            },
        )
        .await?;
        Ok(Started {
            url: authorization.url,
            cookie,
        })
    }

    /// What starting a sign-in checks: the provider (known, and its
    /// discovery document at hand), the redirect URI (allowed; returned as
    /// allowed) and the app's state.
    async fn prepare_start<'p>(
        &'p self,
        provider: &str,
        redirect_uri: &str,
        app_state: Option<&str>,
    ) -> Result<
        (
            &'p str,
            String,
            std::sync::Arc<crate::oauth::providers::OidcClient>,
        ),
        Failure,
    > {
        let oauth = &self.oauth;
        let provider = oauth.provider(provider).ok_or(Failure::UnknownProvider)?;
        let redirect_uri = oauth
            .allowed_redirect(redirect_uri)
            .ok_or(Failure::RedirectNotAllowed)?
            .to_string();
        if app_state.is_some_and(|s| s.len() > MAX_APP_STATE_LEN) {
            return Err(Failure::AppStateTooLong);
        }
        let client = provider
            .client(oauth.http(), oauth.discovery_ttl())
            .await
            .map_err(|err| {
                tracing::warn!(provider = provider.name(), error = %err, "sign-in provider unavailable");
                Failure::ProviderUnavailable
            })?;
        Ok((provider.name(), redirect_uri, client))
    }

    /// The provider sent the browser back: checks it is the browser that
    /// started the flow (`browser_secret`: its flow cookie), spends the
    /// flow, exchanges the code, verifies the ID token and makes a login
    /// code for the app. Returns where to send the browser (the app, with
    /// the code).
    pub async fn oauth_callback(
        &self,
        provider_name: &str,
        params: CallbackParams,
        browser_secret: Option<&str>,
    ) -> Result<Url, CallbackFailure> {
        let oauth = &self.oauth;
        let state = params
            .state
            .as_deref()
            .filter(|s| is_well_formed(s))
            .ok_or(Failure::InvalidState)?;
        let provider = oauth
            .provider(provider_name)
            .ok_or(Failure::UnknownProvider)?;
        let mut conn = self.pool.get().await.map_err(Failure::from)?;
        // Another browser's sign-in (login CSRF: someone sends their own
        // callback URL to sign the victim in to the sender's account) is
        // refused before the flow is spent: it stays its starter's.
        if let Some(row) = db::find_state(&mut conn, &hash_token(state))
            .await
            .map_err(Failure::from)?
            && row.provider == provider_name
        {
            let presented = browser_secret.map(hash_token);
            if row.browser_hash.is_none() || row.browser_hash != presented {
                tracing::warn!(
                    provider = provider_name,
                    cookie = browser_secret.is_some(),
                    "a sign-in callback reached a browser that did not start it"
                );
                return Err(fail_back(Failure::OtherBrowser, &row));
            }
        }
        let flow_row = match db::spend_state(&mut conn, &hash_token(state))
            .await
            .map_err(Failure::from)?
        {
            Spent::Fresh(row) if row.provider == provider_name => row,
            Spent::Fresh(_) | Spent::Unknown => return Err(Failure::InvalidState.into()),
            Spent::Used(row) => return Err(fail_back(Failure::StateUsed, &row)),
            Spent::Expired(row) => return Err(fail_back(Failure::StateExpired, &row)),
        };
        drop(conn);
        if let Some(error) = params.error.as_deref() {
            tracing::info!(
                provider = provider_name,
                error,
                "the provider sent an error back"
            );
            let failure = if error == "access_denied" {
                Failure::AccessDenied
            } else {
                Failure::ProviderError
            };
            return Err(fail_back(failure, &flow_row));
        }
        if let Some(iss) = params.iss.as_deref()
            && iss != provider.issuer().as_str()
        {
            tracing::warn!(
                provider = provider_name,
                iss,
                "callback from another issuer"
            );
            return Err(fail_back(Failure::ProviderError, &flow_row));
        }
        let Some(code) = params.code.filter(|c| !c.is_empty() && c.len() <= 4096) else {
            return Err(fail_back(Failure::ProviderError, &flow_row));
        };
        let callback = oauth.callback_url(provider_name).ok_or_else(|| {
            fail_back(
                Failure::Internal(ApiError::internal("the public URL is not known yet")),
                &flow_row,
            )
        })?;
        let identity = flow::exchange(
            provider,
            oauth.http(),
            oauth.discovery_ttl(),
            code,
            Pending {
                redirect: &callback,
                pkce_verifier: flow_row.pkce_verifier.clone(),
                nonce_hash: &flow_row.nonce_hash,
            },
        )
        .await
        .map_err(|err| {
            tracing::warn!(provider = provider_name, error = %err, "sign-in with the provider failed");
            let failure = match err {
                ExchangeFailed::Unreachable(_) | ExchangeFailed::BadResponse(_) => {
                    Failure::ProviderUnavailable
                }
                ExchangeFailed::Rejected(_) => Failure::CodeRejected,
                ExchangeFailed::InvalidIdToken(_) => Failure::InvalidIdToken,
            };
            fail_back(failure, &flow_row)
        })?;
        let (login_code, code_hash) = new_token();
        self.store_login_code(provider_name, identity, &code_hash)
            .await
            .map_err(|failure| fail_back(failure, &flow_row))?;
        back_to_app(
            &flow_row.redirect_uri,
            &[("code", &login_code)],
            flow_row.app_state.as_deref(),
        )
        .ok_or_else(|| {
            Failure::Internal(ApiError::internal("stored redirect URI unparsable")).into()
        })
    }

    async fn store_login_code(
        &self,
        provider: &str,
        identity: VerifiedIdentity,
        code_hash: &[u8],
    ) -> Result<(), Failure> {
        let mut conn = self.pool.get().await?;
        db::insert_login_code(
            &mut conn,
            code_hash,
            &LoginCode {
                provider: provider.to_owned(),
                issuer: identity.issuer,
                subject: identity.subject,
                email: identity.email,
                email_verified: identity.email_verified,
                expires_at: Utc::now() + self.oauth.login_code_ttl(),
            },
        )
        .await?;
        Ok(())
    }

    /// Turns a login code from the callback into a session of the account
    /// the provider's identity belongs to (see the module docs).
    pub async fn exchange_oauth_code(
        &self,
        code: &str,
        client: &ClientInfo,
    ) -> ApiResult<IssuedTokens> {
        let code = code.trim();
        if !is_well_formed(code) {
            return Err(code_refused("INVALID"));
        }
        let code_hash = hash_token(code);
        let (refresh_token, refresh_hash) = new_token();
        let mut conn = self.pool.get().await?;
        let outcome = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let row = match db::spend_login_code(conn, &code_hash).await? {
                    Spent::Fresh(row) => row,
                    Spent::Used(_) => return Ok(Exchange::Refused(code_refused("USED"))),
                    Spent::Expired(_) => return Ok(Exchange::Refused(code_refused("EXPIRED"))),
                    Spent::Unknown => return Ok(Exchange::Refused(code_refused("INVALID"))),
                };
                db::lock_identity(conn, &row.issuer, &row.subject).await?;
                let account = match self.resolve_account(conn, &row).await? {
                    Ok(account) => account,
                    Err(refused) => return Ok(Exchange::Refused(refused)),
                };
                let provider = Some(row.provider.as_str());
                // Under the account's row lock: TOTP turned on or off
                // meanwhile is seen. A claimed account has none (the claim
                // removed it).
                accounts::lock(conn, account.account_id).await?;
                if super::totp::is_enabled(conn, account.account_id).await? {
                    let (id, session) = (Some(account.account_id), None);
                    if let Some(kind) = match account.how {
                        "created" => Some(EventKind::Registered),
                        "linked" => Some(EventKind::AccountLinked),
                        _ => None,
                    } {
                        security::record_via(conn, kind, id, session, client, provider).await?;
                    }
                    let challenge = super::totp::issue_challenge(
                        conn,
                        account.account_id,
                        client,
                        None,
                        provider,
                    )
                    .await?;
                    return Ok(Exchange::MfaRequired {
                        account_id: account.account_id,
                        challenge,
                        revoked: account.revoked,
                    });
                }
                let session = self.new_session(account.account_id, client);
                sessions::insert(conn, &session.as_new(client)).await?;
                sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                    .await?;
                // The audit log: how the account came to be signed in to.
                let before = match account.how {
                    "created" => Some(EventKind::Registered),
                    "linked" => Some(EventKind::AccountLinked),
                    _ => None,
                };
                let claimed = account
                    .claimed
                    .then_some(EventKind::UnverifiedAccountClaimed);
                let events = before
                    .into_iter()
                    .chain(claimed)
                    .chain([EventKind::LoggedIn]);
                for kind in events {
                    let (id, session) = (Some(account.account_id), Some(session.id));
                    security::record_via(conn, kind, id, session, client, provider).await?;
                }
                let device = super::remember_device(conn, account.account_id).await?;
                Ok(Exchange::SignedIn {
                    account,
                    session,
                    device,
                })
            })
            .await?;
        match outcome {
            Exchange::SignedIn {
                account,
                session,
                device,
            } => {
                let account_id = account.account_id;
                tracing::info!(%account_id, how = account.how, "signed in with a provider");
                if !account.revoked.is_empty() {
                    tracing::info!(%account_id, count = account.revoked.len(), "sessions of an unconfirmed account ended: claimed by a provider sign-in");
                    self.revocations.insert(account.revoked);
                }
                let mut tokens = self.tokens(
                    account_id,
                    session.id,
                    self.ev_claim(account.email_verified),
                    refresh_token,
                    session.expires_at,
                )?;
                tokens.device_token = Some(crate::secrets::DeviceToken::new(device));
                Ok(tokens)
            }
            Exchange::MfaRequired {
                account_id,
                challenge,
                revoked,
            } => {
                tracing::info!(%account_id, "signed in with a provider: second factor asked for");
                if !revoked.is_empty() {
                    self.revocations.insert(revoked);
                }
                Err(super::totp::mfa_required(&challenge))
            }
            Exchange::Refused(err) => Err(err),
        }
    }

    /// The account of the code's identity, found, linked or created; `Ok(Err(_))`
    /// when the rules refuse (the transaction still commits the spent code).
    async fn resolve_account(
        &self,
        conn: &mut crate::db::Conn,
        row: &LoginCode,
    ) -> ApiResult<Result<Resolved, ApiError>> {
        let identity = NewIdentity {
            issuer: &row.issuer,
            subject: &row.subject,
            account_id: Uuid::nil(),
            provider: &row.provider,
            email: row.email.as_deref(),
        };
        if let Some(account_id) = db::linked_account(conn, &row.issuer, &row.subject).await? {
            db::touch_identity(conn, &identity).await?;
            let account = accounts::by_id(conn, account_id)
                .await?
                .ok_or_else(|| ApiError::internal("linked account vanished"))?;
            return Ok(Ok(Resolved {
                account_id: account.id,
                email_verified: account.email_verified,
                revoked: Vec::new(),
                claimed: false,
                how: "returning",
            }));
        }
        let provider = &row.provider;
        let Some(raw_email) = row.email.as_deref() else {
            return Ok(Err(forbidden(
                "EMAIL_MISSING",
                format!(
                    "{provider} did not share your email address, so no account was created: allow access to your email address when signing in"
                ),
            )));
        };
        let Ok(email) = validate::normalize_email(raw_email) else {
            return Ok(Err(forbidden(
                "EMAIL_INVALID",
                format!("the email address {provider} shared cannot be used for an account"),
            )));
        };
        // A provider taken off the configuration since the flow began is
        // trusted no more.
        let trusted = self
            .oauth
            .provider(provider)
            .is_some_and(|p| p.config.trust_email_verified);
        // Twice at most: a registration with this email may commit between
        // our look-up and our insert; then it is linked like any account.
        for _ in 0..2 {
            if let Some(existing) = db::lock_account_by_email(conn, &email).await? {
                if !row.email_verified || !trusted {
                    let why = if trusted {
                        "has not confirmed that the address is yours"
                    } else {
                        "is not trusted to confirm email addresses here"
                    };
                    return Ok(Err(ApiError::conflict(format!(
                        "an account with this email address already exists, and {provider} {why}, so they cannot be linked: sign in with your email and password"
                    ))
                    .with_extension("reason", serde_json::Value::from(if trusted {
                        "EMAIL_NOT_VERIFIED_BY_PROVIDER"
                    } else {
                        "PROVIDER_NOT_TRUSTED_FOR_EMAIL"
                    }))));
                }
                let mut revoked = Vec::new();
                let claimed = !existing.email_verified;
                if claimed {
                    let unlinked = db::claim_unconfirmed_account(conn, existing.id).await?;
                    device_tokens::delete_all(conn, existing.id).await?;
                    // A second factor set up by whoever never proved the
                    // address theirs goes with the rest.
                    let had_totp = super::totp::remove(conn, existing.id).await?;
                    revoked = sessions::revoke_all(conn, existing.id, "unverified_account_claimed")
                        .await?;
                    tracing::warn!(
                        account_id = %existing.id,
                        provider,
                        had_password = existing.password_hash.is_some(),
                        had_totp,
                        sessions = revoked.len(),
                        unlinked,
                        "an account whose email was never confirmed was claimed by a provider sign-in"
                    );
                } else {
                    db::confirm_linked_account(conn, existing.id).await?;
                }
                db::insert_identity(
                    conn,
                    &NewIdentity {
                        account_id: existing.id,
                        ..identity
                    },
                )
                .await?;
                return Ok(Ok(Resolved {
                    account_id: existing.id,
                    email_verified: true,
                    revoked,
                    claimed,
                    how: "linked",
                }));
            }
            if !row.email_verified {
                return Ok(Err(forbidden(
                    "EMAIL_NOT_VERIFIED",
                    format!(
                        "{provider} has not confirmed your email address, so no account was created: confirm it with {provider} first, or register with email and password"
                    ),
                )));
            }
            let account_id = Uuid::now_v7();
            if db::insert_account(conn, account_id, &email, trusted)
                .await?
                .is_some()
            {
                db::insert_identity(
                    conn,
                    &NewIdentity {
                        account_id,
                        ..identity
                    },
                )
                .await?;
                let event = contracts::CreateUser {
                    account_id,
                    email: email.clone(),
                };
                outbox::enqueue(conn, &event).await?;
                return Ok(Ok(Resolved {
                    account_id,
                    email_verified: trusted,
                    revoked: Vec::new(),
                    claimed: false,
                    how: "created",
                }));
            }
        }
        Err(ApiError::internal(
            "account with the provider's email neither found nor created",
        ))
    }

    /// Deletes flows and login codes long expired; returns how many.
    pub async fn prune_oauth_state(&self) -> ApiResult<(usize, usize)> {
        let mut conn = self.pool.get().await?;
        Ok(db::prune(&mut conn, Utc::now() - KEEP_SPENT).await?)
    }
}

fn fail_back(failure: Failure, flow: &db::State) -> CallbackFailure {
    let back_to_app = back_to_app(
        &flow.redirect_uri,
        &[("error", failure.app_error())],
        flow.app_state.as_deref(),
    );
    CallbackFailure {
        failure,
        back_to_app,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_secrets_shaped_like_ours_are_looked_up() {
        let (token, _) = new_token();
        assert!(is_well_formed(&token));
        assert!(!is_well_formed(""));
        assert!(!is_well_formed(&token[1..]));
        assert!(!is_well_formed(&format!("{}=", &token[1..])));
    }

    #[test]
    fn refused_codes_say_why() {
        for reason in ["USED", "EXPIRED", "INVALID"] {
            let err: async_graphql::Error = code_refused(reason).into();
            let ext = err.extensions.unwrap();
            assert_eq!(
                ext.get("code"),
                Some(&async_graphql::Value::from("UNAUTHENTICATED"))
            );
            assert_eq!(ext.get("reason"), Some(&async_graphql::Value::from(reason)));
        }
    }
}
