//! Signing in with an OpenID Connect provider, end to end over real HTTP:
//! a browser's redirects followed by hand (reqwest, no redirect following)
//! between the auth service and a real provider on 127.0.0.1
//! (`common::oidc`), then `exchangeOAuthCode` over GraphQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth::Parts;
use auth::config::EmailVerification;
use base64::Engine as _;
use common::oidc::{Behaviour, TestProvider, User};
use common::{LOGIN, TestAuth, login, register, spawn_with, str_of};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};
use url::Url;

const APP: &str = "https://app.example.test/signed-in";
const APP_STATE: &str = "app-state-123";

const EXCHANGE: &str = "mutation($code: String!) {
  exchangeOAuthCode(code: $code) { accessToken refreshToken expiresAt userId sessionId }
}";

const OAUTH_START: &str = "mutation($p: String!, $r: String!, $s: String) {
  oauthStart(provider: $p, redirectUri: $r, state: $s)
}";

struct World {
    t: TestAuth,
    idp: TestProvider,
    http: reqwest::Client,
}

/// Where the browser ended up after the callback.
#[derive(Debug)]
enum Landing {
    /// Redirected back to the app.
    App(Url),
    /// An error page of ours.
    Page { status: u16, body: String },
}

impl Landing {
    fn page(self) -> (u16, String) {
        match self {
            Landing::Page { status, body } => (status, body),
            Landing::App(url) => panic!("expected an error page, went back to the app: {url}"),
        }
    }
}

async fn world() -> World {
    world_with(|_| {}).await
}

async fn world_with(adjust: impl FnOnce(&mut auth::Config)) -> World {
    let idp = TestProvider::start().await;
    let providers = json!({ "acme": idp.settings() }).to_string();
    let t = spawn_with(
        |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
            adjust(c);
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    World {
        t,
        idp,
        http: browser(),
    }
}

/// A "browser" that shows us every redirect.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location in {response:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl World {
    fn base(&self) -> String {
        format!("http://{}", self.t.running.http_addr.unwrap())
    }

    fn start_url(&self, provider: &str, redirect_uri: &str) -> String {
        let mut url = Url::parse(&format!("{}/oauth/{provider}/start", self.base())).unwrap();
        url.query_pairs_mut()
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", APP_STATE);
        url.to_string()
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }

    /// `/start` → the provider's authorization URL.
    async fn start(&self) -> String {
        let response = self.get(&self.start_url("acme", APP)).await;
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let to = location(&response);
        assert!(to.starts_with(&self.idp.issuer), "{to}");
        to
    }

    /// The provider's redirect back to our callback (not followed).
    async fn at_provider(&self, authorize_url: &str) -> String {
        let response = self.get(authorize_url).await;
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        location(&response)
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
            Landing::App(url) => {
                assert!(url.as_str().starts_with(APP), "{url}");
                assert_eq!(param(&url, "state").as_deref(), Some(APP_STATE));
                param(&url, "code").expect("a code")
            }
            Landing::Page { status, body } => panic!("error page {status}: {body}"),
        }
    }

    async fn exchange(&self, code: &str) -> Value {
        self.t.gql.query(EXCHANGE, json!({ "code": code })).await
    }

    /// Signs in through the provider; returns `exchangeOAuthCode`.
    async fn signed_in(&self) -> Value {
        let code = self.login_code().await;
        let resp = self.exchange(&code).await;
        assert_no_errors(&resp);
        resp["data"]["exchangeOAuthCode"].clone()
    }

    async fn count(&self, sql: &str) -> i64 {
        let db = testkit::connect_pg(self.t.db.url()).await;
        db.query_one(sql, &[]).await.unwrap().get(0)
    }

    async fn execute(&self, sql: &str) {
        let db = testkit::connect_pg(self.t.db.url()).await;
        db.batch_execute(sql).await.unwrap();
    }

    /// `users.create_user` events waiting in the outbox.
    async fn create_user_events(&self) -> Vec<Value> {
        let db = testkit::connect_pg(self.t.db.url()).await;
        db.query(
            "SELECT payload::text FROM outbox WHERE kind = 'users.create_user' ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| serde_json::from_str(row.get::<_, &str>(0)).unwrap())
        .collect()
    }

    /// Nothing of a sign-in was kept: no account, identity, code or event.
    async fn assert_nothing_created(&self) {
        assert_eq!(self.count("SELECT count(*) FROM accounts").await, 0);
        assert_eq!(self.count("SELECT count(*) FROM oauth_identities").await, 0);
        assert_eq!(self.count("SELECT count(*) FROM outbox").await, 0);
    }
}

