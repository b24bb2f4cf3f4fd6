//! Sign-in with OpenID Connect providers ("Sign in with Google", a
//! company's Keycloak, …), configured not coded: any provider by issuer URL.
//!
//! The flow (authorization code + PKCE S256, `state`, `nonce`):
//! 1. `GET /oauth/{provider}/start?redirect_uri=…[&state=…]` stores the flow,
//!    sets a cookie binding it to this browser ([`FlowCookie`]) and sends
//!    the browser to the provider (the `oauthStart` mutation, for
//!    single-page apps, checks the same and returns this start URL: a
//!    GraphQL answer cannot set a cookie in the browser that will sign in);
//! 2. `GET /oauth/{provider}/callback` checks the cookie (login CSRF: a
//!    callback URL replayed in another browser fails), spends the flow,
//!    exchanges the code,
//!    verifies the ID token and sends the browser back to the app's
//!    allow-listed `redirect_uri` with a one-time login code;
//! 3. `exchangeOAuthCode(code)` finds, links or creates the account and
//!    signs it in (`service::oauth`).
//!
//! This module is the protocol side: settings ([`config`]), providers and
//! their discovery ([`providers`]), the exchange ([`flow`]) and the HTTP
//! routes ([`routes`]). The account rules are in `service/oauth.rs`, the SQL
//! in `db/oauth.rs`.

pub mod config;
pub mod flow;
pub mod providers;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use api_errors::{ApiError, ErrorCode};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::RedirectUrl;
use url::Url;

pub use config::{ConfigError, OAuthSettings};
use config::{ProviderConfig, RedirectAllowlist};
use providers::{HttpClient, Provider};

/// Longest `state` of its own an app may ask to get back.
pub const MAX_APP_STATE_LEN: usize = 512;

/// The configured providers and the settings of the flow; cheap to clone.
#[derive(Clone)]
pub struct OAuth {
    inner: Arc<Inner>,
}

struct Inner {
    providers: Vec<Provider>,
    allowlist: RedirectAllowlist,
    http: HttpClient,
    state_ttl: Duration,
    login_code_ttl: Duration,
    discovery_ttl: Duration,
    /// Where browsers reach this service; callbacks are under it. Known once
    /// the HTTP listener is bound.
    public_url: OnceLock<String>,
}

impl OAuth {
    /// From the settings; per-provider variables are read from the environment.
    pub fn new(settings: &OAuthSettings) -> Result<Self, ConfigError> {
        let providers = config::providers(settings, |key| std::env::var(key).ok())?;
        Self::with_providers(settings, providers)
    }

    pub fn with_providers(
        settings: &OAuthSettings,
        providers: Vec<ProviderConfig>,
    ) -> Result<Self, ConfigError> {
        let allowlist = RedirectAllowlist::parse(&settings.oauth_redirect_allowlist)?;
        if !providers.is_empty() {
            let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
            tracing::info!(?names, "sign-in providers configured");
            if allowlist.is_empty() {
                tracing::warn!(
                    "OAUTH_REDIRECT_ALLOWLIST is empty: no app can be sent back after signing in with a provider"
                );
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                providers: providers.into_iter().map(Provider::new).collect(),
                allowlist,
                http: providers::http_client(settings.http_timeout())?,
                state_ttl: settings.state_ttl(),
                login_code_ttl: settings.login_code_ttl(),
                discovery_ttl: settings.discovery_ttl(),
                public_url: OnceLock::new(),
            }),
        })
    }

    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.inner.providers.iter().find(|p| p.name() == name)
    }

    pub fn provider_names(&self) -> Vec<String> {
        self.inner
            .providers
            .iter()
            .map(|p| p.name().to_owned())
            .collect()
    }

    /// The allowed URL equal to `redirect_uri`, if any.
    pub fn allowed_redirect(&self, redirect_uri: &str) -> Option<&Url> {
        self.inner.allowlist.find(redirect_uri)
    }

    /// Sets where browsers reach this service (first call wins).
    pub fn set_public_url(&self, url: &str) {
        let _ = self
            .inner
            .public_url
            .set(url.trim_end_matches('/').to_owned());
    }

    /// `<public URL>/oauth/{provider}/start?redirect_uri=…[&state=…]`.
    pub fn start_url(
        &self,
        provider: &str,
        redirect_uri: &str,
        app_state: Option<&str>,
    ) -> Option<Url> {
        let base = self.inner.public_url.get()?;
        let mut url = Url::parse(&format!("{base}/oauth/{provider}/start")).ok()?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("redirect_uri", redirect_uri);
            if let Some(state) = app_state {
                query.append_pair("state", state);
            }
        }
        Some(url)
    }

    /// `<public URL>/oauth/{provider}/callback`: what is registered with the provider.
    pub fn callback_url(&self, provider: &str) -> Option<RedirectUrl> {
        let base = self.inner.public_url.get()?;
        RedirectUrl::new(format!("{base}/oauth/{provider}/callback")).ok()
    }

    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    pub fn state_ttl(&self) -> Duration {
        self.inner.state_ttl
    }

    pub fn login_code_ttl(&self) -> Duration {
        self.inner.login_code_ttl
    }

    pub fn discovery_ttl(&self) -> Duration {
        self.inner.discovery_ttl
    }
}

