//! Email confirmation (EMAIL_VERIFICATION=required) end to end: real
//! PostgreSQL, real HTTP and gRPC, and a real SMTP server receiving the
//! emails the outbox worker sends (the first test in both `EVENTS` modes:
//! with `broker`, through JetStream and auth's own consumer).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::{Duration, Instant};

use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{LOGIN, REFRESH, REGISTER, TestAuth, str_of};
use auth::config::EmailVerification;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grpc_api::auth::v1::ValidateTokenRequest;
use grpc_api::auth::v1::auth_client::AuthClient;
use serde_json::{Value, json};
use testkit::{TestEvents, assert_no_errors, error_code};

const PASSWORD: &str = "correct horse";
const PRODUCT: &str = "Chatty";
const MAIL_WAIT: Duration = Duration::from_secs(20);

const VERIFY: &str = "mutation($t: String!) { verifyEmail(token: $t) { userId } }";
const RESEND: &str = "mutation($e: String!) { resendVerificationEmail(email: $e) { email } }";
const ME: &str = "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { emailVerified } } }";

/// Auth (HTTP, gRPC and outbox worker) requiring confirmation, sending
/// through a fresh SMTP server.
async fn required(adjust: impl FnOnce(&mut auth::Config)) -> (TestAuth, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let t = spawn_sending_to(&smtp.url(), adjust).await;
    (t, smtp)
}

/// [`required`], with events in `events`' mode.
async fn required_in(events: &TestEvents) -> (TestAuth, SmtpServer) {
    required(|c| {
        c.service.outbox.events = if events.is_broker() {
            outbox::Events::Broker
        } else {
            outbox::Events::Outbox
        };
        events.nats_url.clone_into(&mut c.service.outbox.nats_url);
        events.stream.clone_into(&mut c.service.outbox.nats_stream);
    })
    .await
}

async fn spawn_sending_to(smtp_url: &str, adjust: impl FnOnce(&mut auth::Config)) -> TestAuth {
    crate::common::spawn_with(
        |c| {
            c.email.email_verification = EmailVerification::Required;
            c.email.smtp_url = Some(smtp_url.to_owned());
            c.email.product_name = PRODUCT.to_owned();
            c.email.email_from = format!("{PRODUCT} <no-reply@chatty.test>");
            c.service.outbox.outbox_poll_interval_ms = 100;
            adjust(c);
        },
        auth::Parts::ALL,
    )
    .await
}

/// Registers; asserts the "check your email" answer.
async fn register_pending(t: &TestAuth, email: &str, password: &str) {
    let resp = t
        .gql
        .query(REGISTER, json!({"email": email, "password": password}))
        .await;
    assert_no_errors(&resp);
    let reg = &resp["data"]["register"];
    assert_eq!(reg["emailVerificationRequired"], true, "{resp}");
    assert_eq!(reg["userId"], Value::Null);
    assert_eq!(reg["auth"], Value::Null);
}

async fn login(t: &TestAuth, email: &str, password: &str) -> Value {
    t.gql
        .query(LOGIN, json!({"email": email, "password": password}))
        .await
}

/// The emails sent to `to` once `total` emails arrived at the server.
async fn mails_to(smtp: &SmtpServer, total: usize, to: &str) -> Vec<Mail> {
    smtp.wait_for(total, MAIL_WAIT)
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|r| r == to))
        .map(|m| m.mail())
        .collect()
}