/// The claims of one of our access tokens.
fn claims(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn me(w: &World, access_token: &str, user_id: &str) -> Value {
    let resp = w
        .t
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

#[tokio::test]
async fn first_sign_in_creates_a_confirmed_account_without_a_password() {
    // Even where confirmation is required: the provider confirmed the address.
    let w = world_with(|c| c.email.email_verification = EmailVerification::Required).await;
    w.idp
        .sign_in_as(User::verified("alice-at-acme", "Alice@Example.com"));

    let authorize = w.start().await;
    let request = Url::parse(&authorize).unwrap();
    assert_eq!(param(&request, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&request, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(&request, "code_challenge").unwrap().len(), 43);
    assert_eq!(param(&request, "state").unwrap().len(), 43);
    assert_eq!(param(&request, "nonce").unwrap().len(), 43);
    assert_eq!(
        param(&request, "redirect_uri").unwrap(),
        format!("{}/oauth/acme/callback", w.base())
    );
    let scopes = param(&request, "scope").unwrap();
    for scope in ["openid", "email", "profile"] {
        assert!(scopes.split(' ').any(|s| s == scope), "{scopes}");
    }
    // State and nonce are kept as their SHA-256 only.
    let hashed = |column: &str, value: &str| {
        format!(
            "SELECT count(*) FROM oauth_states WHERE {column} = sha256(convert_to('{value}', 'UTF8'))"
        )
    };
    let state = param(&request, "state").unwrap();
    let nonce = param(&request, "nonce").unwrap();
    assert_eq!(w.count(&hashed("state_hash", &state)).await, 1);
    assert_eq!(w.count(&hashed("nonce_hash", &nonce)).await, 1);

    let callback = w.at_provider(&authorize).await;
    let Landing::App(back) = w.land(&callback).await else {
        panic!("not back at the app")
    };
    let code = param(&back, "code").unwrap();
    assert_eq!(param(&back, "state").as_deref(), Some(APP_STATE));
    assert_eq!(
        w.count(&format!(
            "SELECT count(*) FROM oauth_login_codes WHERE code_hash = sha256(convert_to('{code}', 'UTF8'))"
        ))
        .await,
        1
    );
    let resp = w.exchange(&code).await;
    assert_no_errors(&resp);
    let auth = &resp["data"]["exchangeOAuthCode"];
    let user_id = str_of(auth, "userId");
    assert_eq!(claims(str_of(auth, "accessToken"))["ev"], true);
    let account = me(&w, str_of(auth, "accessToken"), user_id).await;
    assert_eq!(account["email"], "alice@example.com");
    assert_eq!(account["emailVerified"], true);

    // Users is asked to create the user exactly as after a registration,
    // and no confirmation email goes out.
    assert_eq!(
        w.create_user_events().await,
        [json!({ "account_id": user_id, "email": "alice@example.com" })]
    );
    assert_eq!(
        w.count("SELECT count(*) FROM outbox WHERE kind <> 'users.create_user'")
            .await,
        0
    );
    assert_eq!(
        w.count("SELECT count(*) FROM accounts WHERE password_hash IS NULL AND email_verified")
            .await,
        1
    );
    // The refresh token works like any other.
    let refreshed =
        w.t.gql
            .query(
                common::REFRESH,
                json!({ "t": str_of(auth, "refreshToken") }),
            )
            .await;
    assert_no_errors(&refreshed);
}

#[tokio::test]
async fn a_later_sign_in_finds_the_account_by_subject() {
    let w = world().await;
    w.idp
        .sign_in_as(User::verified("sub-42", "first@example.com"));
    let first = w.signed_in().await;
    // The provider's email changed since: the subject is what counts.
    w.idp
        .sign_in_as(User::verified("sub-42", "renamed@example.com"));
    let second = w.signed_in().await;
    assert_eq!(first["userId"], second["userId"]);
    assert_ne!(first["sessionId"], second["sessionId"]);
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(w.create_user_events().await.len(), 1);
    // Even an unverified email does not matter to a known identity.
    w.idp
        .sign_in_as(User::unverified("sub-42", "whatever@example.com"));
    assert_eq!(w.signed_in().await["userId"], first["userId"]);
}

#[tokio::test]
async fn accounts_without_a_password_cannot_password_login() {
    let w = world().await;
    w.idp
        .sign_in_as(User::verified("s", "oauth-only@example.com"));
    w.signed_in().await;
    let with_oauth_email =
        w.t.gql
            .query(
                LOGIN,
                json!({ "email": "oauth-only@example.com", "password": "anything-at-all" }),
            )
            .await;
    let unknown =
        w.t.gql
            .query(
                LOGIN,
                json!({ "email": "nobody@example.com", "password": "anything-at-all" }),
            )
            .await;
    assert_eq!(
        error_code(&with_oauth_email).as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(with_oauth_email["errors"][0], unknown["errors"][0]);
}

#[tokio::test]
async fn a_verified_email_is_linked_to_the_password_account() {
    let w = world().await;
    let registered = register(&w.t.gql, "bob@example.com", "bobs-password").await;
    w.idp
        .sign_in_as(User::verified("bob-at-acme", "BOB@example.com"));
    let via_provider = w.signed_in().await;
    assert_eq!(via_provider["userId"], registered["userId"]);
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 1);
    // The password still works, and the address is now confirmed.
    let via_password = login(&w.t.gql, "bob@example.com", "bobs-password").await;
    assert_eq!(via_password["userId"], registered["userId"]);
    let account = me(
        &w,
        str_of(&via_password, "accessToken"),
        str_of(&via_password, "userId"),
    )
    .await;
    assert_eq!(account["emailVerified"], true);
    // One user, from the registration.
    assert_eq!(w.create_user_events().await.len(), 1);
    // Next time the identity is known.
    assert_eq!(w.signed_in().await["userId"], registered["userId"]);
}

#[tokio::test]
async fn an_unverified_email_of_a_password_account_is_a_conflict() {
    let w = world().await;
    let registered = register(&w.t.gql, "carol@example.com", "carols-password").await;
    w.idp
        .sign_in_as(User::unverified("mallory", "carol@example.com"));
    let code = w.login_code().await;
    let resp = w.exchange(&code).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    let message = resp["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("already exists") && message.contains("password"),
        "{message}"
    );
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 0);
    // The code is spent; the account is untouched.
    let again = w.exchange(&code).await;
    assert_eq!(again["errors"][0]["extensions"]["reason"], "USED");
    let via_password = login(&w.t.gql, "carol@example.com", "carols-password").await;
    assert_eq!(via_password["userId"], registered["userId"]);
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 2);
}

#[tokio::test]
async fn an_unverified_or_missing_email_creates_nothing() {
    let w = world().await;
    w.idp.sign_in_as(User::unverified("new", "new@example.com"));
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "EMAIL_NOT_VERIFIED"
    );
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("acme has not confirmed your email address")
    );

    // No email_verified claim at all counts as unverified.
    w.idp.sign_in_as(User {
        email_verified: None,
        ..User::verified("new", "new@example.com")
    });
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "EMAIL_NOT_VERIFIED"
    );

    w.idp.sign_in_as(User {
        email: None,
        email_verified: None,
        subject: "no-email".to_owned(),
    });
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "EMAIL_MISSING");
    w.assert_nothing_created().await;
}

