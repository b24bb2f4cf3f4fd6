//! The app's side of a sign-in with a provider, shared by the tests against
//! the real provider (`oauth.rs`) and the misbehaving one
//! (`oauth_misbehaving_provider.rs`): start, land on our callback, exchange
//! the login code. Only the way through the provider differs
//! ([`SignInFlow::at_provider`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use testkit::assert_no_errors;
use url::Url;

use super::TestAuth;

pub const APP: &str = "https://app.example.test/signed-in";
pub const APP_STATE: &str = "app-state-123";

pub const EXCHANGE: &str = "mutation($code: String!) {
  exchangeOAuthCode(code: $code) { accessToken refreshToken expiresAt userId sessionId deviceToken }
}";

pub const OAUTH_START: &str = "mutation($p: String!, $r: String!, $s: String) {
  oauthStart(provider: $p, redirectUri: $r, state: $s) { url }
}";

/// Where the browser ended up after the callback.
#[derive(Debug)]
pub enum Landing {
    /// Redirected back to the app.
    App(Url),
    /// An error page of ours.
    Page { status: u16, body: String },
}

impl Landing {
    pub fn page(self) -> (u16, String) {
        match self {
            Landing::Page { status, body } => (status, body),
            Landing::App(url) => panic!("expected an error page, went back to the app: {url}"),
        }
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location in {response:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The app's login code, from where the browser was sent back.
pub fn app_code(url: &Url) -> String {
    assert!(url.as_str().starts_with(APP), "{url}");
    assert_eq!(param(url, "state").as_deref(), Some(APP_STATE));
    param(url, "code").expect("a code")
}

/// A test world: an auth service with the provider `acme`, and a browser.
pub trait SignInFlow {
    /// The auth service under test.
    fn auth(&self) -> &TestAuth;
    /// The provider's issuer URL.
    fn issuer(&self) -> &str;
    /// A GET by the browser, redirects not followed.
    async fn get(&self, url: &str) -> reqwest::Response;
    /// From the provider's authorization URL to its redirect back to our
    /// callback (not followed).
    async fn at_provider(&self, authorize_url: &str) -> String;

    fn base(&self) -> String {
        format!("http://{}", self.auth().running.http_addr.unwrap())
    }

    fn start_url(&self, provider: &str, redirect_uri: &str) -> String {
        let mut url = Url::parse(&format!("{}/oauth/{provider}/start", self.base())).unwrap();
        url.query_pairs_mut()
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", APP_STATE);
        url.to_string()
    }

    /// `/start` → the provider's authorization URL.
    async fn start(&self) -> String {
        let response = self.get(&self.start_url("acme", APP)).await;
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let to = location(&response);
        assert!(to.starts_with(self.issuer()), "{to}");
        to
    }

    /// Follows our callback.
    async fn land(&self, callback: &str) -> Landing {
        let response = self.get(callback).await;
        let status = response.status().as_u16();
        if status == 302 {
            assert_eq!(response.headers()["referrer-policy"], "no-referrer");
            return Landing::App(Url::parse(&location(&response)).unwrap());
        }
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        Landing::Page {
            status,
            body: response.text().await.unwrap(),
        }
    }

    /// The whole browser flow.
    async fn sign_in(&self) -> Landing {
        let authorize = self.start().await;
        let callback = self.at_provider(&authorize).await;
        assert!(
            callback.starts_with(&format!("{}/oauth/acme/callback?", self.base())),
            "{callback}"
        );
        self.land(&callback).await
    }

    /// The login code the app gets back.
    async fn login_code(&self) -> String {
        match self.sign_in().await {
            Landing::App(url) => app_code(&url),
            Landing::Page { status, body } => panic!("error page {status}: {body}"),
        }
    }

    async fn exchange(&self, code: &str) -> Value {
        self.auth()
            .gql
            .query(EXCHANGE, json!({ "code": code }))
            .await
    }

    /// Signs in through the provider; returns `exchangeOAuthCode`.
    async fn signed_in(&self) -> Value {
        let code = self.login_code().await;
        let resp = self.exchange(&code).await;
        assert_no_errors(&resp);
        resp["data"]["exchangeOAuthCode"].clone()
    }

    async fn count(&self, sql: &str) -> i64 {
        let db = testkit::connect_pg(self.auth().db.url()).await;
        db.query_one(sql, &[]).await.unwrap().get(0)
    }

    /// Nothing of a sign-in was kept: no account, identity, code or event.
    async fn assert_nothing_created(&self) {
        assert_eq!(self.count("SELECT count(*) FROM accounts").await, 0);
        assert_eq!(self.count("SELECT count(*) FROM oauth_identities").await, 0);
        assert_eq!(self.count("SELECT count(*) FROM outbox").await, 0);
    }

    /// The account as the User entity shows it to its owner.
    async fn me(&self, access_token: &str, user_id: &str) -> Value {
        let resp = self
            .auth()
            .gql
            .with_token(access_token)
            .query(
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email emailVerified } } }",
                json!({ "r": [{ "__typename": "User", "id": user_id }] }),
            )
            .await;
        assert_no_errors(&resp);
        resp["data"]["_entities"][0].clone()
    }
}
