//! Changing the email address end to end: the link to the new address and
//! the notice to the old one arrive at a real SMTP server; the change
//! happens only when the link is followed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{LOGIN, REGISTER, TestAuth, login, register, str_of};
use crate::password_reset::{http, mails_to, open, token_of, with_smtp};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const PRODUCT: &str = "Chatty";
const REQUEST: &str = "mutation($e: String!, $p: String!) {
  requestEmailChange(input: {newEmail: $e, password: $p}) { newEmail }
}";
const CONFIRM: &str = "mutation($t: String!) {
  confirmEmailChange(token: $t) { email user { id email emailVerified } }
}";
const EVENTS: &str = "{ mySecurityEvents { edges { node { kind } } } }";
const ME: &str = "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { email emailVerified } } }";

fn change_link(mail: &Mail) -> Option<String> {
    mail.link_to("/confirm-email-change")
}

async fn ask(t: &TestAuth, who: &Value, new_email: &str, password: &str) -> Value {
    t.gql
        .with_token(str_of(who, "accessToken"))
        .query(REQUEST, json!({"e": new_email, "p": password}))
        .await
}

fn kinds(resp: &Value) -> Vec<String> {
    resp["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no events in {resp}"))
        .iter()
        .map(|edge| edge["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// The link sent to `to` (the only email to it), once `total` emails arrived.
async fn link_to(smtp: &SmtpServer, total: usize, to: &str) -> String {
    let mails = mails_to(smtp, total, to).await;
    change_link(mails.last().unwrap()).expect("an email change link")
}

#[tokio::test]
async fn the_address_changes_when_the_link_sent_to_it_is_followed() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let ann = register(&t.gql, "ann@example.com", "password-1").await;

    let resp = ask(&t, &ann, " Ann.New@Example.com ", "password-1").await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["requestEmailChange"]["newEmail"],
        "ann.new@example.com"
    );

    let new_mail = mails_to(&smtp, 2, "ann.new@example.com").await.remove(0);
    assert_eq!(
        new_mail.subject,
        format!("Confirm your new email address for {PRODUCT}")
    );
    let link = change_link(&new_mail).expect("a link");
    let base = format!(
        "http://{}/confirm-email-change?token=",
        t.running.http_addr.unwrap()
    );
    assert!(link.starts_with(&base), "{link}");
    assert_eq!(token_of(&link).len(), 43);
    assert!(new_mail.html.contains(&link));
    let notice = mails_to(&smtp, 2, "ann@example.com").await.remove(0);
    assert_eq!(
        notice.subject,
        format!("Your {PRODUCT} email address is being changed")
    );
    assert!(
        notice.text.contains("ann.new@example.com"),
        "{}",
        notice.text
    );
    assert!(notice.text.find("http").is_none(), "no link in the notice");

    // Nothing changed yet; a HEAD (mail scanners) changes nothing either.
    assert_eq!(http().head(&link).send().await.unwrap().status(), 200);
    login(&t.gql, "ann@example.com", "password-1").await;

    let (status, headers, page) = open(&link).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Email address changed"), "{page}");
    assert_eq!(headers["cache-control"], "no-store");

    // Signing in is with the new address now; the session from before stays.
    let resp = t
        .gql
        .query(
            LOGIN,
            json!({"email": "ann@example.com", "password": "password-1"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
    login(&t.gql, "ann.new@example.com", "password-1").await;
    let me = t.gql.with_token(str_of(&ann, "accessToken"));
    let resp = me
        .query(
            ME,
            json!({"reps": [{"__typename": "User", "id": ann["userId"]}]}),
        )
        .await;
    assert_eq!(
        resp["data"]["_entities"][0],
        json!({"email": "ann.new@example.com", "emailVerified": true}),
        "{resp}"
    );
    let events = kinds(&me.query(EVENTS, json!({})).await);
    assert!(
        events.starts_with(&[
            "LOGGED_IN".to_owned(),
            "EMAIL_CHANGED".to_owned(),
            "LOGGED_IN".to_owned(),
            "EMAIL_CHANGE_REQUESTED".to_owned()
        ]),
        "{events:?}"
    );

    // Single use, through the page and the mutation alike.
    let (status, _, page) = open(&link).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"), "{page}");
    let resp = t.gql.query(CONFIRM, json!({"t": token_of(&link)})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "USED", "{resp}");
}

#[tokio::test]
async fn the_confirm_mutation_changes_it_too_and_refuses_made_up_links() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let bea = register(&t.gql, "bea@example.com", "password-1").await;
    assert_no_errors(&ask(&t, &bea, "bea@new.example.com", "password-1").await);
    let token = token_of(&link_to(&smtp, 2, "bea@new.example.com").await);

    let mut tampered = token.clone().into_bytes();
    tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
    for bad in [String::from_utf8(tampered).unwrap(), String::new()] {
        let resp = t.gql.query(CONFIRM, json!({"t": bad})).await;
        assert_eq!(
            resp["errors"][0]["extensions"]["reason"], "INVALID",
            "{resp}"
        );
    }
    // Anyone holding the link may follow it (it proves the new address);
    // the answer names only what the link already said.
    let resp = t.gql.query(CONFIRM, json!({"t": token})).await;
    assert_no_errors(&resp);
    let payload = &resp["data"]["confirmEmailChange"];
    assert_eq!(payload["email"], "bea@new.example.com");
    assert_eq!(payload["user"]["id"], bea["userId"]);
    assert_eq!(payload["user"]["email"], Value::Null, "private to the user");
    login(&t.gql, "bea@new.example.com", "password-1").await;
}

#[tokio::test]
async fn asking_needs_the_password_and_an_address_no_one_has() {
    // No worker: any email queued would stay in the outbox.
    let t = crate::common::spawn().await;
    let cy = register(&t.gql, "cy@example.com", "password-1").await;
    register(&t.gql, "dee@example.com", "password-2").await;

    let resp = ask(&t, &cy, "cy@new.example.com", "wrong password").await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["field"], "password");
    let resp = ask(&t, &cy, "DEE@example.com", "password-1").await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "newEmail");
    for same_or_bad in ["CY@example.com", "not an email"] {
        let resp = ask(&t, &cy, same_or_bad, "password-1").await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "newEmail");
    }
    let resp = t
        .gql
        .query(
            REQUEST,
            json!({"e": "cy@new.example.com", "p": "password-1"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));

    // An account without a password (made by a provider sign-in) cannot.
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "UPDATE accounts SET password_hash = NULL WHERE email = 'cy@example.com'",
        &[],
    )
    .await
    .unwrap();
    let resp = ask(&t, &cy, "cy@new.example.com", "password-1").await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "NO_PASSWORD");

    let queued: i64 = sql
        .query_one("SELECT count(*) FROM outbox WHERE kind = 'email.send'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(queued, 0, "no email for a refused change");
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_refused_when_the_link_is_followed() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let eve = register(&t.gql, "eve@example.com", "password-1").await;
    assert_no_errors(&ask(&t, &eve, "shared@example.com", "password-1").await);
    let link = link_to(&smtp, 2, "shared@example.com").await;
    let resp = t
        .gql
        .query(
            REGISTER,
            json!({"email": "shared@example.com", "password": "password-2"}),
        )
        .await;
    assert_no_errors(&resp);

    let (status, _, page) = open(&link).await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("Another account has this email address"),
        "{page}"
    );
    let resp = t.gql.query(CONFIRM, json!({"t": token_of(&link)})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    login(&t.gql, "eve@example.com", "password-1").await;
    login(&t.gql, "shared@example.com", "password-2").await;
}

#[tokio::test]
async fn a_newer_request_or_a_new_password_ends_older_links() {
    let (t, smtp) = with_smtp(|_| {}).await;
    let fay = register(&t.gql, "fay@example.com", "password-1").await;
    assert_no_errors(&ask(&t, &fay, "fay@one.example.com", "password-1").await);
    let first = link_to(&smtp, 2, "fay@one.example.com").await;
    assert_no_errors(&ask(&t, &fay, "fay@two.example.com", "password-1").await);
    let second = link_to(&smtp, 4, "fay@two.example.com").await;

    let (status, _, page) = open(&first).await;
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("expired"), "{page}");

    // The owner, warned by the notice, changes the password: the pending
    // change dies with it.
    let resp = t
        .gql
        .with_token(str_of(&fay, "accessToken"))
        .query(
            "mutation { changePassword(current: \"password-1\", new: \"password-2\") { sessionsEnded } }",
            json!({}),
        )
        .await;
    assert_no_errors(&resp);
    let resp = t.gql.query(CONFIRM, json!({"t": token_of(&second)})).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"], "EXPIRED",
        "{resp}"
    );
    login(&t.gql, "fay@example.com", "password-2").await;
}
