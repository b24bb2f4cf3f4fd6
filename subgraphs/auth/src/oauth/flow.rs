//! The authorization code flow with a provider (all protocol work is the
//! `openidconnect` crate's): the authorization URL with PKCE (S256),
//! `state` and `nonce`; then the code exchanged at the token endpoint and
//! the ID token verified — signature through the provider's JWKS, issuer,
//! audience, expiry, nonce.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use openidconnect::core::{CoreAuthenticationFlow, CoreUserInfoClaims};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce,
    OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    Scope, SignatureVerificationError, TokenResponse as _,
};
use sha2::{Digest as _, Sha256};
use url::Url;

use super::providers::{HttpClient, OidcClient, Provider, error_chain};

/// Clock skew allowed when checking an ID token's `exp` and `iat`.
const LEEWAY: Duration = Duration::from_secs(60);

/// Secrets are 256 random bits (43 base64url characters).
const SECRET_BYTES: u32 = 32;

/// A sign-in about to be sent to the provider.
pub struct Authorization {
    /// Where to send the browser.
    pub url: Url,
    /// Travels through the browser; we keep its SHA-256.
    pub state: String,
    pub nonce_hash: Vec<u8>,
    pub pkce_verifier: String,
}

pub fn authorize(client: &OidcClient, redirect: &RedirectUrl, scopes: &[String]) -> Authorization {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(SECRET_BYTES);
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            || CsrfToken::new_random_len(SECRET_BYTES),
            || Nonce::new_random_len(SECRET_BYTES),
        )
        .set_redirect_uri(Cow::Borrowed(redirect))
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    Authorization {
        url,
        state: state.secret().clone(),
        nonce_hash: sha256(nonce.secret()),
        pkce_verifier: verifier.secret().clone(),
    }
}

pub fn sha256(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

/// Who the provider says signed in, from a verified ID token (and the
/// userinfo endpoint when the token has no email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// Only an explicit `email_verified: true` counts.
    pub email_verified: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeFailed {
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the token endpoint refused the code: {0}")]
    Rejected(String),
    #[error("the token endpoint's answer is unusable: {0}")]
    BadResponse(String),
    #[error("the ID token is not valid: {0}")]
    InvalidIdToken(String),
}

/// What a flow needs at the callback.
pub struct Pending<'a> {
    pub redirect: &'a RedirectUrl,
    pub pkce_verifier: String,
    pub nonce_hash: &'a [u8],
}

/// Exchanges the code and verifies the ID token.
pub async fn exchange(
    provider: &Provider,
    http: &HttpClient,
    discovery_ttl: Duration,
    code: String,
    pending: Pending<'_>,
) -> Result<VerifiedIdentity, ExchangeFailed> {
    let client = provider
        .client(http, discovery_ttl)
        .await
        .map_err(|err| ExchangeFailed::Unreachable(err.to_string()))?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|err| ExchangeFailed::BadResponse(err.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .set_redirect_uri(Cow::Borrowed(pending.redirect))
        .request_async(http)
        .await
        .map_err(|err| match err {
            RequestTokenError::ServerResponse(response) => {
                ExchangeFailed::Rejected(response.to_string())
            }
            RequestTokenError::Request(err) => ExchangeFailed::Unreachable(error_chain(&err)),
            other => ExchangeFailed::BadResponse(error_chain(&other)),
        })?;
    let id_token = response
        .id_token()
        .ok_or_else(|| ExchangeFailed::BadResponse("no ID token in the answer".to_owned()))?;

    let verify = |client: &OidcClient| -> Result<VerifiedIdentity, ClaimsVerificationError> {
        let verifier = client
            .id_token_verifier()
            .set_time_fn(|| Utc::now() - LEEWAY)
            .set_issue_time_verifier_fn(|iat| {
                if iat > Utc::now() + LEEWAY {
                    Err(format!("issued in the future ({iat})"))
                } else {
                    Ok(())
                }
            });
        let claims = id_token.claims(&verifier, |nonce: Option<&Nonce>| match nonce {
            Some(nonce) if sha256(nonce.secret()) == pending.nonce_hash => Ok(()),
            Some(_) => Err("the nonce is not the one we sent".to_owned()),
            None => Err("the nonce is missing".to_owned()),
        })?;
        // The access token must be the one the ID token was issued with.
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(ClaimsVerificationError::SignatureVerification)?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(ClaimsVerificationError::SignatureVerification)?;
            let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
                .map_err(|err| ClaimsVerificationError::Other(err.to_string()))?;
            if actual != *expected {
                return Err(ClaimsVerificationError::Other(
                    "at_hash does not match the access token".to_owned(),
                ));
            }
        }
        Ok(VerifiedIdentity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|email| email.to_string()),
            email_verified: claims.email_verified() == Some(true),
        })
    };

    let mut client = client;
    let mut identity = match verify(&client) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            // Signed with a key we have not seen: the provider may have
            // rotated its keys since we fetched them.
            let Some(current) = provider.refetch_keys(http, discovery_ttl, &client).await else {
                return Err(ExchangeFailed::InvalidIdToken(
                    "signed with a key the provider does not publish".to_owned(),
                ));
            };
            client = current;
            verify(&client)
        }
        other => other,
    }
    .map_err(|err| ExchangeFailed::InvalidIdToken(error_chain(&err)))?;

    if identity.email.is_none() {
        fill_from_userinfo(&client, http, &response, &mut identity).await;
    }
    Ok(identity)
}

/// Some providers put the email in the userinfo answer only. Best effort:
/// without it the sign-in goes on without an email (which a returning user
/// does not need).
async fn fill_from_userinfo(
    client: &Arc<OidcClient>,
    http: &HttpClient,
    response: &openidconnect::core::CoreTokenResponse,
    identity: &mut VerifiedIdentity,
) {
    let subject = openidconnect::SubjectIdentifier::new(identity.subject.clone());
    let Ok(request) = client.user_info(response.access_token().clone(), Some(subject)) else {
        return; // no userinfo endpoint
    };
    let info: Result<CoreUserInfoClaims, _> = request.request_async(http).await;
    match info {
        Ok(info) => {
            identity.email = info.email().map(|email| email.to_string());
            identity.email_verified =
                identity.email.is_some() && info.email_verified() == Some(true);
        }
        Err(err) => {
            tracing::warn!(error = %error_chain(&err), "the provider's userinfo endpoint failed");
        }
    }
}