#[tokio::test]
async fn linking_an_unconfirmed_account_where_confirmation_is_required_removes_its_password() {
    let w = world_with(|c| c.email.email_verification = EmailVerification::Required).await;
    // Someone registered this address before its owner came.
    let resp =
        w.t.gql
            .query(
                common::REGISTER,
                json!({ "email": "dana@example.com", "password": "squatters-password" }),
            )
            .await;
    assert_no_errors(&resp);
    w.idp.sign_in_as(User::verified("dana", "dana@example.com"));
    let owner = w.signed_in().await;
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(claims(str_of(&owner, "accessToken"))["ev"], true);
    // The squatter's password no longer opens the (now confirmed) account.
    let squatter =
        w.t.gql
            .query(
                LOGIN,
                json!({ "email": "dana@example.com", "password": "squatters-password" }),
            )
            .await;
    assert_eq!(error_code(&squatter).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(
        w.count("SELECT count(*) FROM accounts WHERE password_hash IS NULL AND email_verified")
            .await,
        1
    );
}

#[tokio::test]
async fn denied_consent_shows_a_page_with_the_way_back() {
    let w = world().await;
    w.idp.behave(Behaviour::DenyConsent);
    let (status, body) = w.sign_in().await.page();
    assert_eq!(status, 403);
    assert!(body.contains("Sign-in cancelled"), "{body}");
    assert!(
        body.contains(&format!(
            "href=\"{APP}?error=access_denied&amp;state={APP_STATE}\""
        )),
        "{body}"
    );
    assert_eq!(w.idp.token_requests(), 0);
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);
    w.assert_nothing_created().await;

    w.idp.behave(Behaviour::AuthorizeError);
    let (status, body) = w.sign_in().await.page();
    assert_eq!(status, 502);
    assert!(body.contains("could not sign you in"), "{body}");
}

