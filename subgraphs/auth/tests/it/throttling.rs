//! Throttling of sign-in, registration and refresh, over real HTTP against
//! a real database, with small windows (waits are for the limit to pass,
//! never assertions on speed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::Duration;

use crate::common::{LOGIN, REFRESH, REGISTER, register, spawn_with, str_of};
use auth::Parts;
use ratelimit::Rate;
use serde_json::{Value, json};
use testkit::{GraphqlClient, assert_no_errors, error_code};

const NO_WORKER: Parts = Parts {
    worker: false,
    ..Parts::ALL
};

fn rate(max: u32, secs: u64) -> Rate {
    Rate::new(max, Duration::from_secs(secs))
}

fn retry_after(resp: &Value) -> u64 {
    resp.pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no retryAfter in {resp}"))
}

async fn login(gql: &GraphqlClient, email: &str, password: &str) -> Value {
    gql.query(LOGIN, json!({"email": email, "password": password}))
        .await
}

#[tokio::test]
async fn a_locked_out_account_refuses_even_the_right_password_until_the_wait_ends() {
    let t = spawn_with(
        |c| {
            // A burst of 3, then one a minute: a slow machine cannot refill it
            // between the attempts; the test moves the clock instead of waiting.
            c.security.login_rate_per_account = rate(3, 180);
            c.security.login_rate_per_ip = Rate::OFF;
        },
        NO_WORKER,
    )
    .await;
    register(&t.gql, "victim@example.com", "right password").await;
    for _ in 0..3 {
        let resp = login(&t.gql, "victim@example.com", "wrong password").await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    // Locked: the right password fails too, and says when to come back.
    let resp = login(&t.gql, "Victim@Example.com", "right password").await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = retry_after(&resp);
    assert!((1..=60).contains(&wait), "{resp}");
    // Other accounts are not affected.
    register(&t.gql, "bystander@example.com", "right password").await;
    assert_no_errors(&login(&t.gql, "bystander@example.com", "right password").await);
    // Unknown emails are counted alike (nothing tells them apart).
    for _ in 0..3 {
        login(&t.gql, "nobody@example.com", "whatever1").await;
    }
    let resp = login(&t.gql, "nobody@example.com", "whatever1").await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");

    // The wait passes (the buckets' clock moved back by it, as time would).
    testkit::connect_pg(t.db.url())
        .await
        .batch_execute(&format!(
            "UPDATE rate_limits SET tat = tat - interval '{} seconds'",
            wait + 1
        ))
        .await
        .unwrap();
    assert_no_errors(&login(&t.gql, "victim@example.com", "right password").await);
}

#[tokio::test]
async fn sign_ins_from_one_address_are_limited_and_only_a_trusted_proxy_may_say_otherwise() {
    let t = spawn_with(
        |c| {
            c.security.login_rate_per_account = Rate::OFF;
            c.security.login_rate_per_ip = rate(3, 60);
            c.service.http.trusted_proxies = Some("127.0.0.1".parse().unwrap());
        },
        NO_WORKER,
    )
    .await;
    register(&t.gql, "a@example.com", "password-1").await;
    let client = t.gql.with_header("x-forwarded-for", "198.51.100.7");
    for i in 0..3 {
        login(&client, &format!("guess{i}@example.com"), "password-1").await;
    }
    let resp = login(&client, "a@example.com", "password-1").await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    assert!(retry_after(&resp) >= 1, "{resp}");
    // Another client behind the same (trusted) proxy is not affected.
    let other = t.gql.with_header("x-forwarded-for", "198.51.100.8");
    assert_no_errors(&login(&other, "a@example.com", "password-1").await);
    // A forged header in front of the proxy's entry changes nothing.
    let forged = t
        .gql
        .with_header("x-forwarded-for", "203.0.113.1, 198.51.100.7");
    let resp = login(&forged, "a@example.com", "password-1").await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
}

#[tokio::test]
async fn untrusted_peers_cannot_pick_their_address() {
    let t = spawn_with(
        |c| {
            c.security.register_rate_per_ip = rate(2, 3600);
        },
        NO_WORKER,
    )
    .await;
    register(&t.gql, "one@example.com", "password-1").await;
    register(&t.gql, "two@example.com", "password-1").await;
    // No trusted proxies: X-Forwarded-For is ignored.
    let spoofing = t.gql.with_header("x-forwarded-for", "198.51.100.99");
    let resp = spoofing
        .query(
            REGISTER,
            json!({"email": "three@example.com", "password": "password-1"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    assert!(retry_after(&resp) > 60, "{resp}");
    // Nothing was created: the address is still free later.
    let client = testkit::connect_pg(t.db.url()).await;
    let row = client
        .query_one(
            "SELECT count(*) FROM accounts WHERE email = 'three@example.com'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 0);
}

#[tokio::test]
async fn refreshes_per_session_are_limited_and_a_refused_token_stays_valid() {
    let t = spawn_with(
        |c| c.security.refresh_rate_per_session = rate(2, 2),
        NO_WORKER,
    )
    .await;
    let auth = register(&t.gql, "r@example.com", "password-1").await;
    let other = register(&t.gql, "s@example.com", "password-1").await;
    let mut token = str_of(&auth, "refreshToken").to_owned();
    for _ in 0..2 {
        let resp = t.gql.query(REFRESH, json!({"t": token})).await;
        assert_no_errors(&resp);
        token = str_of(&resp["data"]["refresh"], "refreshToken").to_owned();
    }
    let resp = t.gql.query(REFRESH, json!({"t": token})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = retry_after(&resp);
    // Another session refreshes freely.
    assert_no_errors(
        &t.gql
            .query(REFRESH, json!({"t": str_of(&other, "refreshToken")}))
            .await,
    );
    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    // The refused token was not spent: it still works, and is not "reused".
    let resp = t.gql.query(REFRESH, json!({"t": token})).await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn the_limit_holds_across_replicas() {
    let a = spawn_with(
        |c| {
            c.security.login_rate_per_account = rate(4, 60);
            c.security.login_rate_per_ip = Rate::OFF;
        },
        NO_WORKER,
    )
    .await;
    let mut config = auth::Config::defaults();
    config.service.database_url = a.db.url().to_owned();
    config.service.db_pool_size = 2;
    config.hash_concurrency = 2;
    config.users_grpc_url = "http://127.0.0.1:9".into();
    config.security.login_rate_per_account = rate(4, 60);
    config.security.login_rate_per_ip = Rate::OFF;
    let b = auth::start(&config, NO_WORKER).await.unwrap();
    let b_gql = GraphqlClient::new(b.graphql_url());
    register(&a.gql, "shared@example.com", "password-1").await;

    let attempts = (0..8).map(|i| {
        let gql = if i % 2 == 0 {
            a.gql.clone()
        } else {
            b_gql.clone()
        };
        async move { login(&gql, "shared@example.com", "wrong-password").await }
    });
    let answers = futures_join(attempts).await;
    let limited = answers
        .iter()
        .filter(|r| error_code(r).as_deref() == Some("RATE_LIMITED"))
        .count();
    assert_eq!(limited, 4, "{answers:?}");
    b.stop().await;
}

async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<Value>
where
    F: Future<Output = Value> + Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

const LOGIN_FROM_DEVICE: &str = "mutation($email: String!, $password: String!, $device: String) {
  login(input: {email: $email, password: $password, deviceToken: $device}) { userId deviceToken }
}";

async fn login_from(
    gql: &GraphqlClient,
    email: &str,
    password: &str,
    device: Option<&str>,
) -> Value {
    gql.query(
        LOGIN_FROM_DEVICE,
        json!({"email": email, "password": password, "device": device}),
    )
    .await
}

/// Issue 17: a stranger who keeps guessing someone's password locks the
/// account; the owner's devices (the `deviceToken` an earlier sign-in
/// returned: OWASP "device cookies") are counted per device instead, so the
/// owner still signs in. Without a device credential, or with a forged one
/// or another account's, the lockout holds; a device that guesses too
/// often locks itself.
#[tokio::test]
async fn strangers_cannot_lock_out_a_device_the_owner_signed_in_on() {
    let t = spawn_with(
        |c| {
            c.security.login_rate_per_account = rate(3, 60);
            c.security.login_rate_per_device = rate(3, 60);
            c.security.login_rate_per_ip = Rate::OFF;
        },
        NO_WORKER,
    )
    .await;
    let owner = register(&t.gql, "owner@example.com", "owners password").await;
    register(&t.gql, "other@example.com", "others password").await;
    let signed_in = login_from(&t.gql, "owner@example.com", "owners password", None).await;
    assert_no_errors(&signed_in);
    let device = str_of(&signed_in["data"]["login"], "deviceToken").to_owned();
    assert_eq!(device.len(), 43);
    let others = login_from(&t.gql, "other@example.com", "others password", None).await;
    let others_device = str_of(&others["data"]["login"], "deviceToken").to_owned();

    // The attacker saturates the account's limit.
    let mut refused = false;
    for _ in 0..5 {
        let resp = login(&t.gql, "owner@example.com", "a wrong guess").await;
        if error_code(&resp).as_deref() == Some("RATE_LIMITED") {
            refused = true;
            break;
        }
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    assert!(refused, "the account's limit holds for strangers");

    // Without the device credential, or with one that is not this
    // account's, the right password is refused as before.
    let forged = format!(
        "{}{}",
        if device.starts_with('A') { 'B' } else { 'A' },
        &device[1..]
    );
    for presented in [
        None,
        Some(forged.as_str()),
        Some(others_device.as_str()),
        Some("junk"),
    ] {
        let resp = login_from(&t.gql, "owner@example.com", "owners password", presented).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("RATE_LIMITED"),
            "{presented:?}: {resp}"
        );
    }

    // The owner's device gets in, and keeps its credential.
    let resp = login_from(
        &t.gql,
        "Owner@Example.com",
        "owners password",
        Some(&device),
    )
    .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["login"]["userId"], owner["userId"]);
    assert_eq!(resp["data"]["login"]["deviceToken"], device.as_str());

    // A device that guesses too often is locked itself.
    let mut locked = false;
    for _ in 0..5 {
        let resp = login_from(&t.gql, "owner@example.com", "a wrong guess", Some(&device)).await;
        if error_code(&resp).as_deref() == Some("RATE_LIMITED") {
            locked = true;
            break;
        }
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    assert!(locked, "the device's limit holds");
    let resp = login_from(
        &t.gql,
        "owner@example.com",
        "owners password",
        Some(&device),
    )
    .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    // Only hashes are kept.
    let db = testkit::connect_pg(t.db.url()).await;
    let stored: i64 = db
        .query_one(
            "SELECT count(*) FROM device_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
            &[&device],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
}
