//! Two-factor sign-in with TOTP over real HTTP and a real database: the
//! codes are computed here with `totp-rs` from the secret the service hands
//! out, as an authenticator app would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{LOGIN, REFRESH, TestAuth, register, spawn_with, str_of};
use auth::Parts;
use ratelimit::Rate;
use serde_json::{Value, json};
use testkit::{GraphqlClient, assert_no_errors, error_code};
use totp_rs::{Algorithm, Builder, Secret, Totp};

const START: &str = "mutation { startTotpEnrollment { secret otpauthUri } }";
const CONFIRM: &str = "mutation($c: String!) {
  confirmTotpEnrollment(code: $c) { recoveryCodes user { id totpEnabled recoveryCodesLeft } }
}";
const COMPLETE: &str = "mutation($id: String!, $c: String!, $d: String) {
  completeLogin(input: {challengeId: $id, code: $c, deviceToken: $d}) {
    accessToken refreshToken expiresAt userId sessionId deviceToken
  }
}";
const LOGIN_WITH_DEVICE: &str = "mutation($email: String!, $password: String!, $d: String) {
  login(input: {email: $email, password: $password, deviceToken: $d}) {
    accessToken refreshToken userId sessionId deviceToken
  }
}";
const DISABLE: &str =
    "mutation($c: String!) { disableTotp(code: $c) { user { totpEnabled recoveryCodesLeft } } }";
const CHANGE_PASSWORD: &str = "mutation($cur: String!, $new: String!, $code: String) {
  changePassword(current: $cur, new: $new, totpCode: $code) { sessionsEnded }
}";
const UNLINK: &str = "mutation($p: String!, $code: String) {
  unlinkIdentity(provider: $p, totpCode: $code) { provider }
}";
const ME: &str = "query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { totpEnabled recoveryCodesLeft } }
}";
const SESSIONS: &str = "{ mySessions { id } }";
const EVENTS: &str =
    "{ mySecurityEvents(first: 100) { edges { node { kind sessionId provider } } } }";

const PASSWORD: &str = "password-1";