#[tokio::test]
async fn bad_state_is_refused_and_spends_nothing() {
    let w = world().await;
    let callback = w.at_provider(&w.start().await).await;
    let url = Url::parse(&callback).unwrap();
    let state = param(&url, "state").unwrap();
    let code = param(&url, "code").unwrap();
    let base = format!("{}/oauth/acme/callback", w.base());

    let mut tampered = state.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        format!("{base}?code={code}&state={tampered}"),
        format!("{base}?code={code}"),
        format!("{base}?code={code}&state=short"),
    ] {
        let (status, body) = w.land(&bad).await.page();
        assert_eq!(status, 400);
        assert!(body.contains("Invalid sign-in link"), "{body}");
        assert!(!body.contains("href"), "no way back without a known flow");
    }
    assert_eq!(w.idp.token_requests(), 0);
    // The real one still works.
    assert!(matches!(w.land(&callback).await, Landing::App(_)));
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let w = world().await;
    let callback = w.at_provider(&w.start().await).await;
    // A HEAD (prefetch, link checker) spends nothing.
    let head = w.http.head(&callback).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(w.idp.token_requests(), 0);
    assert!(matches!(w.land(&callback).await, Landing::App(_)));
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("already been used"), "{body}");
    assert_eq!(w.idp.token_requests(), 1);
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 1);
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let w = world().await;
    let callback = w.at_provider(&w.start().await).await;
    w.execute("UPDATE oauth_states SET expires_at = now() - interval '1 second'")
        .await;
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("took too long"), "{body}");
    assert!(body.contains("error=expired"), "{body}");
    assert_eq!(w.idp.token_requests(), 0);
}

#[tokio::test]
async fn login_codes_work_once_and_briefly() {
    let w = world().await;
    let code = w.login_code().await;
    assert_no_errors(&w.exchange(&code).await);
    let replay = w.exchange(&code).await;
    assert_eq!(error_code(&replay).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(replay["errors"][0]["extensions"]["reason"], "USED");

    let invalid = w.exchange("not-a-code").await;
    assert_eq!(invalid["errors"][0]["extensions"]["reason"], "INVALID");
    let unknown = w.exchange(&"A".repeat(43)).await;
    assert_eq!(unknown["errors"][0]["extensions"]["reason"], "INVALID");

    let late = w.login_code().await;
    w.execute("UPDATE oauth_login_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        .await;
    let expired = w.exchange(&late).await;
    assert_eq!(expired["errors"][0]["extensions"]["reason"], "EXPIRED");
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn one_code_exchanged_twice_at_once_signs_in_once() {
    let w = world().await;
    let code = w.login_code().await;
    let (a, b) = tokio::join!(w.exchange(&code), w.exchange(&code));
    let ok = [&a, &b]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(ok, 1, "{a} {b}");
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn two_first_sign_ins_at_once_make_one_account() {
    let w = world().await;
    let (c1, c2) = (w.login_code().await, w.login_code().await);
    let (a, b) = tokio::join!(w.exchange(&c1), w.exchange(&c2));
    assert_no_errors(&a);
    assert_no_errors(&b);
    assert_eq!(
        a["data"]["exchangeOAuthCode"]["userId"],
        b["data"]["exchangeOAuthCode"]["userId"]
    );
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(w.create_user_events().await.len(), 1);
}

#[tokio::test]
async fn id_tokens_that_fail_verification_are_refused() {
    let w = world().await;
    for behaviour in [
        Behaviour::WrongNonce,
        Behaviour::NoNonce,
        Behaviour::WrongAudience,
        Behaviour::WrongIssuer,
        Behaviour::Expired,
        Behaviour::BadSignature,
        Behaviour::UnknownKey,
    ] {
        w.idp.behave(behaviour);
        let (status, body) = w.sign_in().await.page();
        assert_eq!(status, 400, "{behaviour:?}");
        assert!(
            body.contains("could not be verified"),
            "{behaviour:?}: {body}"
        );
        assert!(
            body.contains("error=sign_in_failed"),
            "{behaviour:?}: {body}"
        );
    }
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);
    w.assert_nothing_created().await;
    // The provider behaving again: all is well.
    w.idp.behave(Behaviour::Normal);
    w.signed_in().await;
}

#[tokio::test]
async fn a_callback_naming_another_issuer_is_refused() {
    let w = world().await;
    w.idp.behave(Behaviour::WrongIssParameter);
    let (status, _) = w.sign_in().await.page();
    assert_eq!(status, 502);
    assert_eq!(w.idp.token_requests(), 0);
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_answer() {
    // Nothing listens on this port.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let providers = json!({
        "down": { "issuer": format!("http://{closed}/realms/x"), "client_id": "c" }
    })
    .to_string();
    let t = spawn_with(
        |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    let resp = t
        .gql
        .query(OAUTH_START, json!({ "p": "down", "r": APP }))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
    let start = format!(
        "http://{}/oauth/down/start?redirect_uri={APP}",
        t.running.http_addr.unwrap()
    );
    let response = browser().get(&start).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("could not reach the sign-in provider")
    );
    // Password sign-up is unaffected.
    register(&t.gql, "still@example.com", "works-fine").await;
}

#[tokio::test]
async fn a_provider_going_down_mid_sign_in_gets_a_clear_page() {
    let mut w = world().await;
    let callback = w.at_provider(&w.start().await).await;
    w.idp.stop().await;
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 503);
    assert!(
        body.contains("could not reach the sign-in provider"),
        "{body}"
    );
    assert!(body.contains("error=temporarily_unavailable"), "{body}");
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);

    let w = world().await;
    w.idp.behave(Behaviour::TokenEndpointFails);
    let (status, _) = w.sign_in().await.page();
    assert_eq!(status, 503);
    w.assert_nothing_created().await;
}

