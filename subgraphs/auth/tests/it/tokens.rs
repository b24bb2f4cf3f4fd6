//! ValidateToken over real gRPC: what it accepts and everything it refuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{register, spawn, str_of};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::time::Duration;

use grpc_api::auth::v1::auth_client::AuthClient;
use grpc_api::auth::v1::{ValidateTokenRequest, WatchRevocationsRequest};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

async fn validate(
    url: &str,
    token: &str,
) -> Result<grpc_api::auth::v1::ValidateTokenResponse, String> {
    let channel = grpc_api::channel::connect(url, &grpc_api::ServiceToken::ephemeral())
        .await
        .expect("gRPC connects");
    let mut client = AuthClient::new(channel);
    match client
        .validate_token(ValidateTokenRequest {
            token: token.to_owned(),
        })
        .await
    {
        Ok(resp) => Ok(resp.into_inner()),
        Err(status) => {
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{status:?}");
            Err(status.message().to_owned())
        }
    }
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

fn decode_segment(segment: &str) -> serde_json::Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

fn encode_segment(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn a_valid_token_is_accepted() {
    let t = spawn().await;
    let auth = register(&t.gql, "valid@example.com", "password-1").await;
    let resp = validate(&t.running.grpc_url(), str_of(&auth, "accessToken"))
        .await
        .unwrap();
    assert_eq!(resp.user_id, str_of(&auth, "userId"));
    assert_eq!(resp.session_id, str_of(&auth, "sessionId"));
    assert!(resp.expires_at > chrono::Utc::now().timestamp());
}

/// auth's gRPC port answers only our services: ValidateToken without the
/// services' credential, or with one that is one byte off, is refused
/// before the token is even looked at.
#[tokio::test]
async fn validate_token_needs_the_service_credential() {
    let t = spawn().await;
    let auth = register(&t.gql, "probe@example.com", "password-1").await;
    let channel = grpc_api::channel::endpoint(&t.running.grpc_url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut stranger = AuthClient::new(channel);
    let right = grpc_api::ServiceToken::ephemeral().expose().to_owned();
    let mut wrong = right.clone();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    for credential in [None, Some(wrong)] {
        let mut request = tonic::Request::new(ValidateTokenRequest {
            token: str_of(&auth, "accessToken").to_owned(),
        });
        if let Some(credential) = credential {
            request
                .metadata_mut()
                .insert("x-service-token", credential.parse().unwrap());
        }
        let status = stranger.validate_token(request).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert!(
            status.message().contains("service credential"),
            "{status:?}"
        );
    }
    // With the credential (what `validate` sends), the same call works.
    validate(&t.running.grpc_url(), str_of(&auth, "accessToken"))
        .await
        .unwrap();
}

#[tokio::test]
async fn forged_and_stale_tokens_are_refused() {
    let t = spawn().await;
    let url = t.running.grpc_url();
    let auth = register(&t.gql, "target@example.com", "password-1").await;
    let token = str_of(&auth, "accessToken").to_owned();
    let parts = segments(&token);
    let header = decode_segment(&parts[0]);
    let claims = decode_segment(&parts[1]);
    let kid = header["kid"].as_str().unwrap().to_owned();
    let keys = t.running.service.keys.current();

    // alg=none, no signature.
    let none = format!(
        "{}.{}.",
        encode_segment(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    assert_eq!(validate(&url, &none).await.unwrap_err(), "MALFORMED");

    // HS256 "signed" with the public key as the HMAC secret (key confusion).
    let jwks = keys.jwks.clone();
    let x = jwks["keys"][0]["x"].as_str().unwrap();
    for secret in [URL_SAFE_NO_PAD.decode(x).unwrap(), x.as_bytes().to_vec()] {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&secret)).unwrap();
        assert_eq!(
            validate(&url, &forged).await.unwrap_err(),
            "UNSUPPORTED_ALGORITHM"
        );
    }

    // Tampered payload, original signature.
    let mut other = claims.clone();
    other["sub"] = json!(uuid::Uuid::new_v4());
    let tampered = format!("{}.{}.{}", parts[0], encode_segment(&other), parts[2]);
    assert_eq!(
        validate(&url, &tampered).await.unwrap_err(),
        "BAD_SIGNATURE"
    );

    // Signed by a key the service does not know.
    let stranger = auth::keys::generate().unwrap();
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some("not-a-known-kid".into());
    let unknown = jsonwebtoken::encode(
        &h,
        &claims,
        &EncodingKey::from_ed_der(&stranger.private_der),
    )
    .unwrap();
    assert_eq!(validate(&url, &unknown).await.unwrap_err(), "UNKNOWN_KID");
    // ... or claiming the real kid.
    h.kid = Some(kid.clone());
    let wrong_key = jsonwebtoken::encode(
        &h,
        &claims,
        &EncodingKey::from_ed_der(&stranger.private_der),
    )
    .unwrap();
    assert_eq!(
        validate(&url, &wrong_key).await.unwrap_err(),
        "BAD_SIGNATURE"
    );

    // Properly signed, but expired / for someone else / from someone else.
    let sign = |claims: &serde_json::Value| {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some(kid.clone());
        jsonwebtoken::encode(&h, claims, &keys.encoding).unwrap()
    };
    let mut expired = claims.clone();
    expired["iat"] = json!(chrono::Utc::now().timestamp() - 7200);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    assert_eq!(
        validate(&url, &sign(&expired)).await.unwrap_err(),
        "EXPIRED"
    );
    let mut audience = claims.clone();
    audience["aud"] = json!("another-product");
    assert_eq!(
        validate(&url, &sign(&audience)).await.unwrap_err(),
        "WRONG_AUDIENCE"
    );
    let mut issuer = claims.clone();
    issuer["iss"] = json!("someone-else");
    assert_eq!(
        validate(&url, &sign(&issuer)).await.unwrap_err(),
        "WRONG_ISSUER"
    );
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        validate(&url, &sign(&no_exp)).await.unwrap_err(),
        "MALFORMED"
    );

    // Garbage.
    for junk in ["", "a.b.c", "not a token", &"x".repeat(100_000)] {
        assert_eq!(
            validate(&url, junk).await.unwrap_err(),
            "MALFORMED",
            "{}",
            &junk[..junk.len().min(20)]
        );
    }

    // And the original still works.
    validate(&url, &token).await.unwrap();
}

#[tokio::test]
async fn a_revoked_session_is_refused_on_the_next_call() {
    let t = spawn().await;
    let url = t.running.grpc_url();
    let auth = register(&t.gql, "revoked@example.com", "password-1").await;
    let token = str_of(&auth, "accessToken");
    validate(&url, token).await.unwrap();
    let resp = t
        .gql
        .with_token(token)
        .query("mutation { logout { sessionId } }", json!({}))
        .await;
    testkit::assert_no_errors(&resp);
    assert_eq!(validate(&url, token).await.unwrap_err(), "SESSION_REVOKED");
}

/// `WatchRevocations` is a server stream that lives as long as the
/// process: the channel's request timeout (`grpc_api::channel`) bounds only
/// the wait for its headers, so a stream open for longer than that still
/// carries the next sign-out (on the same stream: this client never
/// reconnects).
#[tokio::test]
async fn the_revocation_stream_outlives_the_request_timeout() {
    let t = spawn().await;
    let auth = register(&t.gql, "watcher@example.com", "password-1").await;
    let channel =
        grpc_api::channel::connect(&t.running.grpc_url(), &grpc_api::ServiceToken::ephemeral())
            .await
            .unwrap();
    let mut stream = AuthClient::new(channel)
        .watch_revocations(WatchRevocationsRequest {})
        .await
        .unwrap()
        .into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert!(first.resync, "{first:?}");

    tokio::time::sleep(grpc_api::channel::REQUEST_TIMEOUT + Duration::from_secs(1)).await;
    let resp = t
        .gql
        .with_token(str_of(&auth, "accessToken"))
        .query("mutation { logout { sessionId } }", json!({}))
        .await;
    testkit::assert_no_errors(&resp);
    let session = str_of(&auth, "sessionId").to_owned();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("the sign-out arrives")
            .expect("the stream is still open")
            .expect("the stream did not end");
        if event.session_ids.contains(&session) {
            break;
        }
    }
}

#[tokio::test]
async fn revocations_reach_other_replicas_through_notify() {
    // Two auth processes on one database: a logout on one is seen by the other.
    let a = spawn().await;
    let mut config = auth::Config::defaults();
    config.service.database_url = a.db.url().to_owned();
    config.service.db_pool_size = 2;
    config.users_grpc_url = "http://127.0.0.1:9".into();
    let b = auth::start(
        &config,
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await
    .unwrap();
    let auth = register(&a.gql, "replicas@example.com", "password-1").await;
    let token = str_of(&auth, "accessToken");
    validate(&b.grpc_url(), token).await.unwrap();
    testkit::assert_no_errors(
        &a.gql
            .with_token(token)
            .query("mutation { logout { sessionId } }", json!({}))
            .await,
    );
    let mut refused = false;
    for _ in 0..50 {
        if validate(&b.grpc_url(), token).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refused, "replica b never learned of the revocation");
    b.stop().await;
}
