//! Which OpenID Connect providers users may sign in with, and where apps may
//! be sent back to: environment variables, checked at start.

use std::collections::BTreeMap;
use std::time::Duration;

use openidconnect::IssuerUrl;
use url::Url;

/// Scopes asked for when a provider's configuration names none (`openid`
/// is always asked for).
pub const DEFAULT_SCOPES: [&str; 2] = ["email", "profile"];

#[derive(Debug, Clone, clap::Args)]
pub struct OAuthSettings {
    /// Sign-in providers. JSON — `{"google": {"issuer":
    /// "https://accounts.google.com", "client_id": "…", "client_secret": "…",
    /// "scopes": ["email", "profile"], "trust_email_verified": true}, …}` — or
    /// a comma-separated list of names, each configured by
    /// `OAUTH_<NAME>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_SCOPES` and
    /// `_TRUST_EMAIL_VERIFIED` (`<NAME>` upper-cased, `-` as `_`).
    /// `trust_email_verified` (default true): whether the provider's
    /// `email_verified` may link a sign-in to an existing account with that
    /// email; false: never (CONFLICT), and accounts it creates start
    /// unconfirmed. Unset: no providers.
    #[arg(long, env = "OAUTH_PROVIDERS", hide_env_values = true)]
    pub oauth_providers: Option<String>,
    /// Where apps may be sent back after signing in with a provider:
    /// comma-separated URLs; a `redirect_uri` must equal one of them.
    #[arg(long, env = "OAUTH_REDIRECT_ALLOWLIST", value_delimiter = ',')]
    pub oauth_redirect_allowlist: Vec<String>,
    /// How long a sign-in may take at the provider, in seconds.
    #[arg(long, env = "OAUTH_STATE_TTL_SECS", default_value_t = 600)]
    pub oauth_state_ttl_secs: u64,
    /// How long the app has to exchange its one-time login code, in seconds.
    #[arg(long, env = "OAUTH_LOGIN_CODE_TTL_SECS", default_value_t = 120)]
    pub oauth_login_code_ttl_secs: u64,
    /// Timeout of each request to a provider, in seconds.
    #[arg(long, env = "OAUTH_HTTP_TIMEOUT_SECS", default_value_t = 10)]
    pub oauth_http_timeout_secs: u64,
    /// How long a provider's discovery document and signing keys are used
    /// before they are fetched again, in seconds (a token signed with an
    /// unknown key fetches them at once).
    #[arg(long, env = "OAUTH_DISCOVERY_TTL_SECS", default_value_t = 3600)]
    pub oauth_discovery_ttl_secs: u64,
}

impl OAuthSettings {
    /// No providers: for tests and configurations without OAuth.
    pub fn none() -> Self {
        Self {
            oauth_providers: None,
            oauth_redirect_allowlist: Vec::new(),
            oauth_state_ttl_secs: 600,
            oauth_login_code_ttl_secs: 120,
            oauth_http_timeout_secs: 10,
            oauth_discovery_ttl_secs: 3600,
        }
    }

    pub fn state_ttl(&self) -> Duration {
        Duration::from_secs(self.oauth_state_ttl_secs)
    }

    pub fn login_code_ttl(&self) -> Duration {
        Duration::from_secs(self.oauth_login_code_ttl_secs)
    }

    pub fn http_timeout(&self) -> Duration {
        Duration::from_secs(self.oauth_http_timeout_secs.max(1))
    }