#[tokio::test]
async fn rotated_provider_keys_are_fetched_again() {
    let w = world().await;
    let authorize = w.start().await;
    assert_eq!(w.idp.jwks_fetches(), 1);
    w.idp.rotate_keys();
    assert!(matches!(
        w.land(&w.at_provider(&authorize).await).await,
        Landing::App(_)
    ));
    assert_eq!(w.idp.jwks_fetches(), 2);
    // Cached from then on.
    w.signed_in().await;
    assert_eq!(w.idp.jwks_fetches(), 2);
    assert_eq!(w.idp.discovery_fetches(), 2);
}

#[tokio::test]
async fn an_email_only_in_userinfo_is_found_there() {
    let w = world().await;
    w.idp.behave(Behaviour::EmailOnlyInUserinfo);
    w.idp
        .sign_in_as(User::verified("ui", "userinfo@example.com"));
    let auth = w.signed_in().await;
    let account = me(&w, str_of(&auth, "accessToken"), str_of(&auth, "userId")).await;
    assert_eq!(account["email"], "userinfo@example.com");
}

#[tokio::test]
async fn single_page_apps_start_through_graphql_with_any_of_several_providers() {
    let acme = TestProvider::start().await;
    let globex = TestProvider::start().await;
    let providers = json!({ "acme": acme.settings(), "globex": globex.settings() }).to_string();
    let t = spawn_with(
        |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    let w = World {
        t,
        idp: acme,
        http: browser(),
    };
    let listed = w.t.gql.query("{ oauthProviders }", json!({})).await;
    assert_eq!(listed["data"]["oauthProviders"], json!(["acme", "globex"]));

    // The same subject and email at two issuers: two identities, one account.
    let mut user_ids = Vec::new();
    for (name, idp) in [("globex", &globex), ("acme", &w.idp)] {
        idp.sign_in_as(User::verified("same-subject", "eve@example.com"));
        let resp =
            w.t.gql
                .query(OAUTH_START, json!({ "p": name, "r": APP, "s": "spa" }))
                .await;
        assert_no_errors(&resp);
        let url = resp["data"]["oauthStart"].as_str().unwrap();
        assert!(url.starts_with(&idp.issuer), "{url}");
        let callback = w.at_provider(url).await;
        assert!(callback.contains(&format!("/oauth/{name}/callback?")));
        let Landing::App(back) = w.land(&callback).await else {
            panic!("not back at the app")
        };
        assert_eq!(param(&back, "state").as_deref(), Some("spa"));
        let resp = w.exchange(&param(&back, "code").unwrap()).await;
        assert_no_errors(&resp);
        user_ids.push(resp["data"]["exchangeOAuthCode"]["userId"].clone());
    }
    assert_eq!(user_ids[0], user_ids[1]);
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 2);

    // A state of one provider is no good at another's callback.
    let resp =
        w.t.gql
            .query(OAUTH_START, json!({ "p": "acme", "r": APP }))
            .await;
    let callback = w
        .at_provider(resp["data"]["oauthStart"].as_str().unwrap())
        .await
        .replace("/oauth/acme/", "/oauth/globex/");
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("Invalid sign-in link"), "{body}");
}

