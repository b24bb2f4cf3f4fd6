//! Access tokens: EdDSA-signed JWTs with `kid`, `sub`, `sid`, `iat`, `exp`,
//! `iss`, `aud` (and `ev`: the account may write; see `Claims::ev`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keys::KeySet;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: Uuid,
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The account may write (send messages, friend requests): its email was
    /// confirmed when the token was issued, or confirmation is not required.
    #[serde(default)]
    pub ev: bool,
}

#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
    pub leeway: Duration,
}

/// Why a token was refused; the string goes to clients as a reason code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    BadSignature,
    UnknownKid,
    Expired,
    WrongIssuer,
    WrongAudience,
    SessionRevoked,
    UnsupportedAlgorithm,
}

impl Rejection {
    pub const fn as_str(self) -> &'static str {
        match self {
            Rejection::Malformed => "MALFORMED",
            Rejection::BadSignature => "BAD_SIGNATURE",
            Rejection::UnknownKid => "UNKNOWN_KID",
            Rejection::Expired => "EXPIRED",
            Rejection::WrongIssuer => "WRONG_ISSUER",
            Rejection::WrongAudience => "WRONG_AUDIENCE",
            Rejection::SessionRevoked => "SESSION_REVOKED",
            Rejection::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
        }
    }
}

/// Signs a new access token; returns it with its expiry.
pub fn issue(
    keys: &KeySet,
    settings: &TokenSettings,
    user_id: Uuid,
    session_id: Uuid,
    email_verified: bool,
) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
    let now = Utc::now();
    let expires_at = now + settings.ttl;
    let claims = Claims {
        sub: user_id,
        sid: session_id,
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        ev: email_verified,
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.signing_kid.clone());
    let token = jsonwebtoken::encode(&header, &claims, &keys.encoding)?;
    Ok((token, expires_at))
}

/// Checks algorithm, kid, signature, expiry, issuer and audience. Session
/// revocation is checked by the caller (it needs the revocation cache).
pub fn verify(keys: &KeySet, settings: &TokenSettings, token: &str) -> Result<Claims, Rejection> {
    if token.len() > 8 * 1024 {
        return Err(Rejection::Malformed);
    }
    // alg=none and unknown algorithms fail to parse here.
    let header = jsonwebtoken::decode_header(token).map_err(|_| Rejection::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(Rejection::UnsupportedAlgorithm);
    }
    let kid = header.kid.ok_or(Rejection::UnknownKid)?;
    let key = keys.verifying.get(&kid).ok_or(Rejection::UnknownKid)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    validation.leeway = settings.leeway.as_secs();
    match jsonwebtoken::decode::<Claims>(token, key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(err) => Err(match err.kind() {
            ErrorKind::ExpiredSignature => Rejection::Expired,
            ErrorKind::InvalidIssuer => Rejection::WrongIssuer,
            ErrorKind::InvalidAudience => Rejection::WrongAudience,
            ErrorKind::InvalidSignature => Rejection::BadSignature,
            ErrorKind::InvalidAlgorithm => Rejection::UnsupportedAlgorithm,
            _ => Rejection::Malformed,
        }),
    }
}
