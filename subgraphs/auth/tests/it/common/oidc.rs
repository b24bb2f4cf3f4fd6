//! A small but real OpenID Connect provider on 127.0.0.1, for tests: the
//! provider side of the protocol, which the product does not have.
//!
//! It serves discovery (under a Keycloak-like issuer path), a JWKS with RSA
//! keys, `/authorize` (signs in [`TestProvider::sign_in_as`]'s user at once
//! and redirects back with a code, or with an error), `/token` (checks the
//! client secret, the redirect URI and PKCE S256, spends the code once,
//! answers with an RS256 ID token signed by `jsonwebtoken`) and `/userinfo`.
//! [`Behaviour`] makes it misbehave in the ways a relying party must catch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::sync::oneshot;

pub const CLIENT_ID: &str = "messenger-test-client";
pub const CLIENT_SECRET: &str = "messenger-test-secret";
/// Issuers with a path, as Keycloak's: discovery must be found under it.
const REALM: &str = "/realms/test";

const KEY_1: &str = include_str!("oidc_keys/rsa-1.pem");
const KEY_2: &str = include_str!("oidc_keys/rsa-2.pem");

/// The user `/authorize` signs in.
#[derive(Debug, Clone)]
pub struct User {
    pub subject: String,
    pub email: Option<String>,
    /// `None`: the claim is left out.
    pub email_verified: Option<bool>,
}

impl User {
    pub fn verified(subject: &str, email: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            email: Some(email.to_owned()),
            email_verified: Some(true),
        }
    }

    pub fn unverified(subject: &str, email: &str) -> Self {
        Self {
            email_verified: Some(false),
            ..Self::verified(subject, email)
        }
    }
}

/// How the provider behaves from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behaviour {
    #[default]
    Normal,
    /// The user says no: back with `error=access_denied`.
    DenyConsent,
    /// Back with `error=server_error`.
    AuthorizeError,
    /// The ID token's nonce is not the one sent.
    WrongNonce,
    /// The ID token has no nonce.
    NoNonce,
    /// The ID token is for another client.
    WrongAudience,
    /// The ID token names another issuer.
    WrongIssuer,
    /// The ID token expired an hour ago.
    Expired,
    /// Signed by a key that is not the one its `kid` names.
    BadSignature,
    /// Signed by a key the JWKS does not have.
    UnknownKey,
    /// The token endpoint fails with 500.
    TokenEndpointFails,
    /// The ID token has no email claims; `/userinfo` has them.
    EmailOnlyInUserinfo,
    /// The callback says it comes from another issuer (RFC 9207 `iss`).
    WrongIssParameter,
}

/// What `/authorize` was asked (for assertions on the request).
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub params: HashMap<String, String>,
}

struct Grant {
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    user: User,
}

struct Key {
    kid: String,
    encoding: EncodingKey,
    jwk: Jwk,
}

fn key(pem: &str, kid: &str) -> Key {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body).unwrap();
    let encoding = EncodingKey::from_rsa_der(&der);
    let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
    Key {
        kid: kid.to_owned(),
        encoding,
        jwk,
    }
}

struct Shared {
    issuer: String,
    user: Mutex<User>,
    behaviour: Mutex<Behaviour>,
    grants: Mutex<HashMap<String, Grant>>,
    access_tokens: Mutex<HashMap<String, User>>,
    authorize_requests: Mutex<Vec<AuthorizeRequest>>,
    /// Signs with the first; the JWKS publishes the first `published`.
    keys: Mutex<Vec<Key>>,
    published: AtomicUsize,
    discovery_fetches: AtomicUsize,
    jwks_fetches: AtomicUsize,
    token_requests: AtomicUsize,
}

/// A running provider; stopped when dropped.
pub struct TestProvider {
    pub issuer: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestProvider {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let issuer = format!("http://{addr}{REALM}");
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            user: Mutex::new(User::verified("subject-1", "user@example.com")),
            behaviour: Mutex::new(Behaviour::Normal),
            grants: Mutex::new(HashMap::new()),
            access_tokens: Mutex::new(HashMap::new()),
            authorize_requests: Mutex::new(Vec::new()),
            keys: Mutex::new(vec![key(KEY_1, "key-1"), key(KEY_2, "key-2")]),
            published: AtomicUsize::new(1),
            discovery_fetches: AtomicUsize::new(0),
            jwks_fetches: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
        });
        let routes = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo));
        let app = Router::new().nest(REALM, routes).with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            issuer,
            shared,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// This provider's entry in `OAUTH_PROVIDERS`.
    pub fn settings(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })
    }

    /// The user the next sign-ins are for.
    pub fn sign_in_as(&self, user: User) {
        *self.shared.user.lock().unwrap() = user;
    }

    pub fn behave(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    /// Signs with the second key from now on and publishes only it.
    pub fn rotate_keys(&self) {
        self.shared.keys.lock().unwrap().swap(0, 1);
    }

    pub fn authorize_requests(&self) -> Vec<AuthorizeRequest> {
        self.shared.authorize_requests.lock().unwrap().clone()
    }

    pub fn discovery_fetches(&self) -> usize {
        self.shared.discovery_fetches.load(Ordering::SeqCst)
    }

    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Stops serving (its port refuses connections afterwards).
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.discovery_fetches.fetch_add(1, Ordering::SeqCst);
    let iss = &s.issuer;
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified"],
    }))
}

