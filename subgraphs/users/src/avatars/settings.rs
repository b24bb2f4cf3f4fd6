//! The avatar settings every users process reads (flattened into `Config`).

use std::time::Duration;

/// Avatar uploads and storage.
#[derive(Debug, Clone, clap::Args)]
pub struct AvatarSettings {
    /// Directory that holds avatar files, unless `AVATAR_S3_URL` is set.
    #[arg(long, env = "AVATAR_DIR", default_value = "target/avatars")]
    pub avatar_dir: std::path::PathBuf,
    /// `s3://bucket[/prefix]`: keep avatars in an S3-compatible store
    /// instead. Credentials, region and endpoint come from the usual
    /// `AWS_*` variables (`AWS_ENDPOINT` for MinIO and the like). Needs the
    /// `s3` cargo feature.
    #[arg(long, env = "AVATAR_S3_URL")]
    pub avatar_s3_url: Option<String>,
    /// Secret (at least 32 bytes) that signs upload URLs. Default: one
    /// generated on first start and kept in the users database, so that
    /// every replica signs and checks with the same key.
    #[arg(long, env = "AVATAR_SIGNING_KEY", hide_env_values = true)]
    pub avatar_signing_key: Option<super::Secret>,
    /// How long an upload URL stays valid, in seconds (at least one). A
    /// `Duration` here, so that tests can ask for milliseconds.
    #[arg(
        long = "avatar-upload-ttl-secs",
        env = "AVATAR_UPLOAD_TTL_SECS",
        default_value = "300",
        value_parser = whole_seconds
    )]
    pub avatar_upload_ttl: Duration,
    /// Uploads decoded at once (each is CPU-bound and may hold ~200 MB).
    #[arg(long, env = "AVATAR_CONCURRENCY", default_value_t = 2)]
    pub avatar_concurrency: usize,
}

/// A number of seconds, at least one.
fn whole_seconds(value: &str) -> Result<Duration, String> {
    let secs: u64 = value
        .trim()
        .parse()
        .map_err(|e| format!("a number of seconds: {e}"))?;
    Ok(Duration::from_secs(secs.max(1)))
}
