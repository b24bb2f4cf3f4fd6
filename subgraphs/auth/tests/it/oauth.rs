//! Signing in with an OpenID Connect provider, end to end over real HTTP,
//! against a real provider: panva's certified `oidc-provider` (npm, run by
//! Node.js, `crate::common::oidc_provider`). A browser (reqwest, redirects followed
//! by hand, its own cookies) goes from the auth service to the provider,
//! fills in its login and consent forms, comes back to our callback and on
//! to the app; then `exchangeOAuthCode` over GraphQL.
//!
//! Misbehaviour a real provider does not produce (bad signatures, a wrong
//! nonce or audience in the ID token, rotated keys, an unreachable
//! provider) is tested against a provider written for that, in
//! `oauth_misbehaving_provider.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::sync::Mutex;
use std::time::Duration;

use crate::common::oauth_app::{
    APP, APP_STATE, EXCHANGE, Landing, OAUTH_START, SignInFlow, app_code, location, param,
};
use crate::common::oidc_provider::{Account, Browser, Consent, OidcProvider};
use crate::common::recording_users::RecordingUsers;
use crate::common::{LOGIN, TestAuth, login, register, spawn_with, str_of};
use auth::Parts;
use auth::config::EmailVerification;
use base64::Engine as _;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};
use url::Url;

struct World {
    t: TestAuth,
    idp: OidcProvider,
    /// The browser's requests to the auth service (no cookies there).
    http: Browser,
    /// Who signs in at the provider.
    login: Mutex<String>,
}

async fn world() -> World {
    world_with(
        |_| {},
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await
}

/// A provider and the auth service using it as `acme`, registered there as
/// a client with its callback URL.
async fn world_with(adjust: impl FnOnce(&mut auth::Config), parts: Parts) -> World {
    let idp = OidcProvider::start().await;
    let providers = json!({ "acme": idp.settings() }).to_string();
    let t = spawn_with(
        |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
            adjust(c);
        },
        parts,
    )
    .await;
    idp.register_client(&[callback_url(&t, "acme")]).await;
    World {
        t,
        idp,
        http: Browser::new(),
        login: Mutex::new(String::new()),
    }
}

fn base(t: &TestAuth) -> String {
    format!("http://{}", t.running.http_addr.unwrap())
}

fn callback_url(t: &TestAuth, provider: &str) -> String {
    format!("{}/oauth/{provider}/callback", base(t))
}

fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut url = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name { value.into() } else { v };
            (k.into_owned(), v.into_owned())
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

/// The same secret with its first character changed.
fn tampered(secret: &str) -> String {
    let first = if secret.starts_with('A') { 'B' } else { 'A' };
    format!("{first}{}", &secret[1..])
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

    /// Through the provider's pages in a new browser (so: its login and
    /// consent forms).
    async fn at_provider(&self, authorize_url: &str) -> String {
        self.through(&Browser::new(), authorize_url, Consent::Allow)
            .await
    }
}

impl World {
    /// The provider knows `account`, and it is who signs in from now on.
    async fn sign_in_as(&self, account: Account) {
        self.idp.add_account(&account).await;
        *self.login.lock().unwrap() = account.sub;
    }

