//! Password reset end to end: real PostgreSQL, real HTTP, and a real SMTP
//! server receiving the links the outbox worker sends; the `/reset-password`
//! form posted as a browser would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::{Duration, Instant};

use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{LOGIN, REFRESH, TestAuth, login, register, str_of};
use auth::config::EmailVerification;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const PRODUCT: &str = "Chatty";
const MAIL_WAIT: Duration = Duration::from_secs(20);

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) { email } }";
const RESET: &str = "mutation($t: String!, $p: String!) {
  resetPassword(input: {token: $t, newPassword: $p}) {
    sessionsEnded
    auth { accessToken refreshToken userId sessionId deviceToken }
  }
}";
const SESSIONS: &str = "{ mySessions { id current } }";
const EVENTS: &str = "{ mySecurityEvents { edges { node { kind sessionId } } } }";
const ME: &str = "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { emailVerified } } }";

/// Auth (HTTP, gRPC and outbox worker) sending through a fresh SMTP server.
pub async fn with_smtp(adjust: impl FnOnce(&mut auth::Config)) -> (TestAuth, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let t = crate::common::spawn_with(
        |c| {
            c.email.smtp_url = Some(smtp.url());
            c.email.product_name = PRODUCT.to_owned();
            c.email.email_from = format!("{PRODUCT} <no-reply@chatty.test>");
            c.service.outbox.outbox_poll_interval_ms = 100;
            adjust(c);
        },
        auth::Parts::ALL,
    )
    .await;
    (t, smtp)
}

/// The emails sent to `to` once `total` emails arrived at the server.
pub async fn mails_to(smtp: &SmtpServer, total: usize, to: &str) -> Vec<Mail> {
    smtp.wait_for(total, MAIL_WAIT)
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|r| r == to))
        .map(|m| m.mail())
        .collect()
}

