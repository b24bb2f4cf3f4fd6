//! Uploaded avatars: the pieces the domain ([`crate::service::avatars`])
//! and the HTTP routes ([`crate::http::avatars`]) are built from.
//!
//! ```text
//! requestAvatarUpload ──► signed URL (HMAC, 5 min) ──► client PUTs the bytes
//!   ──► check type, decode with limits, crop, re-encode 512/128 px
//!       (JPEG, or lossless WebP if transparent)
//!   ──► store under <user>/<content hash>-<size>.<ext> ──► users.avatar_key
//! GET /avatars/<user>/<hash>-<size>.jpg|webp: immutable, ETag, 304
//! ```

pub mod process;
mod settings;
pub mod signing;
pub mod store;

pub use settings::AvatarSettings;

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};
use uuid::Uuid;

use process::SIZES;
use signing::UploadSigner;
use store::{LocalDirStore, SharedStore, StoreError};

/// Largest upload accepted: 5 MiB.
pub const MAX_UPLOAD_BYTES: u32 = 5 * 1024 * 1024;
/// Name of the generated signing key in `service_secrets`.
pub const SIGNING_KEY_NAME: &str = "avatar_upload_signing_key";
/// Path prefixes of the routes in [`crate::http::avatars`].
pub const UPLOAD_PATH: &str = "/avatar-uploads";
pub const PICTURE_PATH: &str = "/avatars";

/// A configuration value that must not end up in logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < signing::MIN_KEY_LEN {
            return Err(format!(
                "the avatar signing key must be at least {} bytes",
                signing::MIN_KEY_LEN
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

/// Avatar storage, signing and limits; cheap to clone.
#[derive(Clone, Debug)]
pub struct Avatars {
    pub store: SharedStore,
    /// Set from the configuration, or loaded from the database on first use.
    signer: Arc<OnceCell<UploadSigner>>,
    /// Where clients reach this service (no trailing slash).
    public_url: Arc<OnceLock<String>>,
    pub upload_ttl: Duration,
    /// Bounds the uploads being decoded at once.
    pub decoding: Arc<Semaphore>,
}

impl Avatars {
    /// The store named by `settings`: S3 if `AVATAR_S3_URL` is set, else
    /// the directory `AVATAR_DIR` (created on first upload).
    /// `configured_public_url`: `PUBLIC_URL`, checked already; unset, the
    /// bound address is given later ([`Self::set_default_public_url`]).
    pub fn from_settings(
        settings: &AvatarSettings,
        configured_public_url: Option<String>,
    ) -> Result<Self, StoreError> {
        let store: SharedStore = match &settings.avatar_s3_url {
            Some(url) => s3_store(url)?,
            None => Arc::new(LocalDirStore::new(&settings.avatar_dir)),
        };
        let signer = match &settings.avatar_signing_key {
            Some(key) => OnceCell::new_with(UploadSigner::new(key.expose().as_bytes())),
            None => OnceCell::new(),
        };
        let public_url = OnceLock::new();
        if let Some(url) = configured_public_url {
            let _ = public_url.set(url);
        }
        Ok(Self {
            store,
            signer: Arc::new(signer),
            public_url: Arc::new(public_url),
            upload_ttl: settings.avatar_upload_ttl,
            decoding: Arc::new(Semaphore::new(settings.avatar_concurrency.max(1))),
        })
    }

    /// Uses `url` as the public base URL unless one was configured.
    pub fn set_default_public_url(&self, url: String) {
        let _ = self.public_url.set(url);
    }

    pub fn public_url(&self) -> &str {
        self.public_url.get().map_or("", String::as_str)
    }

    /// The signer, initialising it with `load` (the stored key) on first use.
    pub async fn signer<E, F>(&self, load: impl FnOnce() -> F) -> Result<&UploadSigner, E>
    where
        F: Future<Output = Result<UploadSigner, E>>,
    {
        self.signer.get_or_try_init(load).await
    }

    pub fn upload_url(&self, token: &str) -> String {
        format!("{}{UPLOAD_PATH}/{token}", self.public_url())
    }

    /// The public URL of the stored picture closest to `size` (the smallest
    /// at least that large, else the largest).
    pub fn picture_url(&self, user_id: Uuid, key: &str, size: Option<u32>) -> String {
        let size = size.map_or(SIZES[0], best_size);
        format!(
            "{}{PICTURE_PATH}/{}",
            self.public_url(),
            object_key(user_id, key, size)
        )
    }
}

/// The stored size that serves `wanted` pixels best.
pub fn best_size(wanted: u32) -> u32 {
    SIZES
        .iter()
        .rev()
        .copied()
        .find(|&size| size >= wanted)
        .unwrap_or(SIZES[0])
}

/// Where one size of a picture is stored, `key` being `<hash>.<extension>`
/// (`users.avatar_key`): `<user id>/<hash>-<size>.<extension>`, also its path
/// under [`PICTURE_PATH`].
pub fn object_key(user_id: Uuid, key: &str, size: u32) -> String {
    let (hash, extension) = key.split_once('.').unwrap_or((key, ""));
    format!("{user_id}/{hash}-{size}.{extension}")
}

#[cfg(feature = "s3")]
fn s3_store(url: &str) -> Result<SharedStore, StoreError> {
    Ok(Arc::new(store::ObjectStoreAdapter::s3(url)?))
}

#[cfg(not(feature = "s3"))]
fn s3_store(_url: &str) -> Result<SharedStore, StoreError> {
    Err(StoreError::Config(
        "AVATAR_S3_URL is set, but this build has no S3 support (cargo feature `s3`)".to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_chosen_upwards() {
        assert_eq!(best_size(1), 128);
        assert_eq!(best_size(128), 128);
        assert_eq!(best_size(129), 512);
        assert_eq!(best_size(512), 512);
        assert_eq!(best_size(4000), 512);
    }

    #[test]
    fn keys_are_valid_store_keys() {
        let user = Uuid::now_v7();
        let key = object_key(user, "0123456789abcdef0123456789abcdef.jpg", 128);
        assert_eq!(
            key,
            format!("{user}/0123456789abcdef0123456789abcdef-128.jpg")
        );
        assert!(store::is_valid_key(&key), "{key}");
    }

    fn settings() -> AvatarSettings {
        AvatarSettings {
            avatar_dir: std::env::temp_dir(),
            avatar_s3_url: None,
            avatar_signing_key: None,
            avatar_upload_ttl: Duration::from_secs(300),
            avatar_concurrency: 2,
        }
    }

    #[test]
    fn a_configured_public_url_is_used() {
        let avatars = Avatars::from_settings(
            &settings(),
            Some("https://api.example.com/users".to_owned()),
        )
        .unwrap();
        // A configured URL wins over the bound address.
        avatars.set_default_public_url("http://127.0.0.1:4002".to_owned());
        let user = Uuid::nil();
        assert_eq!(
            avatars.picture_url(user, "0123456789abcdef0123456789abcdef.jpg", Some(100)),
            format!(
                "https://api.example.com/users/avatars/{user}/0123456789abcdef0123456789abcdef-128.jpg"
            )
        );
        assert_eq!(
            avatars.upload_url("t.o.k.e.n"),
            "https://api.example.com/users/avatar-uploads/t.o.k.e.n"
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!("x".repeat(31).parse::<Secret>().is_err());
        let secret: Secret = "x".repeat(32).parse().unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(..)");
    }
}
