//! The configured providers and what their discovery documents say.
//!
//! A provider's discovery document and signing keys (JWKS) are fetched on
//! first use, not at start (a provider that is down must not stop the
//! service, nor the other providers), kept for `OAUTH_DISCOVERY_TTL_SECS`,
//! and fetched again at once when an ID token names a key we do not know
//! (the provider rotated its keys). While a provider cannot be reached, the
//! last document we have keeps working.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreClient, CoreClientAuthMethod, CoreProviderMetadata};
use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
};
use tokio::sync::{Mutex, RwLock};

use super::config::ProviderConfig;

/// A client made from a discovery document: authorization endpoint set,
/// token and userinfo endpoints as the document says.
pub type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The HTTP client for providers. It never follows redirects: a provider's
/// endpoints are the URLs it publishes (following them would let a
/// compromised document point us anywhere).
pub type HttpClient = openidconnect::reqwest::Client;

pub fn http_client(timeout: Duration) -> Result<HttpClient, openidconnect::reqwest::Error> {
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("messenger-auth/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// After a failed fetch with nothing cached, further sign-ins fail at once
/// for this long instead of each waiting for the timeout.
const FAILURE_BACKOFF: Duration = Duration::from_secs(5);
/// While a provider cannot be reached, how often a cached document is
/// checked again.
const STALE_RETRY: Duration = Duration::from_secs(60);
/// Keys are fetched again for an unknown key at most this often (a key
/// rotated just after a scheduled fetch is still picked up at once).
const KEY_REFRESH_MIN_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryFailed {
    #[error("discovery of {issuer} failed: {message}")]
    Fetch { issuer: String, message: String },
    #[error("{issuer} was unreachable moments ago")]
    BackingOff { issuer: String },
    #[error("{issuer} publishes no token endpoint")]
    NoTokenEndpoint { issuer: String },
}

pub struct Provider {
    pub config: ProviderConfig,
    cached: RwLock<Cached>,
    /// One fetch at a time per provider.
    fetching: Mutex<()>,
}

#[derive(Default)]
struct Cached {
    client: Option<Arc<OidcClient>>,
    fresh_until: Option<Instant>,
    failed_until: Option<Instant>,
    /// The last fetch for an unknown key.
    refetched_at: Option<Instant>,
}

impl Provider {
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            cached: RwLock::new(Cached::default()),
            fetching: Mutex::new(()),
        }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn issuer(&self) -> &IssuerUrl {
        &self.config.issuer
    }

    /// The client for this provider, from a fresh enough discovery document.
    pub async fn client(
        &self,
        http: &HttpClient,
        ttl: Duration,
    ) -> Result<Arc<OidcClient>, DiscoveryFailed> {
        if let Some(client) = self.fresh().await {
            return Ok(client);
        }
        let _one_at_a_time = self.fetching.lock().await;
        if let Some(client) = self.fresh().await {
            return Ok(client);
        }
        if self
            .cached
            .read()
            .await
            .failed_until
            .is_some_and(|until| Instant::now() < until)
        {
            return Err(DiscoveryFailed::BackingOff {
                issuer: self.config.issuer.to_string(),
            });
        }
        let fetched = self.discover(http).await;
        let mut cached = self.cached.write().await;
        let now = Instant::now();
        match fetched {
            Ok(client) => {
                let client = Arc::new(client);
                cached.client = Some(client.clone());
                cached.fresh_until = Some(now + ttl);
                cached.failed_until = None;
                Ok(client)
            }
            Err(err) => match cached.client.clone() {
                Some(stale) => {
                    tracing::warn!(provider = self.name(), error = %err, "provider discovery failed; using the last document");
                    cached.fresh_until = Some(now + ttl.min(STALE_RETRY));
                    Ok(stale)
                }
                None => {
                    cached.failed_until = Some(now + FAILURE_BACKOFF);
                    Err(err)
                }
            },
        }
    }

    /// After an ID token signed with a key `seen` does not have: the
    /// provider's current keys, unless they were fetched moments ago.
    pub async fn refetch_keys(
        &self,
        http: &HttpClient,
        ttl: Duration,
        seen: &Arc<OidcClient>,
    ) -> Option<Arc<OidcClient>> {
        let _one_at_a_time = self.fetching.lock().await;
        {
            let cached = self.cached.read().await;
            if let Some(current) = &cached.client
                && !Arc::ptr_eq(current, seen)
            {
                return Some(current.clone());
            }
            if cached
                .refetched_at
                .is_some_and(|at| at.elapsed() < KEY_REFRESH_MIN_INTERVAL)
            {
                return None;
            }
        }
        let fetched = self.discover(http).await;
        let now = Instant::now();
        let mut cached = self.cached.write().await;
        cached.refetched_at = Some(now);
        match fetched {
            Ok(client) => {
                let client = Arc::new(client);
                cached.client = Some(client.clone());
                cached.fresh_until = Some(now + ttl);
                cached.failed_until = None;
                Some(client)
            }
            Err(err) => {
                tracing::warn!(provider = self.name(), error = %err, "fetching the provider's keys again failed");
                None
            }
        }
    }

    async fn fresh(&self) -> Option<Arc<OidcClient>> {
        let cached = self.cached.read().await;
        match (&cached.client, cached.fresh_until) {
            (Some(client), Some(until)) if Instant::now() < until => Some(client.clone()),
            _ => None,
        }
    }

    /// Fetches the discovery document and the keys it points to. The
    /// document's `issuer` must be the configured one exactly.
    async fn discover(&self, http: &HttpClient) -> Result<OidcClient, DiscoveryFailed> {
        let issuer = self.config.issuer.to_string();
        let metadata = CoreProviderMetadata::discover_async(self.config.issuer.clone(), http)
            .await
            .map_err(|err| DiscoveryFailed::Fetch {
                issuer: issuer.clone(),
                message: error_chain(&err),
            })?;
        if metadata.token_endpoint().is_none() {
            return Err(DiscoveryFailed::NoTokenEndpoint { issuer });
        }
        // client_secret_basic unless the provider says it only takes the
        // secret in the body.
        let auth_type = match metadata.token_endpoint_auth_methods_supported() {
            Some(methods)
                if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        tracing::info!(provider = self.name(), %issuer, keys = metadata.jwks().keys().len(), "provider discovered");
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_auth_type(auth_type))
    }
}

/// An error and its sources on one line, for logs.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