fn token_of(link: &str) -> String {
    link.split_once("token=").unwrap().1.to_owned()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Follows a link like a browser: status, content type and page text.
async fn open(link: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = http().get(link).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// The claims of an access token.
fn claims(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn validate(t: &TestAuth, token: &str) -> grpc_api::auth::v1::ValidateTokenResponse {
    AuthClient::new(
        grpc_api::channel::connect(&t.running.grpc_url(), &grpc_api::ServiceToken::ephemeral())
            .await
            .unwrap(),
    )
    .validate_token(ValidateTokenRequest {
        token: token.to_owned(),
    })
    .await
    .unwrap()
    .into_inner()
}

/// Waits until the outbox has no email left to send.
async fn emails_settled(t: &TestAuth) {
    let sql = testkit::connect_pg(t.db.url()).await;
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let row = sql
            .query_one(
                "SELECT count(*) FROM outbox WHERE kind = 'email.send' AND dead_at IS NULL",
                &[],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "emails still queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

testkit::in_both_modes!(a_new_account_confirms_its_email_by_the_link_and_then_signs_in);

async fn a_new_account_confirms_its_email_by_the_link_and_then_signs_in(events: TestEvents) {
    let (t, smtp) = required_in(&events).await;
    register_pending(&t, "  Ann@Example.com ", PASSWORD).await;

    // Unconfirmed: the right password gets the distinct code, a wrong one
    // the same answer as an unknown email.
    let resp = login(&t, "ann@example.com", PASSWORD).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("EMAIL_NOT_VERIFIED"),
        "{resp}"
    );
    let wrong = login(&t, "ann@example.com", "wrong horse").await;
    let unknown = login(&t, "nobody@example.com", "wrong horse").await;
    assert_eq!(error_code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(wrong["errors"], unknown["errors"]);

    let mails = mails_to(&smtp, 1, "ann@example.com").await;
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        format!("Confirm your email address for {PRODUCT}")
    );
    assert!(mail.to.contains("ann@example.com"), "{}", mail.to);
    assert_eq!(smtp.received()[0].from, "no-reply@chatty.test");
    let link = mail.verify_link().expect("a link in the email");
    let base = format!(
        "http://{}/verify-email?token=",
        t.running.http_addr.unwrap()
    );
    assert!(link.starts_with(&base), "{link}");
    assert_eq!(token_of(&link).len(), 43, "256 bits, base64url");
    assert!(mail.html.contains(&link), "{}", mail.html);
    assert!(mail.text.contains(PRODUCT) && mail.html.contains(PRODUCT));

    // A HEAD (mail scanners) does not spend the link.
    let head = http().head(&link).send().await.unwrap();
    assert_eq!(head.status(), 200);

    let (status, headers, page) = open(&link).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Email address confirmed"), "{page}");
    assert!(page.contains(PRODUCT));
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");

    // Single use.
    let (status, _, page) = open(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"), "{page}");

    // Confirmed: signing in works and the token says so, through
    // ValidateToken too (what users and messaging check).
    let resp = login(&t, "ann@example.com", PASSWORD).await;
    assert_no_errors(&resp);
    let access = str_of(&resp["data"]["login"], "accessToken").to_owned();
    assert_eq!(claims(&access)["ev"], true);
    assert!(validate(&t, &access).await.email_verified);
    let me = t
        .gql
        .with_token(&access)
        .query(
            ME,
            json!({"reps": [{"__typename": "User", "id": resp["data"]["login"]["userId"]}]}),
        )
        .await;
    assert_eq!(me["data"]["_entities"][0]["emailVerified"], true, "{me}");
}

#[tokio::test]
async fn verify_email_mutation_and_what_it_refuses() {
    let (t, smtp) = required(|_| {}).await;
    register_pending(&t, "bea@example.com", PASSWORD).await;
    let link = mails_to(&smtp, 1, "bea@example.com").await[0]
        .verify_link()
        .unwrap();
    let token = token_of(&link);

    // Tampered (one character changed), truncated, made up, empty: invalid.
    let mut tampered = token.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        tampered.as_str(),
        &token[..42],
        "not-a-token",
        "",
        &"x".repeat(10_000),
    ] {
        let resp = t.gql.query(VERIFY, json!({"t": bad})).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["reason"], "INVALID");
        assert_eq!(resp["errors"][0]["extensions"]["field"], "token");
    }
    let base = link.split_once("token=").unwrap().0;
    let (status, _, page) = open(&format!("{base}token={tampered}")).await;
    assert_eq!(status, 400);
    assert!(page.contains("not valid"), "{page}");
    let (status, _, _) = open(&format!(
        "http://{}/verify-email",
        t.running.http_addr.unwrap()
    ))
    .await;
    assert_eq!(status, 400, "no token at all");
    let resp = login(&t, "bea@example.com", PASSWORD).await;
    assert_eq!(error_code(&resp).as_deref(), Some("EMAIL_NOT_VERIFIED"));

    let resp = t.gql.query(VERIFY, json!({"t": token})).await;
    assert_no_errors(&resp);
    assert!(resp["data"]["verifyEmail"]["userId"].is_string(), "{resp}");
    let again = t.gql.query(VERIFY, json!({"t": token})).await;
    assert_eq!(
        again["errors"][0]["extensions"]["reason"], "USED",
        "{again}"
    );
    assert_no_errors(&login(&t, "bea@example.com", PASSWORD).await);
}

#[tokio::test]
async fn links_expire() {
    let (t, smtp) = required(|c| c.email.email_verification_ttl_secs = 1).await;
    register_pending(&t, "cy@example.com", PASSWORD).await;
    let mail = mails_to(&smtp, 1, "cy@example.com").await.remove(0);
    assert!(mail.text.contains("1 second"), "{}", mail.text);
    let link = mail.verify_link().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let resp = t.gql.query(VERIFY, json!({"t": token_of(&link)})).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"], "EXPIRED",
        "{resp}"
    );
    let (status, _, page) = open(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"), "{page}");
    let resp = login(&t, "cy@example.com", PASSWORD).await;
    assert_eq!(error_code(&resp).as_deref(), Some("EMAIL_NOT_VERIFIED"));

    // A new link (valid from when it is sent) works.
    assert_no_errors(&t.gql.query(RESEND, json!({"e": "cy@example.com"})).await);
    let link = mails_to(&smtp, 2, "cy@example.com").await[1]
        .verify_link()
        .unwrap();
    assert_no_errors(&t.gql.query(VERIFY, json!({"t": token_of(&link)})).await);
}

/// The exact bytes of a `register` answer.
async fn register_bytes(t: &TestAuth, email: &str, password: &str) -> (u16, Vec<u8>) {
    let body = json!({
        "query": "mutation($email: String!, $password: String!) {
          register(input: {email: $email, password: $password}) {
            emailVerificationRequired userId auth { accessToken }
          }
        }",
        "variables": {"email": email, "password": password},
    });
    let resp = http()
        .post(t.running.graphql_url())
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn register_answers_the_same_whether_or_not_the_email_is_taken() {
    let (t, smtp) = required(|_| {}).await;
    let fresh = register_bytes(&t, "dee@example.com", PASSWORD).await;
    let link = mails_to(&smtp, 1, "dee@example.com").await[0]
        .verify_link()
        .unwrap();

    // Taken but unconfirmed: same answer; the address gets a new link.
    let unconfirmed = register_bytes(&t, "dee@example.com", "another password").await;
    assert_eq!(fresh, unconfirmed);
    let mails = mails_to(&smtp, 2, "dee@example.com").await;
    let second = mails[1].verify_link().expect("a new link");
    assert_ne!(second, link);

    // Taken and confirmed: same answer; the owner is told, without a link.
    assert_no_errors(&t.gql.query(VERIFY, json!({"t": token_of(&link)})).await);
    let confirmed = register_bytes(&t, "DEE@example.com", "a third password").await;
    assert_eq!(fresh, confirmed);
    assert_eq!(
        String::from_utf8(confirmed.1).unwrap(),
        r#"{"data":{"register":{"emailVerificationRequired":true,"userId":null,"auth":null}}}"#
    );
    let notice = mails_to(&smtp, 3, "dee@example.com").await.remove(2);
    assert_eq!(
        notice.subject,
        format!("Someone tried to sign up for {PRODUCT} with your address")
    );
    assert!(notice.verify_link().is_none());
    assert!(
        notice.text.contains("already has an account"),
        "{}",
        notice.text
    );

    // Nothing about the account changed: the first password still works.
    assert_no_errors(&login(&t, "dee@example.com", PASSWORD).await);
    let resp = login(&t, "dee@example.com", "a third password").await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
    // One account, one CreateUser.
    let sql = testkit::connect_pg(t.db.url()).await;
    let accounts: i64 = sql
        .query_one("SELECT count(*) FROM accounts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn resend_is_limited_per_address_and_tells_nothing_about_accounts() {
    let (t, smtp) = required(|c| {
        c.email.email_limit_per_address = 2;
        c.email.email_limit_window_secs = 600;
    })
    .await;
    // Registration sends (and counts) the first email to eve.
    register_pending(&t, "eve@example.com", PASSWORD).await;
    let first = mails_to(&smtp, 1, "eve@example.com").await[0]
        .verify_link()
        .unwrap();
    // Nobody has this one; give it the same count so far.
    let unknown = "nobody@example.com";
    let resp = t.gql.query(RESEND, json!({"e": unknown})).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["resendVerificationEmail"]["email"], unknown);

    for address in ["eve@example.com", unknown] {
        let resp = t.gql.query(RESEND, json!({"e": address})).await;
        assert_no_errors(&resp);
        assert_eq!(resp["data"]["resendVerificationEmail"]["email"], address);
    }
    let mut refusals = Vec::new();
    for address in ["EVE@example.com", unknown] {
        let resp = t.gql.query(RESEND, json!({"e": address})).await;
        assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
        let retry_after = resp["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap();
        assert!((1..=600).contains(&retry_after), "{retry_after}");
        refusals.push(resp["errors"][0]["message"].clone());
    }
    assert_eq!(refusals[0], refusals[1]);
    // Registering with a limited (taken) address still answers normally.
    register_pending(&t, "eve@example.com", PASSWORD).await;
    // Malformed input is the only other answer, and it is about the input.
    let resp = t.gql.query(RESEND, json!({"e": "not an email"})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));

    emails_settled(&t).await;
    let received = smtp.received();
    assert_eq!(
        received.len(),
        2,
        "eve: registration + one resend; nobody: none"
    );
    assert!(received.iter().all(|m| m.to == ["eve@example.com"]));
    let second = received[1].mail().verify_link().unwrap();
    assert_ne!(first, second);
    // The resent link works like the first.
    let (status, _, _) = open(&second).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_the_email_but_never_loses_it() {
    // A port with nothing listening (yet).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let t = spawn_sending_to(&format!("smtp://{port}"), |_| {}).await;

    let started = Instant::now();
    register_pending(&t, "fay@example.com", PASSWORD).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "register does not wait for the mail server"
    );

    // The worker tried and failed; the email waits in the outbox.
    let sql = testkit::connect_pg(t.db.url()).await;
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let row = sql
            .query_opt(
                "SELECT attempts, last_error FROM outbox WHERE kind = 'email.send'",
                &[],
            )
            .await
            .unwrap()
            .expect("the email is still queued");
        if row.get::<_, i32>(0) >= 1 {
            let error: Option<String> = row.get(1);
            assert!(error.unwrap_or_default().contains("SMTP"));
            break;
        }
        assert!(Instant::now() < deadline, "the worker never tried");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // No token was kept for the email that did not go out.
    let tokens: i64 = sql
        .query_one("SELECT count(*) FROM email_verification_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tokens, 0);

    // The server comes up: the retry delivers, and the link works.
    let smtp = SmtpServer::start_on(port).await;
    let mail = mails_to(&smtp, 1, "fay@example.com").await.remove(0);
    let (status, _, _) = open(&mail.verify_link().unwrap()).await;
    assert_eq!(status, 200);
    assert_no_errors(&login(&t, "fay@example.com", PASSWORD).await);
}

#[tokio::test]
async fn without_smtp_the_email_is_logged_and_the_worker_moves_on() {
    let t = crate::common::spawn_with(
        |c| {
            c.email.email_verification = EmailVerification::Required;
            c.service.outbox.outbox_poll_interval_ms = 100;
        },
        auth::Parts::ALL,
    )
    .await;
    register_pending(&t, "gus@example.com", PASSWORD).await;
    emails_settled(&t).await;
    let sql = testkit::connect_pg(t.db.url()).await;
    let row = sql
        .query_one(
            "SELECT count(*) FROM email_verification_tokens WHERE email = 'gus@example.com'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1, "the logged link has a live token");
}

#[tokio::test]
async fn off_mode_signs_in_at_once_and_tokens_allow_writes() {
    let t = crate::common::spawn().await;
    let resp = t
        .gql
        .query(
            REGISTER,
            json!({"email": "hal@example.com", "password": PASSWORD}),
        )
        .await;
    assert_no_errors(&resp);
    let reg = &resp["data"]["register"];
    assert_eq!(reg["emailVerificationRequired"], false);
    let access = str_of(&reg["auth"], "accessToken");
    // Not confirmed, and not required to be: the claim lets it act.
    assert_eq!(claims(access)["ev"], true);
    assert!(validate(&t, access).await.email_verified);
    let me = t
        .gql
        .with_token(access)
        .query(
            ME,
            json!({"reps": [{"__typename": "User", "id": reg["userId"]}]}),
        )
        .await;
    assert_eq!(me["data"]["_entities"][0]["emailVerified"], false);
}

#[tokio::test]
async fn sessions_from_before_confirmation_was_required_get_ev_from_the_account() {
    // An account made while confirmation was off keeps its session when the
    // setting changes; refreshing re-reads the account, before and after
    // confirming.
    let smtp = SmtpServer::start().await;
    let before = crate::common::spawn().await;
    let resp = before
        .gql
        .query(
            REGISTER,
            json!({"email": "ida@example.com", "password": PASSWORD}),
        )
        .await;
    assert_no_errors(&resp);
    let refresh = str_of(&resp["data"]["register"]["auth"], "refreshToken").to_owned();

    let mut config = auth::Config::defaults();
    config.service.database_url = before.db.url().to_owned();
    config.service.db_pool_size = 4;
    config.users_grpc_url = "http://127.0.0.1:9".into();
    config.hash_concurrency = 2;
    config.email.email_verification = EmailVerification::Required;
    config.email.smtp_url = Some(smtp.url());
    config.service.outbox.outbox_poll_interval_ms = 100;
    let after = auth::start(&config, auth::Parts::ALL).await.unwrap();
    let gql = testkit::GraphqlClient::new(after.graphql_url());

    let resp = gql.query(REFRESH, json!({"t": refresh})).await;
    assert_no_errors(&resp);
    let refresh = str_of(&resp["data"]["refresh"], "refreshToken").to_owned();
    assert_eq!(
        claims(str_of(&resp["data"]["refresh"], "accessToken"))["ev"],
        false
    );
    let resp = gql
        .query(
            LOGIN,
            json!({"email": "ida@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("EMAIL_NOT_VERIFIED"));

    assert_no_errors(&gql.query(RESEND, json!({"e": "ida@example.com"})).await);
    let link = smtp.wait_for(1, MAIL_WAIT).await[0]
        .mail()
        .verify_link()
        .unwrap();
    assert!(link.starts_with(&format!("http://{}/", after.http_addr.unwrap())));
    assert_eq!(open(&link).await.0, 200);

    let resp = gql.query(REFRESH, json!({"t": refresh})).await;
    assert_no_errors(&resp);
    assert_eq!(
        claims(str_of(&resp["data"]["refresh"], "accessToken"))["ev"],
        true
    );
    after.stop().await;
}