    pub fn discovery_ttl(&self) -> Duration {
        Duration::from_secs(self.oauth_discovery_ttl_secs)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("OAUTH_PROVIDERS is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "provider name {0:?}: use 1 to 32 of a-z, 0-9, '-' and '_', starting with a letter or digit"
    )]
    Name(String),
    #[error("provider {0:?} is configured twice")]
    Duplicate(String),
    #[error("provider {name:?}: {what} must be true or false, not {value:?}")]
    Flag {
        name: String,
        what: String,
        value: String,
    },
    #[error("provider {name:?}: {what} is missing")]
    Missing { name: String, what: String },
    #[error("provider {name:?}: issuer {issuer:?} {why}")]
    Issuer {
        name: String,
        issuer: String,
        why: &'static str,
    },
    #[error("OAUTH_REDIRECT_ALLOWLIST entry {entry:?}: {why}")]
    Redirect { entry: String, why: String },
    #[error("the HTTP client for providers: {0}")]
    Http(#[from] reqwest::Error),
}

/// One provider, as configured.
#[derive(Clone)]
pub struct ProviderConfig {
    pub name: String,
    pub issuer: IssuerUrl,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Besides `openid`.
    pub scopes: Vec<String>,
    /// Whether the provider's word that an email is verified may link its
    /// sign-in to the existing account with that email (and make accounts
    /// with a confirmed address). See `service::oauth`.
    pub trust_email_verified: bool,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("trust_email_verified", &self.trust_email_verified)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonProvider {
    issuer: String,
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default = "trusted")]
    trust_email_verified: bool,
}

fn trusted() -> bool {
    true
}

/// The providers of `OAUTH_PROVIDERS`; `env` looks up the per-name variables.
pub fn providers(
    settings: &OAuthSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, ConfigError> {
    let Some(raw) = settings.oauth_providers.as_deref().map(str::trim) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<ProviderConfig> = Vec::new();
    if raw.starts_with('{') {
        let parsed: BTreeMap<String, JsonProvider> = serde_json::from_str(raw)?;
        for (name, p) in parsed {
            let mut config = provider(name, &p.issuer, p.client_id, p.client_secret, p.scopes)?;
            config.trust_email_verified = p.trust_email_verified;
            out.push(config);
        }
    } else {
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let var = |suffix: &str| {
                let key = format!("OAUTH_{}_{suffix}", name.to_uppercase().replace('-', "_"));
                env(&key)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            let missing = |what: &str| ConfigError::Missing {
                name: name.to_owned(),
                what: format!("OAUTH_{}_{what}", name.to_uppercase().replace('-', "_")),
            };
            let issuer = var("ISSUER").ok_or_else(|| missing("ISSUER"))?;
            let client_id = var("CLIENT_ID").ok_or_else(|| missing("CLIENT_ID"))?;
            let scopes = var("SCOPES").map(|s| {
                s.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            });
            let mut config = provider(
                name.to_owned(),
                &issuer,
                client_id,
                var("CLIENT_SECRET"),
                scopes,
            )?;
            if let Some(value) = var("TRUST_EMAIL_VERIFIED") {
                config.trust_email_verified = match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    _ => {
                        return Err(ConfigError::Flag {
                            what: format!(
                                "OAUTH_{}_TRUST_EMAIL_VERIFIED",
                                name.to_uppercase().replace('-', "_")
                            ),
                            name: name.to_owned(),
                            value,
                        });
                    }
                };
            }
            out.push(config);
        }
    }
    for (i, p) in out.iter().enumerate() {
        if out[..i].iter().any(|q| q.name == p.name) {
            return Err(ConfigError::Duplicate(p.name.clone()));
        }
    }
    Ok(out)
}