    async fn through(&self, browser: &Browser, authorize_url: &str, consent: Consent) -> String {
        let login = self.login.lock().unwrap().clone();
        browser
            .through_provider(authorize_url, &self.idp.issuer, &login, consent)
            .await
            .callback
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
}

/// The claims of one of our access tokens.
fn claims(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn first_sign_in_creates_a_confirmed_account_without_a_password() {
    // Even where confirmation is required: the provider confirmed the address.
    let w = world_with(
        |c| c.email.email_verification = EmailVerification::Required,
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    w.sign_in_as(Account::verified("alice-at-acme", "Alice@Example.com"))
        .await;

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
        callback_url(&w.t, "acme")
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

    // The person signs in at the provider and agrees to share their email.
    let visit = Browser::new()
        .through_provider(&authorize, &w.idp.issuer, "alice-at-acme", Consent::Allow)
        .await;
    assert_eq!(visit.forms, ["login", "consent"]);
    let callback = Url::parse(&visit.callback).unwrap();
    // RFC 9207: the provider names itself; the state comes back as sent.
    assert_eq!(
        param(&callback, "iss").as_deref(),
        Some(w.idp.issuer.as_str())
    );
    assert_eq!(param(&callback, "state"), Some(state));

    let Landing::App(back) = w.land(&visit.callback).await else {
        panic!("not back at the app")
    };
    let code = app_code(&back);
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
    let account = w.me(str_of(auth, "accessToken"), user_id).await;
    assert_eq!(account["email"], "alice@example.com");
    assert_eq!(account["emailVerified"], true);
    assert_eq!(
        w.count(&format!(
            "SELECT count(*) FROM oauth_identities WHERE issuer = '{}' AND subject = 'alice-at-acme' AND account_id = '{user_id}'",
            w.idp.issuer
        ))
        .await,
        1
    );

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
                crate::common::REFRESH,
                json!({ "t": str_of(auth, "refreshToken") }),
            )
            .await;
    assert_no_errors(&refreshed);
}

#[tokio::test]
async fn a_later_sign_in_finds_the_account_by_subject() {
    let w = world().await;
    w.sign_in_as(Account::verified("sub-42", "first@example.com"))
        .await;
    let browser = Browser::new();
    let mut user_ids = Vec::new();
    // The second time the provider remembers the person and their consent:
    // straight back, no forms.
    for expected_forms in [&["login", "consent"][..], &[]] {
        let authorize = w.start().await;
        let visit = browser
            .through_provider(&authorize, &w.idp.issuer, "sub-42", Consent::Allow)
            .await;
        assert_eq!(visit.forms, expected_forms);
        let Landing::App(back) = w.land(&visit.callback).await else {
            panic!("not back at the app")
        };
        let resp = w.exchange(&app_code(&back)).await;
        assert_no_errors(&resp);
        user_ids.push(resp["data"]["exchangeOAuthCode"].clone());
    }
    let (first, second) = (&user_ids[0], &user_ids[1]);
    assert_eq!(first["userId"], second["userId"]);
    assert_ne!(first["sessionId"], second["sessionId"]);

    // The provider's email changed since: the subject is what counts.
    w.sign_in_as(Account::verified("sub-42", "renamed@example.com"))
        .await;
    assert_eq!(w.signed_in().await["userId"], first["userId"]);
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(w.create_user_events().await.len(), 1);
    // Even an unverified email does not matter to a known identity.
    w.sign_in_as(Account::unverified("sub-42", "whatever@example.com"))
        .await;
    assert_eq!(w.signed_in().await["userId"], first["userId"]);
}

#[tokio::test]
async fn accounts_without_a_password_cannot_password_login() {
    let w = world().await;
    w.sign_in_as(Account::verified("s", "oauth-only@example.com"))
        .await;
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
    // Bob followed his confirmation link: the account is his for sure.
    w.execute("UPDATE accounts SET email_verified = true").await;
    w.sign_in_as(Account::verified("bob-at-acme", "BOB@example.com"))
        .await;
    let via_provider = w.signed_in().await;
    assert_eq!(via_provider["userId"], registered["userId"]);
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 1);
    // The password still works, and the address is now confirmed.
    let via_password = login(&w.t.gql, "bob@example.com", "bobs-password").await;
    assert_eq!(via_password["userId"], registered["userId"]);
    let account = w
        .me(
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
    w.sign_in_as(Account::unverified("mallory", "carol@example.com"))
        .await;
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
    w.sign_in_as(Account::unverified("new", "new@example.com"))
        .await;
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
    w.sign_in_as(Account {
        email_verified: None,
        ..Account::verified("new-2", "new@example.com")
    })
    .await;
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "EMAIL_NOT_VERIFIED"
    );

    w.sign_in_as(Account {
        sub: "no-email".to_owned(),
        email: None,
        email_verified: None,
    })
    .await;
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "EMAIL_MISSING");
    w.assert_nothing_created().await;
}