async fn jwks(State(s): State<Arc<Shared>>) -> Json<JwkSet> {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let keys = s.keys.lock().unwrap();
    let published = s.published.load(Ordering::SeqCst);
    Json(JwkSet {
        keys: keys.iter().take(published).map(|k| k.jwk.clone()).collect(),
    })
}

fn random() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(base).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

async fn authorize(
    State(s): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    s.authorize_requests.lock().unwrap().push(AuthorizeRequest {
        params: params.clone(),
    });
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    if param("client_id") != CLIENT_ID
        || param("response_type") != "code"
        || param("code_challenge_method") != "S256"
        || param("code_challenge").is_empty()
        || !param("scope").split(' ').any(|s| s == "openid")
        || param("redirect_uri").is_empty()
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let redirect_uri = param("redirect_uri");
    let state = param("state");
    let behaviour = *s.behaviour.lock().unwrap();
    let iss = if behaviour == Behaviour::WrongIssParameter {
        "https://evil.example.com".to_owned()
    } else {
        s.issuer.clone()
    };
    let back = match behaviour {
        Behaviour::DenyConsent => with_query(
            &redirect_uri,
            &[("error", "access_denied"), ("state", &state), ("iss", &iss)],
        ),
        Behaviour::AuthorizeError => with_query(
            &redirect_uri,
            &[("error", "server_error"), ("state", &state), ("iss", &iss)],
        ),
        _ => {
            let code = random();
            s.grants.lock().unwrap().insert(
                code.clone(),
                Grant {
                    redirect_uri: redirect_uri.clone(),
                    code_challenge: param("code_challenge"),
                    nonce: params.get("nonce").cloned(),
                    user: s.user.lock().unwrap().clone(),
                },
            );
            with_query(
                &redirect_uri,
                &[("code", &code), ("state", &state), ("iss", &iss)],
            )
        }
    };
    // Providers answer with 302 Found.
    let mut response = Redirect::to(&back).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// client_secret_basic (form-urlencoded id and secret, RFC 6749 2.3.1) or
/// client_secret_post.
fn client_authenticated(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = STANDARD.decode(basic).unwrap_or_default();
        let decoded = String::from_utf8(decoded).unwrap_or_default();
        return decoded == format!("{CLIENT_ID}:{CLIENT_SECRET}");
    }
    form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
}

async fn token(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    s.token_requests.fetch_add(1, Ordering::SeqCst);
    let behaviour = *s.behaviour.lock().unwrap();
    if behaviour == Behaviour::TokenEndpointFails {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the database is on fire").into_response();
    }
    if !client_authenticated(&headers, &form) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    if field("grant_type") != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // Spent on first presentation, right or wrong.
    let Some(grant) = s.grants.lock().unwrap().remove(&field("code")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
    if grant.redirect_uri != field("redirect_uri") || grant.code_challenge != challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }

    let now = chrono::Utc::now().timestamp();
    let user = grant.user;
    let mut claims = json!({
        "iss": s.issuer,
        "sub": user.subject,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
    });
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    if behaviour != Behaviour::EmailOnlyInUserinfo {
        if let Some(email) = &user.email {
            claims["email"] = json!(email);
        }
        if let Some(verified) = user.email_verified {
            claims["email_verified"] = json!(verified);
        }
    }
    match behaviour {
        Behaviour::WrongNonce => claims["nonce"] = json!("not-the-nonce-you-sent"),
        Behaviour::NoNonce => {
            claims.as_object_mut().unwrap().remove("nonce");
        }
        Behaviour::WrongAudience => claims["aud"] = json!("some-other-client"),
        Behaviour::WrongIssuer => claims["iss"] = json!("https://evil.example.com"),
        Behaviour::Expired => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        _ => {}
    }
    let id_token = {
        let keys = s.keys.lock().unwrap();
        let (signing, kid) = match behaviour {
            // Key 2's signature under key 1's name.
            Behaviour::BadSignature => (&keys[1], keys[0].kid.clone()),
            Behaviour::UnknownKey => (&keys[1], "never-published".to_owned()),
            _ => (&keys[0], keys[0].kid.clone()),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid);
        jsonwebtoken::encode(&header, &claims, &signing.encoding).unwrap()
    };
    let access_token = random();
    s.access_tokens
        .lock()
        .unwrap()
        .insert(access_token.clone(), user);
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        })),
    )
        .into_response()
}

async fn userinfo(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(user) = s.access_tokens.lock().unwrap().get(token).cloned() else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token");
    };
    let mut info = json!({ "sub": user.subject });
    if let Some(email) = user.email {
        info["email"] = json!(email);
    }
    if let Some(verified) = user.email_verified {
        info["email_verified"] = json!(verified);
    }
    Json(info).into_response()
}
