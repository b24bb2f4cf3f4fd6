//! Access-token lifetime and leeway, and signing-key rotation with the real
//! `auth keys` CLI against a running service: old tokens stay valid until
//! their key is retired, the JWKS shows every key that verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::process::Command;
use std::time::Duration;

use crate::common::{login, register, spawn, spawn_with, str_of};
use auth::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grpc_api::auth::v1::ValidateTokenRequest;
use grpc_api::auth::v1::auth_client::AuthClient;
use serde_json::Value;

async fn validate(url: &str, token: &str) -> Result<(), String> {
    let channel = grpc_api::channel::connect(url, &grpc_api::ServiceToken::ephemeral())
        .await
        .unwrap();
    let mut client = AuthClient::new(channel);
    client
        .validate_token(ValidateTokenRequest {
            token: token.to_owned(),
        })
        .await
        .map(drop)
        .map_err(|status| status.message().to_owned())
}

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// Runs `auth keys <args>` against the database; returns stdout, or stderr on failure.
fn keys_cli(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_auth"))
        .arg("keys")
        .args(args)
        .env("DATABASE_URL", db_url)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(stderr)
    }
}

async fn jwks_kids(base: &str) -> Vec<String> {
    let jwks: Value = reqwest::get(format!("{base}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    kids.sort();
    kids
}

/// Waits (through the NOTIFY-driven reload) until the JWKS lists `expected`.
async fn wait_for_jwks(base: &str, mut expected: Vec<String>) {
    expected.sort();
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = jwks_kids(base).await;
        if seen == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("JWKS shows {seen:?}, expected {expected:?}");
}

#[tokio::test]
async fn rotation_keeps_old_tokens_valid_until_their_key_is_retired() {
    let t = spawn().await;
    let base = format!("http://{}", t.running.http_addr.unwrap());
    let grpc = t.running.grpc_url();
    let before = register(&t.gql, "k@example.com", "password-1").await;
    let old_token = str_of(&before, "accessToken").to_owned();
    let old_kid = kid_of(&old_token);
    assert_eq!(jwks_kids(&base).await, std::slice::from_ref(&old_kid));

    let new_kid = keys_cli(t.db.url(), &["rotate"], &[])
        .unwrap()
        .trim()
        .to_owned();
    assert_ne!(new_kid, old_kid);
    wait_for_jwks(&base, vec![old_kid.clone(), new_kid.clone()]).await;
    // The old token still verifies; new tokens are signed with the new key.
    validate(&grpc, &old_token).await.unwrap();
    let after = login(&t.gql, "k@example.com", "password-1").await;
    let new_token = str_of(&after, "accessToken").to_owned();
    assert_eq!(kid_of(&new_token), new_kid);
    validate(&grpc, &new_token).await.unwrap();

    let listed = keys_cli(t.db.url(), &["list"], &[]).unwrap();
    assert!(listed.contains(&format!("{new_kid}  created")), "{listed}");
    assert!(
        listed.lines().next().unwrap().ends_with("signing"),
        "{listed}"
    );
    assert!(
        listed.lines().nth(1).unwrap().ends_with("verifying"),
        "{listed}"
    );

    // Retiring sooner than tokens live is refused ...
    let err = keys_cli(t.db.url(), &["retire", "--older-than", "1s"], &[]).unwrap_err();
    assert!(
        err.contains("shorter than the access-token lifetime"),
        "{err}"
    );
    // ... and a key that stopped signing just now is not retired yet. (The
    // CLI is told tokens live 1 s, so the test need not wait 15 minutes.)
    let short = [("ACCESS_TOKEN_TTL_SECS", "1"), ("JWT_LEEWAY_SECS", "0")];
    let retired = keys_cli(t.db.url(), &["retire", "--older-than", "1h"], &short).unwrap();
    assert_eq!(retired.trim(), "");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let retired = keys_cli(t.db.url(), &["retire", "--older-than", "1s"], &short).unwrap();
    assert_eq!(retired.trim(), old_kid);
    wait_for_jwks(&base, vec![new_kid.clone()]).await;
    assert_eq!(
        validate(&grpc, &old_token).await.unwrap_err(),
        "UNKNOWN_KID"
    );
    let fresh = login(&t.gql, "k@example.com", "password-1").await;
    validate(&grpc, str_of(&fresh, "accessToken"))
        .await
        .unwrap();
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime_plus_leeway() {
    let strict = spawn_with(
        |c| {
            c.access_token_ttl_secs = 1;
            c.jwt_leeway_secs = 0;
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    let lenient = spawn_with(
        |c| {
            c.access_token_ttl_secs = 1;
            c.jwt_leeway_secs = 60;
        },
        Parts {
            worker: false,
            ..Parts::ALL
        },
    )
    .await;
    let a = register(&strict.gql, "s@example.com", "password-1").await;
    let b = register(&lenient.gql, "l@example.com", "password-1").await;
    let expires = chrono::DateTime::parse_from_rfc3339(str_of(&a, "expiresAt")).unwrap();
    let issued_for = expires.timestamp() - chrono::Utc::now().timestamp();
    assert!(issued_for <= 1, "lifetime {issued_for}s");
    validate(&strict.running.grpc_url(), str_of(&a, "accessToken"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        validate(&strict.running.grpc_url(), str_of(&a, "accessToken"))
            .await
            .unwrap_err(),
        "EXPIRED"
    );
    // Within the leeway the same age is still accepted.
    validate(&lenient.running.grpc_url(), str_of(&b, "accessToken"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_default_lifetime_is_fifteen_minutes() {
    let t = spawn().await;
    let auth = register(&t.gql, "d@example.com", "password-1").await;
    let expires = chrono::DateTime::parse_from_rfc3339(str_of(&auth, "expiresAt")).unwrap();
    let lifetime = expires.timestamp() - chrono::Utc::now().timestamp();
    assert!((895..=900).contains(&lifetime), "{lifetime}");
}