#[tokio::test]
async fn linking_an_unconfirmed_account_where_confirmation_is_required_removes_its_password() {
    let w = world_with(
        |c| c.email.email_verification = EmailVerification::Required,
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    // Someone registered this address before its owner came.
    let resp =
        w.t.gql
            .query(
                crate::common::REGISTER,
                json!({ "email": "dana@example.com", "password": "squatters-password" }),
            )
            .await;
    assert_no_errors(&resp);
    w.sign_in_as(Account::verified("dana", "dana@example.com"))
        .await;
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

/// Issue 17: with confirmation off (the default), someone registers the
/// victim's address with a password of theirs and waits; the victim later
/// signs in with a provider that confirms the address. The account is the
/// victim's from then on: the squatter's password, refresh token and access
/// token all stop working, and the log says what happened.
#[tokio::test]
async fn an_account_registered_in_the_victims_name_is_claimed_by_the_provider_sign_in() {
    let w = world().await;
    let squatter = register(&w.t.gql, "victim@example.com", "squatters-password").await;
    let squatter_access = str_of(&squatter, "accessToken");
    // The squatter's token works before the victim comes.
    let before =
        w.t.gql
            .with_token(squatter_access)
            .query("{ mySessions { id } }", json!({}))
            .await;
    assert_no_errors(&before);

    w.sign_in_as(Account::verified("victim", "Victim@Example.com"))
        .await;
    let victim = w.signed_in().await;
    assert_eq!(victim["userId"], squatter["userId"], "one account, linked");
    // The squatter's device credential is gone too; the victim has one.
    assert_eq!(victim["deviceToken"].as_str().unwrap().len(), 43);
    assert_eq!(w.count("SELECT count(*) FROM device_tokens").await, 1);

    let by_password =
        w.t.gql
            .query(
                LOGIN,
                json!({ "email": "victim@example.com", "password": "squatters-password" }),
            )
            .await;
    assert_eq!(error_code(&by_password).as_deref(), Some("UNAUTHENTICATED"));
    let by_refresh =
        w.t.gql
            .query(
                crate::common::REFRESH,
                json!({ "t": str_of(&squatter, "refreshToken") }),
            )
            .await;
    assert_eq!(error_code(&by_refresh).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(
        by_refresh["errors"][0]["extensions"]["reason"],
        "SESSION_REVOKED"
    );
    let by_access =
        w.t.gql
            .with_token(squatter_access)
            .query("{ mySessions { id } }", json!({}))
            .await;
    assert_eq!(error_code(&by_access).as_deref(), Some("UNAUTHENTICATED"));

    // The victim's own session is the only one, and works.
    let sessions =
        w.t.gql
            .with_token(str_of(&victim, "accessToken"))
            .query("{ mySessions { id } }", json!({}))
            .await;
    assert_no_errors(&sessions);
    assert_eq!(
        sessions["data"]["mySessions"],
        json!([{ "id": victim["sessionId"] }])
    );
    assert_eq!(
        w.count("SELECT count(*) FROM accounts WHERE password_hash IS NULL AND email_verified")
            .await,
        1
    );
    // Recorded with the change, through the provider.
    assert_eq!(
        events(&w, str_of(&victim, "accessToken")).await,
        [
            // The squatter's password, tried after the claim.
            ("LOGIN_FAILED".to_owned(), Value::Null),
            ("LOGGED_IN".to_owned(), json!("acme")),
            ("UNVERIFIED_ACCOUNT_CLAIMED".to_owned(), json!("acme")),
            ("ACCOUNT_LINKED".to_owned(), json!("acme")),
            ("REGISTERED".to_owned(), Value::Null),
        ]
    );
    // Once confirmed, the account is linked as any other next time.
    assert_eq!(w.signed_in().await["userId"], squatter["userId"]);
    assert_eq!(
        w.count("SELECT count(*) FROM security_events WHERE kind = 'UNVERIFIED_ACCOUNT_CLAIMED'")
            .await,
        1
    );
}

/// A provider's email with a look-alike letter (KELVIN SIGN for K) is not
/// folded into someone else's address: it is refused, and so is registering
/// or signing in with it.
#[tokio::test]
async fn a_look_alike_email_does_not_reach_the_account_it_resembles() {
    let w = world().await;
    let kelly = register(&w.t.gql, "kelly@corp.example", "kellys-password").await;
    w.execute("UPDATE accounts SET email_verified = true").await;
    w.sign_in_as(Account::verified("mallory", "\u{212A}elly@corp.example"))
        .await;
    let resp = w.exchange(&w.login_code().await).await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "EMAIL_INVALID");
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 0);
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    assert_eq!(
        login(&w.t.gql, "kelly@corp.example", "kellys-password").await["userId"],
        kelly["userId"]
    );

    let register_lookalike =
        w.t.gql
            .query(
                crate::common::REGISTER,
                json!({ "email": "\u{212A}elly@corp.example", "password": "mallorys-password" }),
            )
            .await;
    assert_eq!(
        error_code(&register_lookalike).as_deref(),
        Some("BAD_USER_INPUT")
    );
    let login_lookalike =
        w.t.gql
            .query(
                LOGIN,
                json!({ "email": "\u{212A}elly@corp.example", "password": "kellys-password" }),
            )
            .await;
    assert_eq!(
        error_code(&login_lookalike).as_deref(),
        Some("UNAUTHENTICATED")
    );
}

/// `trust_email_verified: false`: the provider's word is not enough to link
/// to an existing account, however the provider answers; the accounts it
/// makes start unconfirmed.
#[tokio::test]
async fn a_provider_not_trusted_with_emails_never_links() {
    let idp = OidcProvider::start().await;
    let mut settings = idp.settings();
    settings["trust_email_verified"] = json!(false);
    let providers = json!({ "acme": settings }).to_string();
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
    idp.register_client(&[callback_url(&t, "acme")]).await;
    let w = World {
        t,
        idp,
        http: Browser::new(),
        login: Mutex::new(String::new()),
    };
    // Confirmed or not, the password account stays unlinked and untouched.
    let uma = register(&w.t.gql, "uma@example.com", "umas-password").await;
    for confirmed in [false, true] {
        w.execute(&format!("UPDATE accounts SET email_verified = {confirmed}"))
            .await;
        w.sign_in_as(Account::verified("uma", "uma@example.com"))
            .await;
        let resp = w.exchange(&w.login_code().await).await;
        assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
        assert_eq!(
            resp["errors"][0]["extensions"]["reason"],
            "PROVIDER_NOT_TRUSTED_FOR_EMAIL"
        );
    }
    assert_eq!(w.count("SELECT count(*) FROM oauth_identities").await, 0);
    assert_eq!(
        login(&w.t.gql, "uma@example.com", "umas-password").await["userId"],
        uma["userId"]
    );
    // A new address still makes an account, without a confirmed email.
    w.sign_in_as(Account::verified("vic", "vic@example.com"))
        .await;
    let vic = w.signed_in().await;
    let account = w
        .me(str_of(&vic, "accessToken"), str_of(&vic, "userId"))
        .await;
    assert_eq!(account["emailVerified"], false);
}

#[tokio::test]
async fn denied_consent_shows_a_page_with_the_way_back() {
    let w = world().await;
    w.sign_in_as(Account::verified("erin", "erin@example.com"))
        .await;
    let authorize = w.start().await;
    // The person signs in but cancels on the consent page; the provider
    // answers `access_denied`.
    let callback = w.through(&Browser::new(), &authorize, Consent::Deny).await;
    let url = Url::parse(&callback).unwrap();
    assert_eq!(param(&url, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&url, "code"), None);
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 403);
    assert!(body.contains("Sign-in cancelled"), "{body}");
    assert!(
        body.contains(&format!(
            "href=\"{APP}?error=access_denied&amp;state={APP_STATE}\""
        )),
        "{body}"
    );
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);
    w.assert_nothing_created().await;
    // The flow is spent: its callback cannot be reused with a code.
    assert!(matches!(
        w.land(&callback).await,
        Landing::Page { status: 400, .. }
    ));
}

