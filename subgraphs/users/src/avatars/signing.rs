//! Upload URLs: a grant (who may upload what, until when) and its
//! HMAC-SHA256, in one URL-safe token:
//!
//! ```text
//! <user id, 32 hex>.<type: jpeg|png|webp|gif>.<size in bytes>.<expiry, unix ms>.<HMAC, base64url>
//! ```
//!
//! The MAC covers every field (with a domain-separation prefix), so none can
//! be changed without the key; it is compared in constant time.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use uuid::Uuid;

use super::process::SourceType;

/// Shortest signing key accepted (HMAC-SHA256 gains nothing past 64).
pub const MIN_KEY_LEN: usize = 32;
const DOMAIN: &str = "messenger/users/avatar-upload/v1";

/// What an upload URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    pub user_id: Uuid,
    pub kind: SourceType,
    /// The exact number of bytes to be uploaded.
    pub size: u32,
    /// Millisecond precision (what the token carries).
    pub expires_at: DateTime<Utc>,
}

/// Why a token is refused (both look the same to the client: not a valid URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed upload token")]
    Malformed,
    #[error("upload token signature does not match")]
    BadSignature,
}

/// Signs and checks upload tokens with one key.
#[derive(Clone)]
pub struct UploadSigner {
    key: Vec<u8>,
}

impl fmt::Debug for UploadSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UploadSigner(..)")
    }
}

impl UploadSigner {
    /// `None` if the key is shorter than [`MIN_KEY_LEN`].
    pub fn new(key: &[u8]) -> Option<Self> {
        (key.len() >= MIN_KEY_LEN).then(|| Self { key: key.to_vec() })
    }

    pub fn sign(&self, grant: &UploadGrant) -> String {
        let fields = format!(
            "{}.{}.{}.{}",
            grant.user_id.simple(),
            grant.kind.code(),
            grant.size,
            grant.expires_at.timestamp_millis()
        );
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&fields).finalize().into_bytes());
        format!("{fields}.{tag}")
    }

    /// The grant in `token` if this key signed it. Expiry is the caller's
    /// to check (it decides what "now" is).
    pub fn verify(&self, token: &str) -> Result<UploadGrant, TokenError> {
        let (fields, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Malformed)?;
        self.mac(fields)
            .verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        // Signed by us, so well-formed unless the format changed.
        let mut parts = fields.split('.');
        let mut next = || parts.next().ok_or(TokenError::Malformed);
        let user_id = Uuid::try_parse(next()?).map_err(|_| TokenError::Malformed)?;
        let kind = SourceType::from_code(next()?).ok_or(TokenError::Malformed)?;
        let size = next()?.parse().map_err(|_| TokenError::Malformed)?;
        let expires_ms: i64 = next()?.parse().map_err(|_| TokenError::Malformed)?;
        let expires_at =
            DateTime::from_timestamp_millis(expires_ms).ok_or(TokenError::Malformed)?;
        if parts.next().is_some() {
            return Err(TokenError::Malformed);
        }
        Ok(UploadGrant {
            user_id,
            kind,
            size,
            expires_at,
        })
    }

    fn mac(&self, fields: &str) -> Hmac<Sha256> {
        // Any key length is valid for HMAC, so this cannot fail.
        #[allow(clippy::expect_used)]
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(DOMAIN.as_bytes());
        mac.update(b"\n");
        mac.update(fields.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> UploadGrant {
        UploadGrant {
            user_id: Uuid::now_v7(),
            kind: SourceType::Png,
            size: 12_345,
            expires_at: DateTime::from_timestamp_millis(1_800_000_000_123).unwrap(),
        }
    }

    #[test]
    fn round_trip() {
        let signer = UploadSigner::new(&[7; 32]).unwrap();
        let grant = grant();
        let token = signer.sign(&grant);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{token}"
        );
        assert_eq!(signer.verify(&token).unwrap(), grant);
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(UploadSigner::new(&[1; 31]).is_none());
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let signer = UploadSigner::new(&[7; 32]).unwrap();
        let grant = grant();
        let token = signer.sign(&grant);
        let other_key = UploadSigner::new(&[8; 32]).unwrap();
        assert_eq!(other_key.verify(&token), Err(TokenError::BadSignature));

        let tampered = [
            UploadGrant {
                user_id: Uuid::now_v7(),
                ..grant.clone()
            },
            UploadGrant {
                kind: SourceType::Jpeg,
                ..grant.clone()
            },
            UploadGrant {
                size: grant.size + 1,
                ..grant.clone()
            },
            UploadGrant {
                expires_at: grant.expires_at + chrono::Duration::hours(1),
                ..grant.clone()
            },
        ];
        let tag = token.rsplit_once('.').unwrap().1;
        for changed in tampered {
            let forged = signer.sign(&changed);
            let fields = forged.rsplit_once('.').unwrap().0;
            assert_eq!(
                signer.verify(&format!("{fields}.{tag}")),
                Err(TokenError::BadSignature)
            );
        }
        for junk in [
            "",
            ".",
            "a.b",
            "x.y.z.w.v",
            &format!("{token}x"),
            &format!("{token}."),
        ] {
            assert!(signer.verify(junk).is_err(), "{junk}");
        }
    }
}