/// The cookie that binds a sign-in to the browser that started it (login
/// CSRF): set by `/start`, required by the callback. Named after the flow's
/// state, so sign-ins in several tabs do not overwrite each other; scoped
/// to the callback's path; HttpOnly; SameSite=Lax (sent on the provider's
/// top-level redirect back); Secure when the public URL is https. Only its
/// SHA-256 is stored, with the flow.
pub struct FlowCookie {
    pub name: String,
    pub value: String,
    pub path: String,
    pub max_age: Duration,
    pub secure: bool,
}

impl FlowCookie {
    /// The cookie's name for a flow's `state`.
    pub fn name_for(state: &str) -> String {
        let hash = flow::sha256(state);
        let tag = URL_SAFE_NO_PAD.encode(&hash[..9]);
        format!("oauth_flow_{tag}")
    }

    /// The `Set-Cookie` value.
    pub fn header(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.name,
            self.value,
            self.path,
            self.max_age.as_secs()
        )
    }
}

/// Why a sign-in with a provider could not start or come back. The callback
/// shows each as a page; `oauthStart` answers the ones that can happen
/// there as GraphQL errors.
#[derive(Debug)]
pub enum Failure {
    UnknownProvider,
    RedirectNotAllowed,
    AppStateTooLong,
    /// Discovery, keys or the token endpoint could not be reached or read.
    ProviderUnavailable,
    /// No state, or one we never issued (or for another provider).
    InvalidState,
    /// The callback was already followed with this state.
    StateUsed,
    /// The callback came to a browser that did not start this sign-in (no
    /// flow cookie, or another one): a sign-in link someone else started.
    OtherBrowser,
    StateExpired,
    /// The user declined (`error=access_denied`).
    AccessDenied,
    /// The provider sent another error, or no code.
    ProviderError,
    /// The token endpoint refused the code (used, expired, PKCE mismatch).
    CodeRejected,
    /// The ID token failed verification (signature, issuer, audience,
    /// expiry, nonce).
    InvalidIdToken,
    Internal(ApiError),
}

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Self {
        Failure::Internal(err)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(err: diesel::result::Error) -> Self {
        Failure::Internal(err.into())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for Failure {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Failure::Internal(err.into())
    }
}

/// A page: status, title and one paragraph.
pub struct PageText {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: &'static str,
}

impl Failure {
    /// The `error` handed back to the app (with its `state`) from the page's link.
    pub fn app_error(&self) -> &'static str {
        match self {
            Failure::AccessDenied => "access_denied",
            Failure::StateExpired => "expired",
            Failure::StateUsed => "already_used",
            Failure::ProviderUnavailable => "temporarily_unavailable",
            Failure::Internal(_) => "server_error",
            _ => "sign_in_failed",
        }
    }

    pub fn page(&self) -> PageText {
        let (status, title, message) = match self {
            Failure::UnknownProvider => (
                StatusCode::NOT_FOUND,
                "Unknown sign-in provider",
                "This app does not offer signing in with this provider.",
            ),
            Failure::RedirectNotAllowed => (
                StatusCode::BAD_REQUEST,
                "Sign-in cannot start",
                "The app asked to be sent back to an address it is not allowed to use, so signing in cannot start.",
            ),
            Failure::AppStateTooLong => (
                StatusCode::BAD_REQUEST,
                "Sign-in cannot start",
                "The app sent a sign-in request that is too long.",
            ),
            Failure::ProviderUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in provider unavailable",
                "We could not reach the sign-in provider, so you are not signed in. Please try again in a minute.",
            ),
            Failure::InvalidState => (
                StatusCode::BAD_REQUEST,
                "Invalid sign-in link",
                "This sign-in link is not valid. Please start signing in again from the app.",
            ),
            Failure::StateUsed => (
                StatusCode::BAD_REQUEST,
                "Sign-in link already used",
                "This sign-in link has already been used. If you are not signed in, start again from the app.",
            ),
            Failure::OtherBrowser => (
                StatusCode::BAD_REQUEST,
                "Sign-in failed",
                "This sign-in was not started in this browser, so it cannot end here. If you meant to sign in, start again from the app.",
            ),
            Failure::StateExpired => (
                StatusCode::BAD_REQUEST,
                "Sign-in timed out",
                "Signing in took too long. Please start again from the app.",
            ),
            Failure::AccessDenied => (
                StatusCode::FORBIDDEN,
                "Sign-in cancelled",
                "You did not allow the app to use your account with the provider, so you are not signed in.",
            ),
            Failure::ProviderError => (
                StatusCode::BAD_GATEWAY,
                "Sign-in failed",
                "The sign-in provider could not sign you in. Please try again from the app.",
            ),
            Failure::CodeRejected => (
                StatusCode::BAD_REQUEST,
                "Sign-in failed",
                "The sign-in provider did not accept this sign-in; it may have expired or been used already. Please start again from the app.",
            ),
            Failure::InvalidIdToken => (
                StatusCode::BAD_REQUEST,
                "Sign-in could not be verified",
                "The answer from the sign-in provider could not be verified, so you are not signed in. Please start again from the app.",
            ),
            Failure::Internal(err) if err.code() == ErrorCode::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many sign-in attempts",
                "Too many sign-ins were started from your network. Please wait a minute and try again from the app.",
            ),
            Failure::Internal(err) if err.code() == ErrorCode::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Something went wrong",
                "We could not complete signing in just now. Please try again in a minute.",
            ),
            Failure::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "We could not complete signing in just now. Please try again in a minute.",
            ),
        };
        PageText {
            status,
            title,
            message,
        }
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        let reason = |err: ApiError, reason: &'static str| {
            err.with_extension("reason", serde_json::Value::from(reason))
        };
        match failure {
            Failure::UnknownProvider => {
                ApiError::invalid_field("provider", "there is no sign-in provider by this name")
            }
            Failure::RedirectNotAllowed => ApiError::invalid_field(
                "redirectUri",
                "this redirect URI is not on the service's allow-list",
            ),
            Failure::AppStateTooLong => ApiError::invalid_field(
                "state",
                format!("the state must be at most {MAX_APP_STATE_LEN} characters"),
            ),
            Failure::ProviderUnavailable => {
                ApiError::unavailable("the sign-in provider cannot be reached; try again later")
            }
            Failure::Internal(err) => err,
            // Callback-only failures; here for completeness.
            other => reason(
                ApiError::bad_input("signing in with the provider failed"),
                other.app_error(),
            ),
        }
    }
}

