//! Signing in with a provider that misbehaves in ways a certified provider
//! does not (ID tokens with a wrong nonce, audience or issuer, expired, badly
//! signed or by an unknown key; rotated keys; an error at `/authorize`; the
//! email only in `/userinfo`; down before or during a sign-in): a provider
//! written for that (`crate::common::oidc`), over real HTTP. The flows themselves
//! run against a real provider in `oauth.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::Duration;

use crate::common::oauth_app::{APP, APP_STATE, Landing, OAUTH_START, SignInFlow, location};
use crate::common::oidc::{Behaviour, TestProvider, User};
use crate::common::oidc_provider::Browser;
use crate::common::{TestAuth, register, spawn_with, str_of};
use auth::Parts;
use serde_json::json;
use testkit::error_code;

struct World {
    t: TestAuth,
    idp: TestProvider,
    /// The browser: keeps the flow cookie from `/start` for the callback.
    http: Browser,
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
        http: Browser::new(),
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

impl SignInFlow for World {
    fn auth(&self) -> &TestAuth {
        &self.t
    }

    fn issuer(&self) -> &str {
        &self.idp.issuer
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).await
    }

    /// The provider redirects back at once (no pages).
    async fn at_provider(&self, authorize_url: &str) -> String {
        let response = self.get(authorize_url).await;
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        location(&response)
    }
}

#[tokio::test]
async fn an_error_at_the_provider_shows_a_page_with_the_way_back() {
    let w = world().await;
    w.idp.behave(Behaviour::AuthorizeError);
    let (status, body) = w.sign_in().await.page();
    assert_eq!(status, 502);
    assert!(body.contains("could not sign you in"), "{body}");
    assert!(
        body.contains(&format!(
            "href=\"{APP}?error=sign_in_failed&amp;state={APP_STATE}\""
        )),
        "{body}"
    );
    assert_eq!(w.idp.token_requests(), 0);
    w.assert_nothing_created().await;
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
    let account = w
        .me(str_of(&auth, "accessToken"), str_of(&auth, "userId"))
        .await;
    assert_eq!(account["email"], "userinfo@example.com");
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