fn provider(
    name: String,
    issuer: &str,
    client_id: String,
    client_secret: Option<String>,
    scopes: Option<Vec<String>>,
) -> Result<ProviderConfig, ConfigError> {
    let valid_name = (1..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid_name {
        return Err(ConfigError::Name(name));
    }
    if client_id.trim().is_empty() {
        return Err(ConfigError::Missing {
            name,
            what: "client_id".to_owned(),
        });
    }
    let issuer_error = |why| ConfigError::Issuer {
        name: name.clone(),
        issuer: issuer.to_owned(),
        why,
    };
    let url = Url::parse(issuer).map_err(|_| issuer_error("is not a URL"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(issuer_error("must be an https URL (http only on loopback)")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(issuer_error("must not have a query or fragment"));
    }
    // The issuer is compared with the `iss` of discovery and ID tokens as
    // written: keep it exactly as configured.
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(|_| issuer_error("is not a URL"))?;
    let scopes = scopes
        .unwrap_or_else(|| DEFAULT_SCOPES.map(str::to_owned).to_vec())
        .into_iter()
        .filter(|s| s != "openid")
        .collect();
    Ok(ProviderConfig {
        name,
        issuer,
        client_id,
        client_secret: client_secret.filter(|s| !s.is_empty()),
        scopes,
        trust_email_verified: true,
    })
}

/// The URLs apps may be sent back to.
#[derive(Debug, Clone, Default)]
pub struct RedirectAllowlist {
    urls: Vec<Url>,
}

impl RedirectAllowlist {
    pub fn parse(entries: &[String]) -> Result<Self, ConfigError> {
        let mut urls = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let url = check_redirect(entry).map_err(|why| ConfigError::Redirect {
                entry: entry.to_owned(),
                why: why.to_owned(),
            })?;
            urls.push(url);
        }
        Ok(Self { urls })
    }

    /// The allowed URL equal to `candidate`, if any.
    pub fn find(&self, candidate: &str) -> Option<&Url> {
        let candidate = check_redirect(candidate).ok()?;
        self.urls.iter().find(|url| **url == candidate)
    }

    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }
}

/// Query parameters we add when sending the browser back.
const RESERVED_PARAMS: [&str; 3] = ["code", "state", "error"];

fn check_redirect(raw: &str) -> Result<Url, &'static str> {
    let url = Url::parse(raw).map_err(|_| "not an absolute URL")?;
    if matches!(
        url.scheme(),
        "javascript" | "data" | "file" | "blob" | "vbscript" | "about"
    ) {
        return Err("this scheme cannot be a sign-in destination");
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment");
    }
    if url.username() != "" || url.password().is_some() {
        return Err("must not have credentials");
    }
    if url
        .query_pairs()
        .any(|(key, _)| RESERVED_PARAMS.contains(&key.as_ref()))
    {
        return Err("must not have the query parameters code, state or error (we add them)");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(providers: &str) -> OAuthSettings {
        OAuthSettings {
            oauth_providers: Some(providers.to_owned()),
            ..OAuthSettings::none()
        }
    }

    #[test]
    fn providers_from_json() {
        let json = r#"{
            "google": {"issuer": "https://accounts.google.com", "client_id": "g", "client_secret": "s"},
            "corp-sso": {"issuer": "http://127.0.0.1:8080/realms/corp", "client_id": "c", "scopes": ["openid", "email"]}
        }"#;
        let list = providers(&settings(json), |_| None).unwrap();
        assert_eq!(list.len(), 2);
        let corp = &list[0];
        assert_eq!(corp.name, "corp-sso");
        assert_eq!(corp.issuer.as_str(), "http://127.0.0.1:8080/realms/corp");
        assert_eq!(corp.client_secret, None);
        assert_eq!(corp.scopes, ["email"]);
        let google = &list[1];
        assert_eq!(google.client_secret.as_deref(), Some("s"));
        assert_eq!(google.scopes, ["email", "profile"]);
        assert!(google.trust_email_verified && corp.trust_email_verified);
        let distrusted = r#"{"g": {"issuer": "https://a.example", "client_id": "x", "trust_email_verified": false}}"#;
        assert!(!providers(&settings(distrusted), |_| None).unwrap()[0].trust_email_verified);
        assert!(
            !format!("{google:?}").contains("\"s\""),
            "no secret in Debug"
        );
    }

    #[test]
    fn providers_from_per_name_variables() {
        let env = |key: &str| match key {
            "OAUTH_GITHUB_OIDC_ISSUER" => Some("https://token.example.com".to_owned()),
            "OAUTH_GITHUB_OIDC_CLIENT_ID" => Some("id".to_owned()),
            "OAUTH_GITHUB_OIDC_CLIENT_SECRET" => Some("secret".to_owned()),
            "OAUTH_GITHUB_OIDC_SCOPES" => Some("email, profile groups".to_owned()),
            _ => None,
        };
        let list = providers(&settings(" github-oidc "), env).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "github-oidc");
        assert_eq!(list[0].client_id, "id");
        assert_eq!(list[0].scopes, ["email", "profile", "groups"]);
        assert!(list[0].trust_email_verified);
        let distrusting = |key: &str| match key {
            "OAUTH_GITHUB_OIDC_TRUST_EMAIL_VERIFIED" => Some("false".to_owned()),
            "OAUTH_X_TRUST_EMAIL_VERIFIED" => Some("maybe".to_owned()),
            "OAUTH_X_ISSUER" => Some("https://x.example".to_owned()),
            "OAUTH_X_CLIENT_ID" => Some("x".to_owned()),
            other => env(other),
        };
        let list = providers(&settings("github-oidc"), distrusting).unwrap();
        assert!(!list[0].trust_email_verified);
        let err = providers(&settings("x"), distrusting).unwrap_err();
        assert!(err.to_string().contains("true or false"), "{err}");

        let err = providers(&settings("other"), env).unwrap_err();
        assert!(err.to_string().contains("OAUTH_OTHER_ISSUER"), "{err}");
    }

    #[test]
    fn bad_provider_settings_are_refused() {
        for (json, needle) in [
            (
                r#"{"Google": {"issuer": "https://a.example", "client_id": "x"}}"#,
                "provider name",
            ),
            (
                r#"{"g": {"issuer": "http://a.example", "client_id": "x"}}"#,
                "https",
            ),
            (
                r#"{"g": {"issuer": "nope", "client_id": "x"}}"#,
                "not a URL",
            ),
            (
                r#"{"g": {"issuer": "https://a.example", "client_id": " "}}"#,
                "client_id",
            ),
            (
                r#"{"g": {"issuer": "https://a.example", "clientid": "x"}}"#,
                "JSON",
            ),
        ] {
            let err = providers(&settings(json), |_| None).unwrap_err();
            assert!(err.to_string().contains(needle), "{json}: {err}");
        }
        let env = |key: &str| {
            key.ends_with("_ISSUER")
                .then(|| "https://a.example".to_owned())
                .or_else(|| (!key.ends_with("_TRUST_EMAIL_VERIFIED")).then(|| "x".to_owned()))
        };
        assert!(matches!(
            providers(&settings("a,a"), env),
            Err(ConfigError::Duplicate(_))
        ));
        assert!(
            providers(&OAuthSettings::none(), |_| None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn redirects_must_equal_an_allowed_url() {
        let list = RedirectAllowlist::parse(&[
            "https://app.example.com/oauth/done".to_owned(),
            " com.example.app:/oauth ".to_owned(),
            String::new(),
        ])
        .unwrap();
        assert!(list.find("https://app.example.com/oauth/done").is_some());
        assert!(
            list.find("HTTPS://APP.example.com:443/oauth/done")
                .is_some()
        );
        assert!(list.find("com.example.app:/oauth").is_some());
        for other in [
            "https://app.example.com/oauth/done/",
            "https://app.example.com/oauth/done?x=1",
            "https://app.example.com/oauth/done#x",
            "https://app.example.com.evil.test/oauth/done",
            "http://app.example.com/oauth/done",
            "https://user@app.example.com/oauth/done",
            "/oauth/done",
            "",
        ] {
            assert!(list.find(other).is_none(), "{other}");
        }
        for bad in [
            "javascript:alert(1)",
            "https://a.example/cb#x",
            "https://a.example/cb?code=1",
            "relative/path",
        ] {
            assert!(
                RedirectAllowlist::parse(&[bad.to_owned()]).is_err(),
                "{bad}"
            );
        }
    }
}