/// The app's `redirect_uri` with our parameters (and the app's `state`) added.
pub fn back_to_app(
    redirect_uri: &str,
    params: &[(&str, &str)],
    app_state: Option<&str>,
) -> Option<Url> {
    let mut url = Url::parse(redirect_uri).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
        if let Some(state) = app_state {
            query.append_pair("state", state);
        }
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_gets_its_parameters_and_its_state() {
        let url = back_to_app(
            "https://app.example.com/done?tab=chats",
            &[("code", "abc")],
            Some("x y&z"),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://app.example.com/done?tab=chats&code=abc&state=x+y%26z"
        );
        let url = back_to_app(
            "com.example.app:/oauth",
            &[("error", "access_denied")],
            None,
        )
        .unwrap();
        assert_eq!(url.as_str(), "com.example.app:/oauth?error=access_denied");
    }

    #[test]
    fn start_failures_have_codes() {
        let code = |f: Failure| ApiError::from(f).code();
        assert_eq!(code(Failure::UnknownProvider), ErrorCode::BadUserInput);
        assert_eq!(code(Failure::RedirectNotAllowed), ErrorCode::BadUserInput);
        assert_eq!(code(Failure::ProviderUnavailable), ErrorCode::Unavailable);
        assert_eq!(Failure::AccessDenied.page().status, StatusCode::FORBIDDEN);
        assert_eq!(Failure::AccessDenied.app_error(), "access_denied");
    }
}