/// Auth without the sign-in limits (these tests sign in often), unless
/// `adjust` sets them; the wrong-code limit is the default one unless set.
async fn spawn_totp(adjust: impl FnOnce(&mut auth::Config)) -> TestAuth {
    spawn_with(
        |c| {
            c.security.login_rate_per_account = Rate::OFF;
            c.security.login_rate_per_ip = Rate::OFF;
            adjust(c);
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await
}

fn totp(secret: &str) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(0)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code of the step `offset` steps from now.
fn code(secret: &str, offset: i64) -> String {
    let at = now_secs().saturating_add_signed(offset * 30);
    totp(secret).generate(at).to_string()
}

/// Waits until the current step has at least 3 seconds left (and 2 are
/// gone), so that "now" here and at the service is the same step.
async fn settle() {
    loop {
        let into = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            % 30_000;
        if (2_000..27_000).contains(&into) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn reason(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/reason")
        .and_then(Value::as_str)
}

fn kinds(resp: &Value) -> Vec<String> {
    resp["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {resp}"))
        .iter()
        .map(|edge| edge["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// An account with TOTP turned on.
struct Enrolled {
    email: String,
    user_id: String,
    secret: String,
    recovery: Vec<String>,
    /// The registration session's access token (it turned TOTP on).
    access: String,
}

/// Confirms the account's email address (as following the emailed link
/// does).
async fn confirm_email(t: &TestAuth, user_id: &str) {
    testkit::connect_pg(t.db.url())
        .await
        .execute(
            "UPDATE accounts SET email_verified = true WHERE id = $1::text::uuid",
            &[&user_id],
        )
        .await
        .unwrap();
}

/// Registers `email`, confirms it and turns TOTP on with the code of the
/// previous step (so that the current and the next step stay usable).
async fn enroll(t: &TestAuth, email: &str) -> Enrolled {
    let gql = &t.gql;
    let auth = register(gql, email, PASSWORD).await;
    confirm_email(t, str_of(&auth, "userId")).await;
    let access = str_of(&auth, "accessToken").to_owned();
    let me = gql.with_token(&access);
    let resp = me.query(START, json!({})).await;
    assert_no_errors(&resp);
    let secret = str_of(&resp["data"]["startTotpEnrollment"], "secret").to_owned();
    settle().await;
    let resp = me.query(CONFIRM, json!({"c": code(&secret, -1)})).await;
    assert_no_errors(&resp);
    let recovery = resp["data"]["confirmTotpEnrollment"]["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    Enrolled {
        email: email.to_owned(),
        user_id: str_of(&auth, "userId").to_owned(),
        secret,
        recovery,
        access,
    }
}

/// `login` with the right password: the challenge id of its MFA_REQUIRED.
async fn challenge(gql: &GraphqlClient, email: &str) -> String {
    let resp = gql
        .query(LOGIN, json!({"email": email, "password": PASSWORD}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
    resp.pointer("/errors/0/extensions/challengeId")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no challengeId in {resp}"))
        .to_owned()
}

async fn complete(gql: &GraphqlClient, challenge: &str, code: &str) -> Value {
    gql.query(COMPLETE, json!({"id": challenge, "c": code}))
        .await
}

/// Lets the steps used so far be used again (as if time had passed).
async fn forget_used_steps(t: &TestAuth) {
    testkit::connect_pg(t.db.url())
        .await
        .batch_execute("UPDATE totp_credentials SET last_step = NULL")
        .await
        .unwrap();
}

async fn me(gql: &GraphqlClient, access: &str, user_id: &str) -> Value {
    let resp = gql
        .with_token(access)
        .query(ME, json!({"reps": [{"__typename": "User", "id": user_id}]}))
        .await;
    assert_no_errors(&resp);
    resp["data"]["_entities"][0].clone()
}

#[tokio::test]
async fn enrollment_hands_out_a_secret_and_turns_on_only_with_its_code() {
    let t = spawn_totp(|_| {}).await;
    let auth = register(&t.gql, "ann@example.com", PASSWORD).await;
    let user_id = str_of(&auth, "userId");
    confirm_email(&t, user_id).await;
    let access = str_of(&auth, "accessToken");
    let app = t.gql.with_token(access);
    assert_eq!(
        me(&t.gql, access, user_id).await,
        json!({"totpEnabled": false, "recoveryCodesLeft": 0})
    );
    // Confirming before starting.
    let resp = app.query(CONFIRM, json!({"c": "123456"})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");

    let resp = app.query(START, json!({})).await;
    assert_no_errors(&resp);
    let first = str_of(&resp["data"]["startTotpEnrollment"], "secret").to_owned();
    let uri = str_of(&resp["data"]["startTotpEnrollment"], "otpauthUri").to_owned();
    assert_eq!(first.len(), 32, "160 bits in base32: {first}");
    assert!(
        uri.starts_with("otpauth://totp/Messenger:ann%40example.com?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={first}")), "{uri}");
    assert!(uri.contains("issuer=Messenger"), "{uri}");
    let parsed = Totp::from_url(&uri).unwrap();
    assert_eq!(parsed.algorithm(), Algorithm::SHA1);
    assert_eq!((parsed.digits(), parsed.step()), (6, 30));
    assert_eq!(parsed.secret().to_base32(), first);

    // A wrong code turns nothing on.
    settle().await;
    let wrong = format!(
        "{:06}",
        (code(&first, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    for bad in [wrong.as_str(), "12345", "abcdef", ""] {
        let resp = app.query(CONFIRM, json!({"c": bad})).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "code", "{resp}");
    }
    assert_eq!(me(&t.gql, access, user_id).await["totpEnabled"], false);
    // Starting again replaces the secret: the first one's codes are refused.
    let resp = app.query(START, json!({})).await;
    assert_no_errors(&resp);
    let secret = str_of(&resp["data"]["startTotpEnrollment"], "secret").to_owned();
    assert_ne!(secret, first);
    settle().await;
    let resp = app.query(CONFIRM, json!({"c": code(&first, 0)})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );

    let resp = app.query(CONFIRM, json!({"c": code(&secret, 0)})).await;
    assert_no_errors(&resp);
    let payload = &resp["data"]["confirmTotpEnrollment"];
    let codes = payload["recoveryCodes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    for c in codes {
        let c = c.as_str().unwrap();
        assert_eq!(c.len(), 19, "{c}");
        assert_eq!(c.split('-').count(), 4, "{c}");
    }
    assert_eq!(payload["user"]["totpEnabled"], true);
    assert_eq!(payload["user"]["recoveryCodesLeft"], 10);

    // On already: neither a new start nor a second confirmation.
    let resp = app.query(START, json!({})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    assert_eq!(reason(&resp), Some("TOTP_ALREADY_ENABLED"));
    let resp = app.query(CONFIRM, json!({"c": code(&secret, 1)})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    // Only the owner sees it.
    let other = register(&t.gql, "bob@example.com", PASSWORD).await;
    assert_eq!(
        me(&t.gql, str_of(&other, "accessToken"), user_id).await,
        json!({"totpEnabled": null, "recoveryCodesLeft": null})
    );
    let anonymous = t.gql.query(START, json!({})).await;
    assert_eq!(error_code(&anonymous).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn an_old_session_cannot_start_an_enrollment() {
    let t = spawn_totp(|_| {}).await;
    let auth = register(&t.gql, "old@example.com", PASSWORD).await;
    confirm_email(&t, str_of(&auth, "userId")).await;
    testkit::connect_pg(t.db.url())
        .await
        .batch_execute("UPDATE sessions SET created_at = now() - interval '11 minutes'")
        .await
        .unwrap();
    let resp = t
        .gql
        .with_token(str_of(&auth, "accessToken"))
        .query(START, json!({}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(reason(&resp), Some("REAUTHENTICATION_REQUIRED"));
}

#[tokio::test]
async fn login_asks_for_the_code_and_each_code_works_once_within_one_step() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let before = t
        .gql
        .with_token(&ann.access)
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(before["data"]["mySessions"].as_array().unwrap().len(), 1);

    // The right password answers MFA_REQUIRED, and no tokens.
    let resp = t
        .gql
        .query(LOGIN, json!({"email": ann.email, "password": PASSWORD}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
    assert_eq!(resp["data"]["login"], Value::Null, "{resp}");
    let ext = &resp["errors"][0]["extensions"];
    let challenge = ext["challengeId"].as_str().unwrap().to_owned();
    assert_eq!(challenge.len(), 43, "{ext}");
    let expires: chrono::DateTime<chrono::Utc> =
        ext["expiresAt"].as_str().unwrap().parse().unwrap();
    let left = expires - chrono::Utc::now();
    assert!(
        left > chrono::TimeDelta::minutes(4) && left <= chrono::TimeDelta::minutes(5),
        "{ext}"
    );
    let after = t
        .gql
        .with_token(&ann.access)
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(after["data"]["mySessions"], before["data"]["mySessions"]);
    // A wrong password is still just that.
    let resp = t
        .gql
        .query(LOGIN, json!({"email": ann.email, "password": "password-2"}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );

    settle().await;
    let now = code(&ann.secret, 0);
    let resp = complete(&t.gql, &challenge, &now).await;
    assert_no_errors(&resp);
    let signed_in = &resp["data"]["completeLogin"];
    assert_eq!(signed_in["userId"], ann.user_id.as_str());
    assert!(signed_in["deviceToken"].is_string(), "{resp}");
    let access = str_of(signed_in, "accessToken");
    let sessions = t.gql.with_token(access).query(SESSIONS, json!({})).await;
    assert_eq!(sessions["data"]["mySessions"].as_array().unwrap().len(), 2);

    // The same code once more, with a new challenge: refused.
    let again = challenge_of(&t.gql, &ann).await;
    let resp = complete(&t.gql, &again, &now).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("WRONG_CODE"));
    assert_eq!(resp["errors"][0]["extensions"]["attemptsLeft"], 4);
    // The step before is older than the last used: refused too.
    let resp = complete(&t.gql, &again, &code(&ann.secret, -1)).await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    // One step ahead is fine.
    let resp = complete(&t.gql, &again, &code(&ann.secret, 1)).await;
    assert_no_errors(&resp);

    // One step back is fine too (with the steps forgotten); two either way are not.
    forget_used_steps(&t).await;
    settle().await;
    for offset in [-2, 2] {
        let c = challenge_of(&t.gql, &ann).await;
        let resp = complete(&t.gql, &c, &code(&ann.secret, offset)).await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{offset}: {resp}");
    }
    let c = challenge_of(&t.gql, &ann).await;
    assert_no_errors(&complete(&t.gql, &c, &code(&ann.secret, -1)).await);
}

async fn challenge_of(gql: &GraphqlClient, account: &Enrolled) -> String {
    challenge(gql, &account.email).await
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let c = challenge_of(&t.gql, &ann).await;
    // Typed loosely: lower case, without the dashes.
    let typed = ann.recovery[0].replace('-', "").to_lowercase();
    let resp = complete(&t.gql, &c, &typed).await;
    assert_no_errors(&resp);
    let access = str_of(&resp["data"]["completeLogin"], "accessToken").to_owned();
    assert_eq!(
        me(&t.gql, &access, &ann.user_id).await,
        json!({"totpEnabled": true, "recoveryCodesLeft": 9})
    );
    let c = challenge_of(&t.gql, &ann).await;
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    // Another account's recovery code opens nothing here.
    let bob = enroll(&t, "bob@example.com").await;
    let resp = complete(&t.gql, &c, &bob.recovery[0]).await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    assert_no_errors(&complete(&t.gql, &c, &ann.recovery[1]).await);
    let events = t.gql.with_token(&access).query(EVENTS, json!({})).await;
    assert_eq!(
        kinds(&events)[..4],
        [
            "LOGGED_IN",
            "MFA_CHALLENGE_PASSED",
            "RECOVERY_CODE_USED",
            "MFA_CHALLENGE_FAILED"
        ]
    );
}

#[tokio::test]
async fn a_challenge_is_single_use_short_lived_and_dies_after_five_wrong_codes() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;

    // Used twice.
    let c = challenge_of(&t.gql, &ann).await;
    assert_no_errors(&complete(&t.gql, &c, &ann.recovery[0]).await);
    let resp = complete(&t.gql, &c, &ann.recovery[1]).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("USED"));

    // Expired.
    let c = challenge_of(&t.gql, &ann).await;
    testkit::connect_pg(t.db.url())
        .await
        .batch_execute("UPDATE mfa_challenges SET expires_at = now() - interval '1 second'")
        .await
        .unwrap();
    let resp = complete(&t.gql, &c, &ann.recovery[1]).await;
    assert_eq!(reason(&resp), Some("EXPIRED"), "{resp}");

    // Five wrong codes, then even the right one is refused.
    let c = challenge_of(&t.gql, &ann).await;
    for left in (0..5).rev() {
        let resp = complete(&t.gql, &c, "000000").await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
        assert_eq!(resp["errors"][0]["extensions"]["attemptsLeft"], left);
    }
    let resp = complete(&t.gql, &c, &ann.recovery[1]).await;
    assert_eq!(reason(&resp), Some("TOO_MANY_FAILURES"), "{resp}");
    // The recovery code was not spent by the refusals.
    let c = challenge_of(&t.gql, &ann).await;
    assert_no_errors(&complete(&t.gql, &c, &ann.recovery[1]).await);

    // Not a challenge at all.
    for junk in ["", "nope", &"A".repeat(43)] {
        let resp = complete(&t.gql, junk, "000000").await;
        assert_eq!(reason(&resp), Some("INVALID"), "{junk}: {resp}");
    }
}

#[tokio::test]
async fn a_challenge_works_only_for_the_client_that_signed_in() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let mallory = enroll(&t, "mallory@example.com").await;
    let phone = t.gql.with_header("user-agent", "AnnPhone/1.0");
    let c = challenge(&phone, &ann.email).await;

    // Someone else's client with Ann's challenge id and a right code of
    // Ann's: told nothing, and Ann's attempts are not used up.
    let elsewhere = t.gql.with_header("user-agent", "Mallory/6.6");
    for _ in 0..6 {
        let resp = complete(&elsewhere, &c, &ann.recovery[0]).await;
        assert_eq!(reason(&resp), Some("INVALID"), "{resp}");
    }
    // Mallory's own codes for Ann's challenge, from Ann's client: wrong.
    let resp = complete(&phone, &c, &mallory.recovery[0]).await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    // Ann's own sign-in still completes.
    let resp = complete(&phone, &c, &ann.recovery[0]).await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["completeLogin"]["userId"],
        ann.user_id.as_str()
    );
    // Mallory's challenge with Ann's code: wrong, never Ann's session.
    let c = challenge(&t.gql, &mallory.email).await;
    let resp = complete(&t.gql, &c, &ann.recovery[1]).await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
}

#[tokio::test]
async fn a_known_device_keeps_its_credential_and_its_own_allowance() {
    let t = spawn_totp(|c| {
        c.security.mfa_failure_rate = Rate::new(2, Duration::from_hours(1));
    })
    .await;
    let ann = enroll(&t, "ann@example.com").await;
    let first = t
        .gql
        .query(
            LOGIN_WITH_DEVICE,
            json!({"email": ann.email, "password": PASSWORD}),
        )
        .await;
    let c = first["errors"][0]["extensions"]["challengeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_no_errors(&resp);
    let device = str_of(&resp["data"]["completeLogin"], "deviceToken").to_owned();

    // A stranger who knows the password uses up the account's wrong codes.
    let stranger = t.gql.with_header("user-agent", "Stranger/1.0");
    for _ in 0..2 {
        let c = challenge(&stranger, &ann.email).await;
        let resp = complete(&stranger, &c, "000000").await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    }
    let c = challenge(&stranger, &ann.email).await;
    let resp = complete(&stranger, &c, &ann.recovery[1]).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");

    // Ann's device is counted on its own, and keeps its credential.
    let resp = t
        .gql
        .query(
            LOGIN_WITH_DEVICE,
            json!({"email": ann.email, "password": PASSWORD, "d": device}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
    let c = resp["errors"][0]["extensions"]["challengeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = t
        .gql
        .query(
            COMPLETE,
            json!({"id": c, "c": ann.recovery[1], "d": device}),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["completeLogin"]["deviceToken"],
        device.as_str()
    );
}

#[tokio::test]
async fn codes_are_throttled_like_passwords() {
    let t = spawn_totp(|c| {
        // A burst of 3 sign-in attempts, then one every minute.
        c.security.login_rate_per_account = Rate::new(3, Duration::from_mins(3));
        c.security.login_rate_per_ip = Rate::OFF;
        c.security.mfa_failure_rate = Rate::OFF;
    })
    .await;
    let ann = enroll(&t, "ann@example.com").await;
    // The password (1), two wrong codes (2, 3): the fourth attempt is
    // refused, the right code too.
    let c = challenge_of(&t.gql, &ann).await;
    for _ in 0..2 {
        let resp = complete(&t.gql, &c, "000000").await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    }
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    assert!(resp.pointer("/errors/0/extensions/retryAfter").is_some());
    // And so is the password.
    let resp = t
        .gql
        .query(LOGIN, json!({"email": ann.email, "password": PASSWORD}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
}

#[tokio::test]
async fn wrong_codes_are_limited_per_account_across_challenges() {
    let t = spawn_totp(|c| {
        c.security.mfa_failure_rate = Rate::new(3, Duration::from_hours(1));
    })
    .await;
    let ann = enroll(&t, "ann@example.com").await;
    for _ in 0..3 {
        let c = challenge_of(&t.gql, &ann).await;
        let resp = complete(&t.gql, &c, "000000").await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    }
    let c = challenge_of(&t.gql, &ann).await;
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    // Right codes elsewhere count nothing: another account is untouched.
    let bob = enroll(&t, "bob@example.com").await;
    for i in 0..4 {
        let c = challenge_of(&t.gql, &bob).await;
        assert_no_errors(&complete(&t.gql, &c, &bob.recovery[i]).await);
    }
}

#[tokio::test]
async fn refresh_does_not_ask_again_and_keeps_the_second_factor_recent() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let c = challenge_of(&t.gql, &ann).await;
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_no_errors(&resp);
    let mut refresh = str_of(&resp["data"]["completeLogin"], "refreshToken").to_owned();
    let mut access = String::new();
    for _ in 0..2 {
        let resp = t.gql.query(REFRESH, json!({"t": refresh})).await;
        assert_no_errors(&resp);
        refresh = str_of(&resp["data"]["refresh"], "refreshToken").to_owned();
        access = str_of(&resp["data"]["refresh"], "accessToken").to_owned();
    }
    // The refreshed session passed its second factor minutes ago.
    let resp = t
        .gql
        .with_token(&access)
        .query(
            CHANGE_PASSWORD,
            json!({"cur": PASSWORD, "new": "password-2"}),
        )
        .await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn sensitive_changes_need_a_recent_second_factor() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "INSERT INTO oauth_identities (issuer, subject, account_id, provider, email)
         VALUES ('https://corp.test', 'c-1', $1::text::uuid, 'corp', 'ann@corp.test')",
        &[&ann.user_id],
    )
    .await
    .unwrap();
    let app = t.gql.with_token(&ann.access);
    // Turning TOTP on was a second factor: recent enough now.
    // Ten minutes later it is not.
    sql.batch_execute("UPDATE sessions SET mfa_at = now() - interval '11 minutes'")
        .await
        .unwrap();
    let change = |code: Option<String>| {
        let app = app.clone();
        async move {
            app.query(
                CHANGE_PASSWORD,
                json!({"cur": PASSWORD, "new": "password-2", "code": code}),
            )
            .await
        }
    };
    let resp = change(None).await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(reason(&resp), Some("MFA_REQUIRED_RECENTLY"));
    let resp = app.query(UNLINK, json!({"p": "corp"})).await;
    assert_eq!(reason(&resp), Some("MFA_REQUIRED_RECENTLY"), "{resp}");
    let resp = change(Some("000000".to_owned())).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["field"], "totpCode");
    // The wrong password is told first, and spends no code.
    settle().await;
    let resp = app
        .query(
            CHANGE_PASSWORD,
            json!({"cur": "nope-nope", "new": "password-2", "code": code(&ann.secret, 0)}),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["field"], "current",
        "{resp}"
    );
    let resp = change(Some(code(&ann.secret, 0))).await;
    assert_no_errors(&resp);
    // That code made the session's second factor recent again.
    let resp = app.query(UNLINK, json!({"p": "corp"})).await;
    assert_no_errors(&resp);

    // A session that never gave a second factor (signed in before TOTP was
    // on) cannot change anything without one.
    let bob = register(&t.gql, "bob@example.com", PASSWORD).await;
    confirm_email(&t, str_of(&bob, "userId")).await;
    let other = crate::common::login(&t.gql, "bob@example.com", PASSWORD).await;
    let bob_app = t.gql.with_token(str_of(&bob, "accessToken"));
    let resp = bob_app.query(START, json!({})).await;
    let secret = str_of(&resp["data"]["startTotpEnrollment"], "secret").to_owned();
    settle().await;
    assert_no_errors(&bob_app.query(CONFIRM, json!({"c": code(&secret, 0)})).await);
    let resp = t
        .gql
        .with_token(str_of(&other, "accessToken"))
        .query(
            CHANGE_PASSWORD,
            json!({"cur": PASSWORD, "new": "password-2"}),
        )
        .await;
    assert_eq!(reason(&resp), Some("MFA_REQUIRED_RECENTLY"), "{resp}");
}

#[tokio::test]
async fn disabling_takes_a_code_and_ends_what_the_old_secret_could_open() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let app = t.gql.with_token(&ann.access);
    // A sign-in waiting for its code when TOTP goes off.
    let pending = challenge_of(&t.gql, &ann).await;

    for bad in ["000000", "nope"] {
        let resp = app.query(DISABLE, json!({"c": bad})).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(reason(&resp), Some("WRONG_CODE"));
    }
    settle().await;
    let resp = app.query(DISABLE, json!({"c": code(&ann.secret, 0)})).await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["disableTotp"]["user"],
        json!({"totpEnabled": false, "recoveryCodesLeft": 0})
    );
    let resp = app.query(DISABLE, json!({"c": code(&ann.secret, 1)})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    assert_eq!(reason(&resp), Some("TOTP_NOT_ENABLED"));

    // The pending sign-in is over; the old secret and codes open nothing.
    let resp = complete(&t.gql, &pending, &code(&ann.secret, 1)).await;
    assert_eq!(reason(&resp), Some("EXPIRED"), "{resp}");
    let resp = complete(&t.gql, &pending, &ann.recovery[0]).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    // Signing in is one step again.
    let resp = t
        .gql
        .query(LOGIN, json!({"email": ann.email, "password": PASSWORD}))
        .await;
    assert_no_errors(&resp);
    // Turned on again with a new secret: the old one's codes and recovery
    // codes are refused.
    let access = str_of(&resp["data"]["login"], "accessToken").to_owned();
    let me_app = t.gql.with_token(&access);
    let resp = me_app.query(START, json!({})).await;
    let secret = str_of(&resp["data"]["startTotpEnrollment"], "secret").to_owned();
    assert_ne!(secret, ann.secret);
    settle().await;
    assert_no_errors(&me_app.query(CONFIRM, json!({"c": code(&secret, -1)})).await);
    let c = challenge_of(&t.gql, &ann).await;
    for old in [code(&ann.secret, 0), ann.recovery[1].clone()] {
        let resp = complete(&t.gql, &c, &old).await;
        assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    }
    assert_no_errors(&complete(&t.gql, &c, &code(&secret, 0)).await);
}

#[tokio::test]
async fn a_password_reset_still_asks_for_the_second_factor() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let account_id = ann.user_id.parse().unwrap();
    let (token, _) = t
        .running
        .service
        .new_reset_token(account_id, &ann.email)
        .await
        .unwrap()
        .unwrap();
    let resp = t
        .gql
        .query(
            "mutation($t: String!) { resetPassword(input: {token: $t, newPassword: \"password-9\"}) { sessionsEnded auth { accessToken } } }",
            json!({"t": token}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
    let c = resp["errors"][0]["extensions"]["challengeId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The password did change, and the old sessions ended.
    let old = t
        .gql
        .with_token(&ann.access)
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(
        error_code(&old).as_deref(),
        Some("UNAUTHENTICATED"),
        "{old}"
    );
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_no_errors(&resp);
    let resp = t
        .gql
        .query(LOGIN, json!({"email": ann.email, "password": "password-9"}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
}

#[tokio::test]
async fn a_provider_sign_in_asks_for_the_second_factor_too() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "INSERT INTO oauth_identities (issuer, subject, account_id, provider, email)
         VALUES ('https://corp.test', 'c-1', $1::text::uuid, 'corp', 'ann@example.com')",
        &[&ann.user_id],
    )
    .await
    .unwrap();
    // The login code a provider sign-in would have brought back.
    let login_code = "L".repeat(43);
    sql.execute(
        "INSERT INTO oauth_login_codes
           (code_hash, provider, issuer, subject, email, email_verified, expires_at)
         VALUES (sha256(convert_to($1, 'UTF8')), 'corp', 'https://corp.test', 'c-1',
                 'ann@example.com', true, now() + interval '2 minutes')",
        &[&login_code],
    )
    .await
    .unwrap();
    let resp = t
        .gql
        .query(
            "mutation($c: String!) { exchangeOAuthCode(code: $c) { accessToken } }",
            json!({"c": login_code}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("MFA_REQUIRED"), "{resp}");
    let c = resp["errors"][0]["extensions"]["challengeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = complete(&t.gql, &c, &ann.recovery[0]).await;
    assert_no_errors(&resp);
    let access = str_of(&resp["data"]["completeLogin"], "accessToken");
    let events = t.gql.with_token(access).query(EVENTS, json!({})).await;
    let edges = events["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap();
    let newest: Vec<(&str, &str)> = edges[..4]
        .iter()
        .map(|e| {
            (
                e["node"]["kind"].as_str().unwrap(),
                e["node"]["provider"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        newest,
        [
            ("LOGGED_IN", "corp"),
            ("MFA_CHALLENGE_PASSED", "corp"),
            ("RECOVERY_CODE_USED", "corp"),
            ("MFA_CHALLENGE_ISSUED", "corp"),
        ]
    );
}

#[tokio::test]
async fn every_step_is_in_the_security_log() {
    let t = spawn_totp(|_| {}).await;
    let ann = enroll(&t, "ann@example.com").await;
    let c = challenge_of(&t.gql, &ann).await;
    let resp = complete(&t.gql, &c, "000000").await;
    assert_eq!(reason(&resp), Some("WRONG_CODE"), "{resp}");
    settle().await;
    let resp = complete(&t.gql, &c, &code(&ann.secret, 0)).await;
    assert_no_errors(&resp);
    let session = resp["data"]["completeLogin"]["sessionId"].clone();
    let access = str_of(&resp["data"]["completeLogin"], "accessToken").to_owned();
    let resp = t
        .gql
        .with_token(&access)
        .query(DISABLE, json!({"c": ann.recovery[0]}))
        .await;
    assert_no_errors(&resp);
    let events = t.gql.with_token(&access).query(EVENTS, json!({})).await;
    assert_eq!(
        kinds(&events),
        [
            "TOTP_DISABLED",
            "RECOVERY_CODE_USED",
            "LOGGED_IN",
            "MFA_CHALLENGE_PASSED",
            "MFA_CHALLENGE_FAILED",
            "MFA_CHALLENGE_ISSUED",
            "TOTP_ENABLED",
            "TOTP_ENROLLMENT_STARTED",
            "REGISTERED"
        ]
    );
    let edges = events["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges[2]["node"]["sessionId"], session);
    assert_eq!(edges[3]["node"]["sessionId"], session);
    assert_eq!(edges[5]["node"]["sessionId"], Value::Null);
}

#[tokio::test]
async fn a_provider_claiming_an_unconfirmed_account_removes_the_squatters_totp() {
    let t = spawn_totp(|c| {
        // Never fetched: the login code below is seeded, as a finished
        // provider sign-in leaves it.
        c.oauth.oauth_providers = Some(
            json!({"corp": {"issuer": "https://corp.test", "client_id": "app", "client_secret": "s"}})
                .to_string(),
        );
    })
    .await;
    // Someone registered Ann's address first and could not put TOTP on
    // it while it was unconfirmed…
    let early = register(&t.gql, "eve@example.com", PASSWORD).await;
    let resp = t
        .gql
        .with_token(str_of(&early, "accessToken"))
        .query(START, json!({}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(reason(&resp), Some("EMAIL_NOT_VERIFIED"), "{resp}");
    // …but an account of before that rule may hold TOTP unconfirmed.
    let squatter = enroll(&t, "ann@example.com").await;
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "UPDATE accounts SET email_verified = false WHERE email = 'ann@example.com'",
        &[],
    )
    .await
    .unwrap();
    let login_code = "C".repeat(43);
    sql.execute(
        "INSERT INTO oauth_login_codes
           (code_hash, provider, issuer, subject, email, email_verified, expires_at)
         VALUES (sha256(convert_to($1, 'UTF8')), 'corp', 'https://corp.test', 'ann',
                 'ann@example.com', true, now() + interval '2 minutes')",
        &[&login_code],
    )
    .await
    .unwrap();
    let resp = t
        .gql
        .query(
            "mutation($c: String!) { exchangeOAuthCode(code: $c) { accessToken userId } }",
            json!({"c": login_code}),
        )
        .await;
    assert_no_errors(&resp);
    let owner = &resp["data"]["exchangeOAuthCode"];
    assert_eq!(owner["userId"], squatter.user_id.as_str());
    assert_eq!(
        me(&t.gql, str_of(owner, "accessToken"), &squatter.user_id).await,
        json!({"totpEnabled": false, "recoveryCodesLeft": 0})
    );
    // The squatter's codes open nothing any more.
    let resp = t
        .gql
        .with_token(&squatter.access)
        .query(DISABLE, json!({"c": squatter.recovery[0]}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
}