pub fn token_of(link: &str) -> String {
    link.split_once("token=").unwrap().1.to_owned()
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Opens a link like a browser: status, headers and page text.
pub async fn open(link: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = http().get(link).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// Submits the reset form like a browser.
async fn submit(t: &TestAuth, token: &str, password: &str, confirm: &str) -> (u16, String) {
    let url = format!("http://{}/reset-password", t.running.http_addr.unwrap());
    let resp = http()
        .post(url)
        .form(&[
            ("token", token),
            ("password", password),
            ("confirm", confirm),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn request(t: &TestAuth, email: &str) -> Value {
    t.gql.query(REQUEST, json!({"e": email})).await
}

async fn reset(t: &TestAuth, token: &str, password: &str) -> Value {
    t.gql.query(RESET, json!({"t": token, "p": password})).await
}

fn reason(resp: &Value) -> &Value {
    &resp["errors"][0]["extensions"]["reason"]
}

fn claims(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The reset link of the `nth` (from 0) email to `to`, `total` emails in all.
async fn reset_link(smtp: &SmtpServer, total: usize, to: &str, nth: usize) -> String {
    mails_to(smtp, total, to).await[nth]
        .reset_link()
        .expect("a reset link in the email")
}

#[tokio::test]
async fn a_reset_link_sets_the_password_signs_out_everywhere_and_signs_in_anew() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let first = register(&t.gql, "ann@example.com", "old password").await;
    let second = login(&t.gql, "ann@example.com", "old password").await;

    let resp = request(&t, "  ANN@example.com ").await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["requestPasswordReset"]["email"],
        "ann@example.com"
    );

    let mails = mails_to(&smtp, 1, "ann@example.com").await;
    let mail = &mails[0];
    assert_eq!(mail.subject, format!("Reset your {PRODUCT} password"));
    let link = mail.reset_link().expect("a reset link");
    let base = format!(
        "http://{}/reset-password?token=",
        t.running.http_addr.unwrap()
    );
    assert!(link.starts_with(&base), "{link}");
    let token = token_of(&link);
    assert_eq!(token.len(), 43, "256 bits, base64url");
    assert!(mail.html.contains(&link), "{}", mail.html);
    assert!(mail.text.contains("1 hour"), "{}", mail.text);
    // Only the hash is kept.
    let sql = testkit::connect_pg(t.db.url()).await;
    let stored: Vec<u8> = sql
        .query_one("SELECT token_hash FROM password_reset_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored.len(), 32);
    assert_ne!(stored, token.as_bytes());

    // A password the rules refuse spends nothing.
    let resp = reset(&t, &token, "short").await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["field"], "newPassword");

    let resp = reset(&t, &token, "new password").await;
    assert_no_errors(&resp);
    let payload = &resp["data"]["resetPassword"];
    assert_eq!(payload["sessionsEnded"], 2, "{resp}");
    let auth = &payload["auth"];
    assert_eq!(auth["userId"], first["userId"]);
    assert!(auth["deviceToken"].is_string(), "{resp}");
    let access = str_of(auth, "accessToken");
    assert_eq!(claims(access)["ev"], true);

    // The sessions from before are over, access and refresh tokens alike.
    for old in [&first, &second] {
        let resp = t
            .gql
            .with_token(str_of(old, "accessToken"))
            .query(SESSIONS, json!({}))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
        let resp = t
            .gql
            .query(REFRESH, json!({"t": str_of(old, "refreshToken")}))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    // The new one is the only one.
    let me = t.gql.with_token(access);
    let resp = me.query(SESSIONS, json!({})).await;
    assert_no_errors(&resp);
    let sessions = resp["data"]["mySessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{resp}");
    assert_eq!(sessions[0]["id"], auth["sessionId"]);
    assert_eq!(sessions[0]["current"], true);
    let resp = me
        .query(
            ME,
            json!({"reps": [{"__typename": "User", "id": auth["userId"]}]}),
        )
        .await;
    assert_eq!(
        resp["data"]["_entities"][0]["emailVerified"], true,
        "{resp}"
    );
    let resp = me.query(EVENTS, json!({})).await;
    assert_no_errors(&resp);
    let newest = &resp["data"]["mySecurityEvents"]["edges"][0]["node"];
    assert_eq!(newest["kind"], "PASSWORD_RESET", "{resp}");
    assert_eq!(newest["sessionId"], auth["sessionId"]);

    // Only the new password signs in.
    let resp = t
        .gql
        .query(
            LOGIN,
            json!({"email": "ann@example.com", "password": "old password"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
    login(&t.gql, "ann@example.com", "new password").await;

    // Single use.
    let resp = reset(&t, &token, "third password").await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), "USED");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "token");
    login(&t.gql, "ann@example.com", "new password").await;
}

#[tokio::test]
async fn links_that_were_tampered_with_replaced_or_used_are_refused() {
    let (t, smtp) = with_smtp(|_| {}).await;
    register(&t.gql, "bea@example.com", "old password").await;
    assert_no_errors(&request(&t, "bea@example.com").await);
    let older = token_of(&reset_link(&smtp, 1, "bea@example.com", 0).await);
    assert_no_errors(&request(&t, "bea@example.com").await);
    let newer = token_of(&reset_link(&smtp, 2, "bea@example.com", 1).await);
    assert_ne!(older, newer);

    let mut tampered = newer.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        tampered.as_str(),
        &newer[..42],
        "not-a-token",
        "",
        &"x".repeat(10_000),
    ] {
        let resp = reset(&t, bad, "new password").await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(reason(&resp), "INVALID", "{resp}");
    }
    // A newer link replaced the older one.
    let resp = reset(&t, &older, "new password").await;
    assert_eq!(reason(&resp), "EXPIRED", "{resp}");
    login(&t.gql, "bea@example.com", "old password").await;

    assert_no_errors(&reset(&t, &newer, "new password").await);
    let resp = reset(&t, &newer, "another password").await;
    assert_eq!(reason(&resp), "USED", "{resp}");
    // And a link from before the reset is no good afterwards either.
    let resp = reset(&t, &older, "another password").await;
    assert_eq!(reason(&resp), "EXPIRED", "{resp}");
    login(&t.gql, "bea@example.com", "new password").await;
}

#[tokio::test]
async fn links_expire() {
    let (t, smtp) = with_smtp(|c| c.email.password_reset_ttl_secs = 1).await;
    register(&t.gql, "cy@example.com", "old password").await;
    assert_no_errors(&request(&t, "cy@example.com").await);
    let mail = mails_to(&smtp, 1, "cy@example.com").await.remove(0);
    assert!(mail.text.contains("1 second"), "{}", mail.text);
    let link = mail.reset_link().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let resp = reset(&t, &token_of(&link), "new password").await;
    assert_eq!(reason(&resp), "EXPIRED", "{resp}");
    let (status, _, page) = open(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"), "{page}");
    login(&t.gql, "cy@example.com", "old password").await;
}

#[tokio::test]
async fn asking_answers_and_works_the_same_for_every_address() {
    // No worker: what each request queued stays in the outbox to be seen.
    let t = crate::common::spawn_with(
        |c| {
            c.email.email_limit_per_address = 2;
            c.email.email_limit_window_secs = 600;
        },
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await;
    let known = register(&t.gql, "dee@example.com", "old password").await;
    let unknown = "nobody@example.com";
    for _ in 0..2 {
        for address in ["dee@example.com", unknown] {
            let resp = request(&t, address).await;
            assert_no_errors(&resp);
            assert_eq!(resp["data"]["requestPasswordReset"]["email"], address);
        }
    }
    // The same rows for both: one email job per request, the unknown
    // address's with no account (the worker sends nothing for those).
    let sql = testkit::connect_pg(t.db.url()).await;
    let rows = sql
        .query(
            "SELECT payload->>'email', payload->>'account_id' FROM outbox
             WHERE kind = 'email.send' AND payload->>'template' = 'password_reset'
             ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let jobs: Vec<(String, Option<String>)> =
        rows.iter().map(|row| (row.get(0), row.get(1))).collect();
    let dee = Some(known["userId"].as_str().unwrap().to_owned());
    assert_eq!(
        jobs,
        [
            ("dee@example.com".to_owned(), dee.clone()),
            (unknown.to_owned(), None),
            ("dee@example.com".to_owned(), dee),
            (unknown.to_owned(), None),
        ]
    );
    // The per-address limit: the same refusal for both.
    let mut refusals = Vec::new();
    for address in ["DEE@example.com", unknown] {
        let resp = request(&t, address).await;
        assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
        let retry_after = resp["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap();
        assert!((1..=600).contains(&retry_after), "{retry_after}");
        refusals.push(resp["errors"][0]["message"].clone());
    }
    assert_eq!(refusals[0], refusals[1]);
    let resp = request(&t, "not an email").await;
    assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn only_accounts_get_emails_and_limits_count_them_with_confirmations() {
    let (t, smtp) = with_smtp(|c| {
        c.email.email_verification = EmailVerification::Required;
        c.email.email_limit_per_address = 2;
    })
    .await;
    // Registration sends (and counts) a confirmation link.
    let resp = t
        .gql
        .query(
            crate::common::REGISTER,
            json!({"email": "eve@example.com", "password": "old password"}),
        )
        .await;
    assert_no_errors(&resp);
    assert_no_errors(&request(&t, "nobody@example.com").await);
    assert_no_errors(&request(&t, "eve@example.com").await);
    let resp = request(&t, "eve@example.com").await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");

    let mails = mails_to(&smtp, 2, "eve@example.com").await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().any(|m| m.verify_link().is_some()));
    let link = mails
        .iter()
        .find_map(Mail::reset_link)
        .expect("a reset link");
    // Outbox empty, so the unknown address's job ran too: it sent nothing.
    let sql = testkit::connect_pg(t.db.url()).await;
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let left: i64 = sql
            .query_one(
                "SELECT count(*) FROM outbox WHERE kind = 'email.send' AND dead_at IS NULL",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "emails still queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.received().len(), 2);
    assert!(smtp.received().iter().all(|m| m.to == ["eve@example.com"]));

    // Resetting proves the address: the unconfirmed account may sign in.
    let resp = t
        .gql
        .query(
            LOGIN,
            json!({"email": "eve@example.com", "password": "old password"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("EMAIL_NOT_VERIFIED"));
    let resp = reset(&t, &token_of(&link), "new password").await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["resetPassword"]["sessionsEnded"], 0);
    login(&t.gql, "eve@example.com", "new password").await;
}

#[tokio::test]
async fn resetting_an_unconfirmed_account_removes_what_others_linked_to_it() {
    let (t, smtp) = with_smtp(|_| {}).await;
    // A squatter registered the address (never confirmed) and linked a
    // provider sign-in to it (seeded: the sign-in itself is not the point).
    let squatter = register(&t.gql, "fay@example.com", "squatter pass").await;
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "INSERT INTO oauth_identities (issuer, subject, account_id, provider, email)
         VALUES ('https://idp.test', 'sq-1', $1::text::uuid, 'idp', 'fay@example.com')",
        &[&str_of(&squatter, "userId")],
    )
    .await
    .unwrap();

    assert_no_errors(&request(&t, "fay@example.com").await);
    let link = reset_link(&smtp, 1, "fay@example.com", 0).await;
    assert_no_errors(&reset(&t, &token_of(&link), "owner password").await);
    let identities: i64 = sql
        .query_one("SELECT count(*) FROM oauth_identities", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(identities, 0);
    let resp = t
        .gql
        .with_token(str_of(&squatter, "accessToken"))
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn the_reset_page_works_in_a_browser_without_scripts() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let before = register(&t.gql, "gus@example.com", "old password").await;
    assert_no_errors(&request(&t, "gus@example.com").await);
    let link = reset_link(&smtp, 1, "gus@example.com", 0).await;
    let token = token_of(&link);

    // A HEAD (mail scanners) and a GET spend nothing.
    let head = http().head(&link).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let (status, headers, page) = open(&link).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert!(!page.contains("<script"), "{page}");
    assert!(
        page.contains(r#"<form method="post" action="reset-password">"#),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"name="token" value="{token}""#)),
        "{page}"
    );
    assert!(page.contains(PRODUCT));

    // Two different passwords, or one the rules refuse: the form again,
    // saying why, and the link still works.
    let (status, page) = submit(&t, &token, "new password", "new passw0rd").await;
    assert_eq!(status, 400);
    assert!(page.contains("not the same"), "{page}");
    assert!(page.contains(&token), "the form keeps the token");
    let (status, page) = submit(&t, &token, "short", "short").await;
    assert_eq!(status, 400);
    assert!(page.contains("cannot be used"), "{page}");

    let (status, page) = submit(&t, &token, "new password", "new password").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Password changed"), "{page}");
    login(&t.gql, "gus@example.com", "new password").await;
    let resp = t
        .gql
        .with_token(str_of(&before, "accessToken"))
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));

    // Spent: the link and the form say so.
    let (status, _, page) = open(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"), "{page}");
    let (status, page) = submit(&t, &token, "third password", "third password").await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"), "{page}");
    let last = if link.ends_with('A') { "B" } else { "A" };
    let (status, _, page) = open(&format!("{}{last}", &link[..link.len() - 1])).await;
    assert_eq!(status, 400);
    assert!(page.contains("not valid"), "{page}");
    let (status, _, _) = open(&format!(
        "http://{}/reset-password",
        t.running.http_addr.unwrap()
    ))
    .await;
    assert_eq!(status, 400, "no token at all");
    login(&t.gql, "gus@example.com", "new password").await;
}