#[tokio::test]
async fn only_known_providers_and_allowed_redirects_start() {
    let w = world().await;
    for (vars, field) in [
        (
            json!({ "p": "acme", "r": "https://evil.example/steal" }),
            "redirectUri",
        ),
        (
            json!({ "p": "acme", "r": format!("{APP}/../x") }),
            "redirectUri",
        ),
        (json!({ "p": "nope", "r": APP }), "provider"),
    ] {
        let resp = w.t.gql.query(OAUTH_START, vars).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], field);
    }
    let resp =
        w.t.gql
            .query(
                OAUTH_START,
                json!({ "p": "acme", "r": APP, "s": "x".repeat(513) }),
            )
            .await;
    assert_eq!(resp["errors"][0]["extensions"]["field"], "state");

    let evil = w
        .get(&w.start_url("acme", "https://evil.example/steal"))
        .await;
    assert_eq!(evil.status(), 400);
    assert!(evil.text().await.unwrap().contains("not allowed"));
    let unknown = w.get(&w.start_url("nope", APP)).await;
    assert_eq!(unknown.status(), 404);
    let bare = w.get(&format!("{}/oauth/acme/start", w.base())).await;
    assert_eq!(bare.status(), 400);
    assert_eq!(w.idp.discovery_fetches(), 0, "no provider was contacted");
    assert_eq!(w.count("SELECT count(*) FROM oauth_states").await, 0);
}

/// A real gRPC server speaking the users contract, recording CreateUser.
#[derive(Clone, Default)]
struct RecordingUsers {
    created: Arc<Mutex<Vec<grpc_api::users::v1::CreateUserRequest>>>,
}

#[tonic::async_trait]
impl grpc_api::users::v1::users_server::Users for RecordingUsers {
    async fn create_user(
        &self,
        request: tonic::Request<grpc_api::users::v1::CreateUserRequest>,
    ) -> Result<tonic::Response<grpc_api::users::v1::CreateUserResponse>, tonic::Status> {
        let request = request.into_inner();
        self.created.lock().unwrap().push(request.clone());
        Ok(tonic::Response::new(
            grpc_api::users::v1::CreateUserResponse {
                user: Some(grpc_api::users::v1::User {
                    id: request.account_id,
                    nickname: "x".into(),
                }),
            },
        ))
    }

    async fn get_users(
        &self,
        _: tonic::Request<grpc_api::users::v1::GetUsersRequest>,
    ) -> Result<tonic::Response<grpc_api::users::v1::GetUsersResponse>, tonic::Status> {
        Ok(tonic::Response::new(
            grpc_api::users::v1::GetUsersResponse { users: vec![] },
        ))
    }
}

#[tokio::test]
async fn the_new_account_reaches_users_through_the_outbox() {
    let users = RecordingUsers::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = users.clone();
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(grpc_api::users::v1::users_server::UsersServer::new(server))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap();
    });
    let idp = TestProvider::start().await;
    let providers = json!({ "acme": idp.settings() }).to_string();
    let t = spawn_with(
        |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
            c.users_grpc_url = format!("http://{addr}");
        },
        Parts::ALL,
    )
    .await;
    let w = World {
        t,
        idp,
        http: browser(),
    };
    w.idp
        .sign_in_as(User::verified("frank", "Frank@Example.com"));
    let auth = w.signed_in().await;
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = users.created.lock().unwrap().clone();
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 1, "CreateUser called once");
    assert_eq!(seen[0].account_id, str_of(&auth, "userId"));
    assert_eq!(seen[0].email, "frank@example.com");
}