#[tokio::test]
async fn a_tampered_state_is_refused_and_spends_nothing() {
    let w = world().await;
    w.sign_in_as(Account::verified("frank", "frank@example.com"))
        .await;
    let authorize = w.start().await;
    let callback = w.at_provider(&authorize).await;
    let url = Url::parse(&callback).unwrap();
    let state = param(&url, "state").unwrap();
    let base = callback_url(&w.t, "acme");
    for bad in [
        with_param(&callback, "state", &tampered(&state)),
        with_param(&callback, "state", "short"),
        format!("{base}?code={}", param(&url, "code").unwrap()),
    ] {
        let (status, body) = w.land(&bad).await.page();
        assert_eq!(status, 400, "{bad}");
        assert!(body.contains("Invalid sign-in link"), "{body}");
        assert!(!body.contains("href"), "no way back without a known flow");
    }
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);

    // A state changed on the way to the provider comes back changed.
    let other = w.start().await;
    let other_state = param(&Url::parse(&other).unwrap(), "state").unwrap();
    let changed = w
        .at_provider(&with_param(&other, "state", &tampered(&other_state)))
        .await;
    let (status, body) = w.land(&changed).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("Invalid sign-in link"), "{body}");

    // The real ones still work: nothing was spent by the forgeries.
    assert!(matches!(w.land(&callback).await, Landing::App(_)));
    assert!(matches!(
        w.land(&w.at_provider(&other).await).await,
        Landing::App(_)
    ));
}

