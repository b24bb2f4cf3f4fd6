//! GraphQL-over-HTTP client for black-box tests.
//!
//! Deliberately thin: it returns the raw JSON so tests assert on exactly what
//! a real client would see (data, errors, extension codes).

use std::time::Duration;

use serde_json::{Value, json};

/// Posts GraphQL requests to one endpoint, with optional extra headers.
///
/// Cheap to clone; [`with_token`](Self::with_token) and
/// [`with_header`](Self::with_header) return modified copies, so one base
/// client can serve several users.
#[derive(Clone, Debug)]
pub struct GraphqlClient {
    http: reqwest::Client,
    url: String,
    headers: Vec<(String, String)>,
}

impl GraphqlClient {
    /// A client for the full GraphQL URL, e.g. `http://127.0.0.1:4001/graphql`.
    ///
    /// Ignores `HTTP_PROXY` & co. (tests talk to local servers) and gives up
    /// on a request after 30 s.
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|e| panic!("testkit: building HTTP client: {e}"));
        Self {
            http,
            url: url.into(),
            headers: Vec::new(),
        }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A copy that sends `Authorization: Bearer <token>`.
    #[must_use]
    pub fn with_token(&self, token: &str) -> Self {
        self.with_header("authorization", &format!("Bearer {token}"))
    }

    /// A copy that also sends `name: value` (replacing an earlier value for
    /// the same header name).
    #[must_use]
    pub fn with_header(&self, name: &str, value: &str) -> Self {
        let mut copy = self.clone();
        copy.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        copy.headers.push((name.to_owned(), value.to_owned()));
        copy
    }

    /// Send `{query, variables}` and return the whole response body
    /// (`{"data": .., "errors": ..}`), whatever the HTTP status.
    ///
    /// # Panics
    /// On transport errors or if the body is not JSON (the message shows it).
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        let response = self
            .request()
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("testkit: POST {}: {e}", self.url));
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("testkit: reading response from {}: {e}", self.url));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "testkit: response from {} (HTTP {status}) is not JSON ({e}): {}",
                self.url,
                String::from_utf8_lossy(&bytes)
            )
        })
    }

    /// POST an arbitrary body (for malformed-input tests). Returns the HTTP
    /// status and the body: parsed JSON if it is JSON, else `Value::String`.
    ///
    /// # Panics
    /// On transport errors.
    pub async fn post_raw(&self, body: Vec<u8>, content_type: &str) -> (u16, Value) {
        let response = self
            .request()
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("testkit: POST {}: {e}", self.url));
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("testkit: reading response from {}: {e}", self.url));
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    fn request(&self) -> reqwest::RequestBuilder {
        self.headers
            .iter()
            .fold(self.http.post(&self.url), |req, (name, value)| {
                req.header(name, value)
            })
    }
}

/// `errors[0].extensions.code` of a GraphQL response, if present.
pub fn error_code(resp: &Value) -> Option<String> {
    resp.pointer("/errors/0/extensions/code")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Panic (printing the whole response) if it carries GraphQL errors.
#[track_caller]
pub fn assert_no_errors(resp: &Value) {
    let has_errors = match resp.get("errors") {
        None | Some(Value::Null) => false,
        Some(Value::Array(errors)) => !errors.is_empty(),
        Some(_) => true,
    };
    if has_errors {
        let pretty = serde_json::to_string_pretty(resp).unwrap_or_else(|_| resp.to_string());
        panic!("expected no GraphQL errors, got:\n{pretty}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_reads_first_error() {
        let resp = json!({"errors": [{"message": "x", "extensions": {"code": "UNAUTHENTICATED"}}]});
        assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(error_code(&json!({"data": {}})), None);
    }

    #[test]
    fn assert_no_errors_accepts_clean_responses() {
        assert_no_errors(&json!({"data": {"a": 1}}));
        assert_no_errors(&json!({"data": {"a": 1}, "errors": []}));
    }

    #[test]
    #[should_panic(expected = "expected no GraphQL errors")]
    fn assert_no_errors_panics_on_errors() {
        assert_no_errors(&json!({"errors": [{"message": "boom"}]}));
    }
}
