//! Where avatar files live: one small interface, a local directory by
//! default, any `object_store` backend (S3-compatible with the `s3` feature).
//!
//! Keys are made by this crate (`<user id>/<content key>-<size>.webp`);
//! [`is_valid_key`] still guards every call, so no key can name a file
//! outside the store.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid avatar key {0:?}")]
    InvalidKey(String),
    #[error("avatar store I/O on {key}: {source}")]
    Io {
        key: String,
        #[source]
        source: std::io::Error,
    },
    #[error("avatar object store on {key}: {source}")]
    Object {
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("avatar configuration: {0}")]
    Config(String),
}

/// A flat namespace of immutable files.
#[async_trait]
pub trait AvatarStore: Send + Sync + fmt::Debug + 'static {
    /// Stores `bytes` under `key`, replacing what was there. Readers never
    /// see a partly written file.
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError>;
    /// The file under `key`, or `None`.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError>;
    /// Removes `key`; removing what is not there is no error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

pub type SharedStore = Arc<dyn AvatarStore>;

/// Lower-case hex, digits, `-`, `.` and `/` between non-empty segments that
/// are not `.` or `..`.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'-' | b'.'))
        })
}

fn checked(key: &str) -> Result<&str, StoreError> {
    if is_valid_key(key) {
        Ok(key)
    } else {
        Err(StoreError::InvalidKey(key.to_owned()))
    }
}

/// Files under a directory, created on first write.
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        Ok(self.root.join(checked(key)?))
    }
}

fn io_error(key: &str) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        key: key.to_owned(),
        source,
    }
}

#[async_trait]
impl AvatarStore for LocalDirStore {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io_error(key))?;
        }
        // Write aside, then rename: atomic on one file system.
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        if let Err(err) = tokio::fs::write(&temp, &bytes).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(io_error(key)(err));
        }
        if let Err(err) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(io_error(key)(err));
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes.into())),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error(key)(err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            Err(err) => Err(io_error(key)(err)),
        }
    }
}

/// Any `object_store` backend: S3 and compatibles, or in memory for tests.
#[derive(Debug, Clone)]
pub struct ObjectStoreAdapter {
    inner: Arc<dyn ObjectStore>,
}

impl ObjectStoreAdapter {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// An S3-compatible bucket from `s3://bucket[/prefix]`, configured
    /// otherwise by the `AWS_*` environment variables (credentials, region,
    /// `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, ...).
    #[cfg(feature = "s3")]
    pub fn s3(url: &str) -> Result<Self, StoreError> {
        let (bucket, prefix) = parse_s3_url(url)?;
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|err| StoreError::Config(err.to_string()))?;
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(Self { inner })
    }
}

/// `s3://bucket/some/prefix/` → (`bucket`, `some/prefix`).
pub fn parse_s3_url(url: &str) -> Result<(String, String), StoreError> {
    let bad = || {
        StoreError::Config(format!(
            "AVATAR_S3_URL must be s3://bucket[/prefix], not {url:?}"
        ))
    };
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    if parsed.scheme() != "s3" {
        return Err(bad());
    }
    let bucket = parsed
        .host_str()
        .filter(|b| !b.is_empty())
        .ok_or_else(bad)?;
    let prefix = parsed.path().trim_matches('/');
    Ok((bucket.to_owned(), prefix.to_owned()))
}

fn object_error(key: &str) -> impl FnOnce(object_store::Error) -> StoreError + '_ {
    move |source| StoreError::Object {
        key: key.to_owned(),
        source,
    }
}

#[async_trait]
impl AvatarStore for ObjectStoreAdapter {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        let path = object_store::path::Path::from(checked(key)?);
        self.inner
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(object_error(key))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let path = object_store::path::Path::from(checked(key)?);
        match self.inner.get(&path).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(object_error(key))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(object_error(key)(err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = object_store::path::Path::from(checked(key)?);
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(object_error(key)(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(store: &dyn AvatarStore) {
        let key = "0191b2c3-0000-7000-8000-000000000001/0123456789abcdef0123456789abcdef-512.webp";
        assert_eq!(store.get(key).await.unwrap(), None);
        store.put(key, Bytes::from_static(b"one")).await.unwrap();
        assert_eq!(store.get(key).await.unwrap().unwrap(), "one");
        store.put(key, Bytes::from_static(b"two")).await.unwrap();
        assert_eq!(store.get(key).await.unwrap().unwrap(), "two");
        store.delete(key).await.unwrap();
        assert_eq!(store.get(key).await.unwrap(), None);
        store.delete(key).await.unwrap();
        for bad in [
            "",
            "../etc/passwd",
            "a/../../b",
            "/abs",
            "a//b",
            "A.webp",
            "a\\b",
            "a/./b",
        ] {
            assert!(
                matches!(
                    store.put(bad, Bytes::new()).await,
                    Err(StoreError::InvalidKey(_))
                ),
                "{bad}"
            );
            assert!(store.get(bad).await.is_err(), "{bad}");
            assert!(store.delete(bad).await.is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn local_directory() {
        let root = std::env::temp_dir().join(format!("avatar-store-{}", uuid::Uuid::new_v4()));
        let store = LocalDirStore::new(&root);
        exercise(&store).await;
        // No temporary files are left behind.
        let mut leftovers = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_dir() {
                    dirs.push(entry.path());
                } else {
                    leftovers.push(entry.path());
                }
            }
        }
        assert!(leftovers.is_empty(), "{leftovers:?}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn object_store_backend() {
        let store = ObjectStoreAdapter::new(Arc::new(object_store::memory::InMemory::new()));
        exercise(&store).await;
    }

    #[test]
    fn s3_urls() {
        assert_eq!(
            parse_s3_url("s3://avatars").unwrap(),
            ("avatars".to_owned(), String::new())
        );
        assert_eq!(
            parse_s3_url("s3://media/prod/avatars/").unwrap(),
            ("media".to_owned(), "prod/avatars".to_owned())
        );
        for bad in ["avatars", "https://x/y", "s3://", "s3:///prefix"] {
            assert!(parse_s3_url(bad).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "s3")]
    #[test]
    fn s3_backend_builds_from_a_url() {
        // Building makes no request; credentials are looked up on first use.
        assert!(ObjectStoreAdapter::s3("s3://avatars/prefix").is_ok());
        assert!(ObjectStoreAdapter::s3("file:///tmp").is_err());
    }
}