/// Login CSRF (issue 17): someone signs in at the provider as themselves
/// and sends the callback URL to a victim, whose browser would land signed
/// in to the sender's account. The sign-in is bound to the browser that
/// started it: without its cookie, or with another value, the callback is
/// refused, and the flow is not spent.
#[tokio::test]
async fn a_callback_replayed_in_another_browser_fails() {
    let w = world().await;
    w.sign_in_as(Account::verified("mallory", "mallory@example.com"))
        .await;
    // The start sets the flow's cookie, scoped to the callback.
    let started = w.get(&w.start_url("acme", APP)).await;
    assert_eq!(started.status(), 302);
    let set_cookie = started.headers()["set-cookie"].to_str().unwrap().to_owned();
    let authorize = location(&started);
    let state = param(&Url::parse(&authorize).unwrap(), "state").unwrap();
    let (pair, attributes) = set_cookie.split_once(';').unwrap();
    let (name, value) = pair.split_once('=').unwrap();
    assert!(name.starts_with("oauth_flow_"), "{set_cookie}");
    assert_eq!(value.len(), 43);
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/oauth/acme/callback",
        "Max-Age=600",
    ] {
        assert!(attributes.contains(attribute), "{set_cookie}");
    }
    assert!(
        !attributes.contains("Secure"),
        "plain http here: {set_cookie}"
    );
    // Only its hash is kept, with the flow.
    assert_eq!(
        w.count(&format!(
            "SELECT count(*) FROM oauth_states WHERE browser_hash = sha256(convert_to('{value}', 'UTF8')) AND state_hash = sha256(convert_to('{state}', 'UTF8'))"
        ))
        .await,
        1
    );
    let callback = w.at_provider(&authorize).await;

    // The victim's browser: no cookie, then someone else's value.
    let victim = Browser::new();
    let no_cookie = victim.get(&callback).await;
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .header("cookie", format!("{name}={}", tampered(value)))
        .send()
        .await
        .unwrap();
    for response in [no_cookie, forged] {
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains("not started in this browser"), "{body}");
        assert!(body.contains("error=sign_in_failed"), "{body}");
    }
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);
    w.assert_nothing_created().await;
    // In the browser that started it, the flow still ends normally.
    assert!(matches!(w.land(&callback).await, Landing::App(_)));
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let w = world().await;
    w.sign_in_as(Account::verified("grace", "grace@example.com"))
        .await;
    let authorize = w.start().await;
    // The flow now expects another nonce than the one the provider was
    // given (and puts in its ID token), as when a token minted for another
    // sign-in is injected into this one.
    w.execute("UPDATE oauth_states SET nonce_hash = sha256('not the nonce sent'::bytea)")
        .await;
    let (status, body) = w.land(&w.at_provider(&authorize).await).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("could not be verified"), "{body}");
    assert!(body.contains("error=sign_in_failed"), "{body}");
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 0);
    w.assert_nothing_created().await;
    // With the nonce left alone, all is well.
    w.signed_in().await;
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let w = world().await;
    w.sign_in_as(Account::verified("heidi", "heidi@example.com"))
        .await;
    let callback = w.at_provider(&w.start().await).await;
    // A HEAD (prefetch, link checker) spends nothing.
    let head = w.http.head(&callback).await;
    assert_eq!(head.status(), 200);
    let Landing::App(back) = w.land(&callback).await else {
        panic!("not back at the app")
    };
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("already been used"), "{body}");
    assert_eq!(w.count("SELECT count(*) FROM oauth_login_codes").await, 1);
    // The login code of the first landing works, once.
    let code = app_code(&back);
    assert_no_errors(&w.exchange(&code).await);
    let replay = w.exchange(&code).await;
    assert_eq!(error_code(&replay).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(replay["errors"][0]["extensions"]["reason"], "USED");
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let w = world().await;
    w.sign_in_as(Account::verified("ivan", "ivan@example.com"))
        .await;
    let callback = w.at_provider(&w.start().await).await;
    w.execute("UPDATE oauth_states SET expires_at = now() - interval '1 second'")
        .await;
    let (status, body) = w.land(&callback).await.page();
    assert_eq!(status, 400);
    assert!(body.contains("took too long"), "{body}");
    assert!(body.contains("error=expired"), "{body}");
    w.assert_nothing_created().await;
}

