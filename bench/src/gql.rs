//! A minimal GraphQL-over-HTTP client for load: the body is serialised
//! once, the response is only scanned for an `"errors"` key.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Gql {
    http: reqwest::Client,
    url: String,
    token: Option<HeaderValue>,
}

impl Gql {
    pub fn new(http: &reqwest::Client, url: &str) -> Self {
        Self {
            http: http.clone(),
            url: url.to_owned(),
            token: None,
        }
    }

    #[must_use]
    pub fn with_token(&self, token: &str) -> Self {
        let mut copy = self.clone();
        copy.token = HeaderValue::from_str(&format!("Bearer {token}")).ok();
        copy
    }

    /// The request body for `query` with `variables`.
    pub fn body(query: &str, variables: &Value) -> Body {
        Body(json!({ "query": query, "variables": variables }).to_string())
    }

    /// Sends a prepared body; true on HTTP 200 without GraphQL errors.
    pub async fn send_ok(&self, body: &Body) -> bool {
        match self.send_raw(body.0.clone()).await {
            Ok(text) => !text.contains("\"errors\""),
            Err(_) => false,
        }
    }

    /// Sends a prepared body and returns the parsed response; errors in
    /// the response are an error.
    pub async fn send_json(&self, body: &Body) -> anyhow::Result<Value> {
        let text = self.send_raw(body.0.clone()).await?;
        let value: Value = serde_json::from_str(&text)?;
        if value.get("errors").is_some() {
            anyhow::bail!("{} answered {value}", self.url);
        }
        Ok(value)
    }

    /// Sends a query and returns the parsed response; errors in the
    /// response are an error.
    pub async fn query(&self, query: &str, variables: &Value) -> anyhow::Result<Value> {
        let text = self.send_raw(Self::body(query, variables).0).await?;
        let value: Value = serde_json::from_str(&text)?;
        if value.get("errors").is_some() {
            anyhow::bail!("{} answered {value}", self.url);
        }
        Ok(value)
    }

    async fn send_raw(&self, body: String) -> anyhow::Result<String> {
        let mut request = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, token.clone());
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        anyhow::ensure!(status.is_success(), "{}: HTTP {status}: {text}", self.url);
        Ok(text)
    }
}

/// A prepared request body.
#[derive(Clone)]
pub struct Body(String);

/// One HTTP client per scenario: keep-alive, no proxy, loopback only.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(256)
        .timeout(std::time::Duration::from_secs(30))
        .build()?)
}
