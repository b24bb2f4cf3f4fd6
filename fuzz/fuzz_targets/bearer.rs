//! The bearer parser of `crates/auth-client`: `Authorization` headers and
//! WebSocket `connection_init` payloads (any JSON a client sends).
#![no_main]

use auth_client::{bearer_token, parse_bearer, token_from_init_payload};
use libfuzzer_sys::fuzz_target;

/// What an accepted token must look like: non-empty and a single word of
/// visible ASCII (a JWT, never anything with spaces or control characters).
fn check_token(token: &str, input: &str) {
    assert!(!token.is_empty(), "{input:?}");
    assert!(
        token.bytes().all(|b| b.is_ascii_graphic()),
        "{input:?} gave token {token:?}"
    );
    assert!(input.contains(token));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = std::str::from_utf8(data) {
        if let Ok(token) = parse_bearer(value) {
            check_token(token, value);
            let (scheme, _) = value.trim().split_once(' ').unwrap_or_default();
            assert!(scheme.eq_ignore_ascii_case("bearer"), "{value:?}");
        }
        // The same text inside a connection_init payload.
        for payload in [
            serde_json::json!({ "authorization": value }),
            serde_json::json!({ "headers": { "Authorization": value } }),
        ] {
            match token_from_init_payload(&payload) {
                Some(Ok(token)) => assert_eq!(Ok(token.as_str()), parse_bearer(value)),
                Some(Err(())) => assert!(parse_bearer(value).is_err()),
                None => panic!("key not found in {payload}"),
            }
        }
    }
    // As a header value (any bytes HTTP allows).
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::AUTHORIZATION, value);
        match bearer_token(&headers) {
            Some(Ok(token)) => {
                let text = std::str::from_utf8(data).unwrap_or_default();
                check_token(token, text);
            }
            Some(Err(())) => {}
            None => panic!("header not found"),
        }
    }
    // Any JSON as a payload: never a panic; a token only from a string.
    if let Ok(payload) = serde_json::from_slice::<serde_json::Value>(data)
        && let Some(Ok(token)) = token_from_init_payload(&payload)
    {
        assert!(!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()));
    }
});