#[tokio::test]
async fn login_codes_work_once_and_briefly() {
    let w = world().await;
    w.sign_in_as(Account::verified("judy", "judy@example.com"))
        .await;
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
    w.sign_in_as(Account::verified("ken", "ken@example.com"))
        .await;
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
    w.sign_in_as(Account::verified("liz", "liz@example.com"))
        .await;
    let (c1, c2) = tokio::join!(w.login_code(), w.login_code());
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
async fn single_page_apps_start_through_graphql_with_any_of_several_providers() {
    let acme = OidcProvider::start().await;
    let globex = OidcProvider::start().await;
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
    acme.register_client(&[callback_url(&t, "acme")]).await;
    globex.register_client(&[callback_url(&t, "globex")]).await;
    let listed = t.gql.query("{ oauthProviders }", json!({})).await;
    assert_eq!(listed["data"]["oauthProviders"], json!(["acme", "globex"]));

    // The same subject and email at two issuers: two identities, one account.
    let eve = Account::verified("same-subject", "eve@example.com");
    let mut user_ids = Vec::new();
    for (name, idp) in [("globex", &globex), ("acme", &acme)] {
        idp.add_account(&eve).await;
        let resp = t
            .gql
            .query(OAUTH_START, json!({ "p": name, "r": APP, "s": "spa" }))
            .await;
        assert_no_errors(&resp);
        // Our /start, which the app opens in the browser that signs in.
        let url = resp["data"]["oauthStart"]["url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{}/oauth/{name}/start?", base(&t))),
            "{url}"
        );
        let browser = Browser::new();
        let started = browser.get(url).await;
        assert_eq!(started.status(), 302);
        let authorize = location(&started);
        assert!(authorize.starts_with(&idp.issuer), "{authorize}");
        let visit = browser
            .through_provider(&authorize, &idp.issuer, &eve.sub, Consent::Allow)
            .await;
        assert!(
            visit.callback.starts_with(&callback_url(&t, name)),
            "{}",
            visit.callback
        );
        let response = browser.get(&visit.callback).await;
        assert_eq!(response.status(), 302);
        let back = Url::parse(&location(&response)).unwrap();
        assert_eq!(param(&back, "state").as_deref(), Some("spa"));
        let resp = t
            .gql
            .query(EXCHANGE, json!({ "code": param(&back, "code").unwrap() }))
            .await;
        assert_no_errors(&resp);
        user_ids.push(resp["data"]["exchangeOAuthCode"]["userId"].clone());
    }
    assert_eq!(user_ids[0], user_ids[1]);

    // A state of one provider is no good at another's callback.
    let resp = t
        .gql
        .query(OAUTH_START, json!({ "p": "acme", "r": APP }))
        .await;
    let browser = Browser::new();
    let started = browser
        .get(resp["data"]["oauthStart"]["url"].as_str().unwrap())
        .await;
    let visit = browser
        .through_provider(&location(&started), &acme.issuer, &eve.sub, Consent::Allow)
        .await;
    let response = browser
        .get(&visit.callback.replace("/oauth/acme/", "/oauth/globex/"))
        .await;
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Invalid sign-in link")
    );
}

