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

#[cfg(test)]
mod tests {
    //! Edge cases of the `jwt` fuzz target (`cargo xtask fuzz jwt`), as
    //! plain tests: what `verify` must refuse, and what it must accept.

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};

    use super::*;
    use crate::keys::{self, KeySet};

    fn settings() -> TokenSettings {
        TokenSettings {
            issuer: "https://auth.test".to_owned(),
            audience: "messenger".to_owned(),
            ttl: Duration::from_secs(900),
            leeway: Duration::from_secs(30),
        }
    }

    fn key_set() -> KeySet {
        KeySet::build(&keys::generate().expect("key"), &[]).expect("key set")
    }

    fn claims(exp_from_now: i64) -> Value {
        let now = Utc::now().timestamp();
        json!({
            "sub": Uuid::now_v7(), "sid": Uuid::now_v7(), "iat": now,
            "exp": now + exp_from_now, "iss": "https://auth.test", "aud": "messenger",
        })
    }

    /// Signed by `keys`' signing key with header `alg`/`kid` as given.
    fn sign(keys: &KeySet, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(keys.signing_kid.clone());
        jsonwebtoken::encode(&header, claims, &keys.encoding).expect("sign")
    }

    fn part(json: &Value) -> String {
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    #[test]
    fn accepts_its_own_tokens_within_leeway() {
        let (keys, settings) = (key_set(), settings());
        let (token, _) =
            issue(&keys, &settings, Uuid::now_v7(), Uuid::now_v7(), true).expect("issue");
        assert!(verify(&keys, &settings, &token).is_ok_and(|c| c.ev));
        assert!(verify(&keys, &settings, &sign(&keys, &claims(-10))).is_ok());
        assert_eq!(
            verify(&keys, &settings, &sign(&keys, &claims(-60))),
            Err(Rejection::Expired)
        );
    }

    #[test]
    fn fuzz_regressions() {
        let (keys, settings) = (key_set(), settings());
        let valid = sign(&keys, &claims(600));
        let (signing_input, signature) = valid.rsplit_once('.').expect("three parts");
        let kid = &keys.signing_kid;
        let refused = |token: &str| verify(&keys, &settings, token).err();

        // alg none, and HS256 whatever the signature.
        let none = format!(
            "{}.{}.",
            part(&json!({"alg": "none", "kid": kid})),
            part(&claims(600))
        );
        assert!(refused(&none).is_some());
        let hs256 = format!(
            "{}.{}.{signature}",
            part(&json!({"alg": "HS256", "kid": kid})),
            part(&claims(600))
        );
        assert!(refused(&hs256).is_some());
        // Our kid, another key's signature.
        let stranger = key_set();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(&header, &claims(600), &stranger.encoding).expect("sign");
        assert_eq!(refused(&forged), Some(Rejection::BadSignature));
        // Another spelling of the same signature (the last character's
        // unused bits set) or of the claims.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = signature.bytes().last().expect("signature");
        let index = ALPHABET.iter().position(|c| *c == last).expect("base64url");
        let respelled = format!(
            "{signing_input}.{}{}",
            &signature[..signature.len() - 1],
            char::from(ALPHABET[index ^ 1])
        );
        assert!(refused(&respelled).is_some());
        assert!(refused(&format!("{valid}=")).is_some());
        assert!(refused(&format!("{valid}.")).is_some());
        // An audience list, even with ours in it; a wrong issuer; no kid.
        let mut aud_list = claims(600);
        aud_list["aud"] = json!(["messenger", "other"]);
        assert!(refused(&sign(&keys, &aud_list)).is_some());
        let mut other_iss = claims(600);
        other_iss["iss"] = json!("https://evil.test");
        assert_eq!(
            refused(&sign(&keys, &other_iss)),
            Some(Rejection::WrongIssuer)
        );
        let no_kid =
            jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims(600), &keys.encoding)
                .expect("sign");
        assert_eq!(refused(&no_kid), Some(Rejection::UnknownKid));
        // Far-off and odd expiries never panic.
        for exp in [
            json!(i64::MAX),
            json!(i64::MIN),
            json!(1e300),
            json!("soon"),
        ] {
            let mut odd = claims(600);
            odd["exp"] = exp;
            assert!(refused(&sign(&keys, &odd)).is_some() || odd["exp"] == json!(i64::MAX));
        }
        assert_eq!(refused(&"a".repeat(9000)), Some(Rejection::Malformed));
        assert!(verify(&keys, &settings, &valid).is_ok());
    }
}
