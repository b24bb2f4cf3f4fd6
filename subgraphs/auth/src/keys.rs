//! Signing keys: the newest unretired key signs access tokens; every
//! unretired key verifies them and is published in the JWKS.
//!
//! Rotation ([`admin`], `auth keys rotate`): a new key is added and, being
//! the newest, signs from then on, on every replica (the `auth_keys_changed`
//! notification reloads them); the old one keeps verifying the tokens it
//! signed until it is retired (`auth keys retire`) once those have expired.

pub mod admin;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest as _, Sha256};

use crate::db::keys::KeyRow;
pub use crate::db::keys::NewKey;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading the signing key file {path}: {message}")]
    File { path: String, message: String },
    #[error("stored signing key {kid} is not a valid Ed25519 key")]
    Corrupt { kid: String },
    #[error("no signing key available")]
    Missing,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

/// Everything needed to sign and verify, swapped as a whole on reload.
pub struct KeySet {
    pub signing_kid: String,
    pub encoding: EncodingKey,
    pub verifying: HashMap<String, DecodingKey>,
    pub jwks: serde_json::Value,
}

/// Generates an Ed25519 key pair; the kid is derived from the public key.
pub fn generate() -> Result<NewKey, KeyError> {
    let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    from_signing_key(&signing)
}

fn from_signing_key(signing: &ed25519_dalek::SigningKey) -> Result<NewKey, KeyError> {
    let public = signing.verifying_key().to_bytes().to_vec();
    let private_der = signing
        .to_pkcs8_der()
        .map_err(|_| KeyError::Missing)?
        .as_bytes()
        .to_vec();
    Ok(NewKey {
        kid: kid_for(&public),
        private_der,
        public,
    })
}

/// Loads a PKCS#8 PEM Ed25519 private key from a file.
pub fn from_file(path: &Path) -> Result<NewKey, KeyError> {
    let file_error = |message: String| KeyError::File {
        path: path.display().to_string(),
        message,
    };
    let pem = std::fs::read_to_string(path).map_err(|err| file_error(err.to_string()))?;
    let signing = ed25519_dalek::SigningKey::from_pkcs8_pem(&pem)
        .map_err(|err| file_error(format!("not a PKCS#8 Ed25519 key: {err}")))?;
    from_signing_key(&signing)
}

fn kid_for(public: &[u8]) -> String {
    let digest = Sha256::digest(public);
    use std::fmt::Write as _;
    digest[..8]
        .iter()
        .fold(String::with_capacity(16), |mut kid, b| {
            let _ = write!(kid, "{b:02x}");
            kid
        })
}

impl KeySet {
    /// Builds the set from the signing key and all verification keys.
    pub fn build(signing: &NewKey, verifying: &[KeyRow]) -> Result<Self, KeyError> {
        let encoding = EncodingKey::from_ed_der(&signing.private_der);
        let mut keys: Vec<(&str, &[u8])> = vec![(&signing.kid, &signing.public)];
        keys.extend(
            verifying
                .iter()
                .filter(|row| row.kid != signing.kid)
                .map(|row| (row.kid.as_str(), row.public_key.as_slice())),
        );
        let mut decoding = HashMap::new();
        let mut jwks = Vec::new();
        for (kid, public) in keys {
            if public.len() != 32 {
                return Err(KeyError::Corrupt {
                    kid: kid.to_owned(),
                });
            }
            let x = URL_SAFE_NO_PAD.encode(public);
            let key = DecodingKey::from_ed_components(&x).map_err(|_| KeyError::Corrupt {
                kid: kid.to_owned(),
            })?;
            decoding.insert(kid.to_owned(), key);
            jwks.push(serde_json::json!({
                "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x,
            }));
        }
        Ok(Self {
            signing_kid: signing.kid.clone(),
            encoding,
            verifying: decoding,
            jwks: serde_json::json!({ "keys": jwks }),
        })
    }
}

/// The current key set; readers take a cheap `Arc` snapshot.
#[derive(Clone)]
pub struct Keys {
    current: Arc<RwLock<Arc<KeySet>>>,
}

impl Keys {
    pub fn new(set: KeySet) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(set))),
        }
    }

    pub fn current(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace(&self, set: KeySet) {
        match self.current.write() {
            Ok(mut guard) => *guard = Arc::new(set),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(set),
        }
    }
}

/// Where signing keys come from: the database (generated on first start), or a file.
#[derive(Clone)]
pub struct KeySource {
    file_key: Option<Arc<NewKey>>,
}

impl KeySource {
    pub fn new(file: Option<&Path>) -> Result<Self, KeyError> {
        Ok(Self {
            file_key: file.map(from_file).transpose()?.map(Arc::new),
        })
    }

    /// Loads the current key set, generating the first database key if needed.
    pub async fn load(&self, pool: &service_runtime::db::PgPool) -> Result<KeySet, KeyError> {
        let mut conn = pool.get().await?;
        let rows = if self.file_key.is_some() {
            crate::db::keys::active(&mut conn).await?
        } else {
            // A candidate costs microseconds; it is stored only if there
            // is no key yet.
            crate::db::keys::ensure_one(&mut conn, &generate()?).await?
        };
        let signing = match &self.file_key {
            Some(key) => NewKey {
                kid: key.kid.clone(),
                private_der: key.private_der.clone(),
                public: key.public.clone(),
            },
            None => {
                let newest = rows.first().ok_or(KeyError::Missing)?;
                NewKey {
                    kid: newest.kid.clone(),
                    private_der: newest.private_key.clone(),
                    public: newest.public_key.clone(),
                }
            }
        };
        KeySet::build(&signing, &rows)
    }
}