#[tokio::test]
async fn the_new_account_reaches_users_through_the_outbox() {
    let (users, addr) = RecordingUsers::serve().await;
    let w = world_with(|c| c.users_grpc_url = format!("http://{addr}"), Parts::ALL).await;
    w.sign_in_as(Account::verified("frank", "Frank@Example.com"))
        .await;
    let auth = w.signed_in().await;
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = users.created();
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 1, "CreateUser called once");
    assert_eq!(seen[0].account_id, str_of(&auth, "userId"));
    assert_eq!(seen[0].email, "frank@example.com");
}

const EVENTS: &str = "{ mySecurityEvents { edges { node { kind provider sessionId } } } }";

/// The caller's audit events, newest first: `(kind, provider)`.
async fn events(w: &World, access_token: &str) -> Vec<(String, Value)> {
    let resp =
        w.t.gql
            .with_token(access_token)
            .query(EVENTS, json!({}))
            .await;
    assert_no_errors(&resp);
    resp["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            (
                node["kind"].as_str().unwrap().to_owned(),
                node["provider"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn sign_ins_with_a_provider_are_in_the_audit_log() {
    let w = world().await;
    w.sign_in_as(Account::verified("olga", "olga@example.com"))
        .await;
    let created = w.signed_in().await;
    let token = str_of(&created, "accessToken");
    assert_eq!(
        events(&w, token).await,
        [
            ("LOGGED_IN".to_owned(), json!("acme")),
            ("REGISTERED".to_owned(), json!("acme")),
        ]
    );
    let again = w.signed_in().await;
    let newest = &events(&w, str_of(&again, "accessToken")).await[0];
    assert_eq!(newest, &("LOGGED_IN".to_owned(), json!("acme")));
    // Both sign-ins name their own session.
    assert_eq!(
        w.count(&format!(
            "SELECT count(DISTINCT session_id) FROM security_events WHERE kind = 'LOGGED_IN' AND provider = 'acme' AND account_id = '{}'",
            str_of(&created, "userId")
        ))
        .await,
        2
    );

    // Linking a (confirmed) password account: recorded as such, then the sign-in.
    let registered = register(&w.t.gql, "pat@example.com", "pats-password").await;
    w.execute("UPDATE accounts SET email_verified = true WHERE email = 'pat@example.com'")
        .await;
    w.sign_in_as(Account::verified("pat", "pat@example.com"))
        .await;
    let linked = w.signed_in().await;
    assert_eq!(linked["userId"], registered["userId"]);
    let via_password = login(&w.t.gql, "pat@example.com", "pats-password").await;
    assert_eq!(
        events(&w, str_of(&via_password, "accessToken")).await,
        [
            ("LOGGED_IN".to_owned(), Value::Null),
            ("LOGGED_IN".to_owned(), json!("acme")),
            ("ACCOUNT_LINKED".to_owned(), json!("acme")),
            ("REGISTERED".to_owned(), Value::Null),
        ]
    );
    // A refused exchange records nothing.
    let before = w.count("SELECT count(*) FROM security_events").await;
    w.sign_in_as(Account::unverified("quinn", "pat@example.com"))
        .await;
    let refused = w.exchange(&w.login_code().await).await;
    assert_eq!(error_code(&refused).as_deref(), Some("CONFLICT"));
    assert_eq!(
        w.count("SELECT count(*) FROM security_events").await,
        before
    );
}

const SET_PASSWORD: &str =
    "mutation($p: String!) { setPassword(newPassword: $p) { user { id email } } }";

#[tokio::test]
async fn an_account_made_by_a_provider_can_set_a_password_once() {
    let w = world().await;
    w.sign_in_as(Account::verified("rita", "rita@example.com"))
        .await;
    let auth = w.signed_in().await;
    let me = w.t.gql.with_token(str_of(&auth, "accessToken"));

    let anonymous =
        w.t.gql
            .query(SET_PASSWORD, json!({ "p": "a-good-password" }))
            .await;
    assert_eq!(error_code(&anonymous).as_deref(), Some("UNAUTHENTICATED"));
    let short = me.query(SET_PASSWORD, json!({ "p": "short" })).await;
    assert_eq!(error_code(&short).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(short["errors"][0]["extensions"]["field"], "newPassword");

    let set = me
        .query(SET_PASSWORD, json!({ "p": "ritas-new-password" }))
        .await;
    assert_no_errors(&set);
    assert!(
        set["data"]["setPassword"]["user"]["id"].is_string(),
        "{set}"
    );
    assert!(
        set["data"]["setPassword"]["user"]["email"].is_string(),
        "{set}"
    );
    // Email and password work now, and so does the provider.
    let via_password = login(&w.t.gql, "rita@example.com", "ritas-new-password").await;
    assert_eq!(via_password["userId"], auth["userId"]);
    assert_eq!(w.signed_in().await["userId"], auth["userId"]);
    // The session that set it is still signed in.
    let events = events(&w, str_of(&auth, "accessToken")).await;
    assert!(
        events.contains(&("PASSWORD_SET".to_owned(), Value::Null)),
        "{events:?}"
    );

    // Once: from then on it is changePassword's job.
    let again = me
        .query(SET_PASSWORD, json!({ "p": "another-password" }))
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
    assert_eq!(
        again["errors"][0]["extensions"]["reason"],
        "PASSWORD_ALREADY_SET"
    );
    login(&w.t.gql, "rita@example.com", "ritas-new-password").await;

    // A password account cannot use it either.
    let registered = register(&w.t.gql, "sam@example.com", "sams-password").await;
    let resp =
        w.t.gql
            .with_token(str_of(&registered, "accessToken"))
            .query(SET_PASSWORD, json!({ "p": "another-password" }))
            .await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn setting_a_password_needs_a_recent_sign_in() {
    let w = world().await;
    w.sign_in_as(Account::verified("tom", "tom@example.com"))
        .await;
    let auth = w.signed_in().await;
    // As if this session had signed in an hour ago (and been refreshed since).
    w.execute("UPDATE sessions SET created_at = now() - interval '1 hour'")
        .await;
    let resp =
        w.t.gql
            .with_token(str_of(&auth, "accessToken"))
            .query(SET_PASSWORD, json!({ "p": "toms-new-password" }))
            .await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "REAUTHENTICATION_REQUIRED"
    );
    assert_eq!(
        w.count("SELECT count(*) FROM accounts WHERE password_hash IS NULL")
            .await,
        1
    );
    // Signing in again with the provider opens it.
    let fresh = w.signed_in().await;
    let resp =
        w.t.gql
            .with_token(str_of(&fresh, "accessToken"))
            .query(SET_PASSWORD, json!({ "p": "toms-new-password" }))
            .await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn starting_sign_ins_is_throttled_per_address() {
    let w = world_with(
        |c| c.security.oauth_start_rate_per_ip = ratelimit::Rate::new(2, Duration::from_secs(60)),
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    // Two starts, through the page and through GraphQL alike.
    w.start().await;
    assert_no_errors(
        &w.t.gql
            .query(OAUTH_START, json!({ "p": "acme", "r": APP }))
            .await,
    );
    let page = w.get(&w.start_url("acme", APP)).await;
    assert_eq!(page.status(), 429);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Too many sign-in attempts")
    );
    let resp =
        w.t.gql
            .query(OAUTH_START, json!({ "p": "acme", "r": APP }))
            .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    assert!(
        resp["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Refused before anything is stored (`oauthStart` stores nothing: the
    // flow starts when the browser opens the URL it returns).
    assert_eq!(w.count("SELECT count(*) FROM oauth_states").await, 1);
}
