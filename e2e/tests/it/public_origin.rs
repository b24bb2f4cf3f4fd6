//! One public origin: everything a browser does goes to the router's port.
//! The services' `PUBLIC_URL` is the router's URL (as `cargo xtask up` and
//! compose.yml set it), so the links in emails, the provider's callback and
//! the avatar URLs point at the router, which forwards them to their
//! service. Any other path is 404, and no route reaches a service's own
//! `/graphql`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use auth::config::EmailVerification;
use e2e::System;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};
use url::Url;

use crate::oidc_provider::{Account, Browser, Consent, OidcProvider};
use crate::smtp::SmtpServer;

const PASSWORD: &str = "correct horse";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_email_confirmation_link_is_followed_through_the_router() {
    let smtp = SmtpServer::start().await;
    let smtp_url = smtp.url();
    let system = System::start_adjusted(
        move |c| {
            c.email.email_verification = EmailVerification::Required;
            c.email.smtp_url = Some(smtp_url);
            c.service.outbox.outbox_poll_interval_ms = 100;
        },
        |_| {},
    )
    .await;
    let gql = system.client();
    let base = system.router.base_url();

    let resp = gql
        .query(
            "mutation($email: String!, $password: String!) {
               register(input: {email: $email, password: $password}) { emailVerificationRequired }
             }",
            json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["register"]["emailVerificationRequired"], true);
    let login = || {
        gql.query(
            "mutation($email: String!, $password: String!) {
               login(input: {email: $email, password: $password}) { accessToken }
             }",
            json!({"email": "ann@example.com", "password": PASSWORD}),
        )
    };
    assert_eq!(
        error_code(&login().await).as_deref(),
        Some("EMAIL_NOT_VERIFIED")
    );

    let mail = smtp.wait_for(1, Duration::from_secs(30)).await[0].mail();
    let link = mail.verify_link().expect("a link in the email");
    assert!(
        link.starts_with(&format!("{base}/verify-email?token=")),
        "the link is on the router's origin: {link}"
    );

    // A HEAD (mail scanners) does not spend it; the browser's GET does.
    let head = http().head(&link).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let resp = http().get(&link).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.contains_key("content-security-policy"));
    assert!(headers.contains_key("x-request-id"));
    let page = resp.text().await.unwrap();
    assert!(page.contains("Email address confirmed"), "{page}");
    // Spent: auth's 410 comes back as it is.
    let again = http().get(&link).send().await.unwrap();
    assert_eq!(again.status(), 410);

    assert_no_errors(&login().await);
}

/// A JPEG of `side`² pixels of noise (which compresses badly): big enough
/// to travel in many chunks.
fn noise(side: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn avatars_are_uploaded_and_downloaded_through_the_router() {
    let dir = TempDir(std::env::temp_dir().join(format!("e2e-avatars-{}", e2e::free_port())));
    let avatar_dir = dir.0.clone();
    let system = System::start_adjusted(|_| {}, move |c| c.avatars.avatar_dir = avatar_dir).await;
    let base = system.router.base_url();
    let ann = system.user("ann").await;
    let bytes = noise(600);
    assert!(bytes.len() > 200_000, "{}", bytes.len());

    let resp = ann
        .gql
        .query(
            "mutation($size: Int!) {
               requestAvatarUpload(input: {contentType: \"image/jpeg\", size: $size}) {
                 upload { uploadUrl }
               }
             }",
            json!({"size": bytes.len()}),
        )
        .await;
    assert_no_errors(&resp);
    let upload_url = resp["data"]["requestAvatarUpload"]["upload"]["uploadUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        upload_url.starts_with(&format!("{base}/avatar-uploads/")),
        "{upload_url}"
    );

    // A browser app on another origin asks first; users answers.
    let preflight = http()
        .request(reqwest::Method::OPTIONS, &upload_url)
        .header("origin", "https://app.example.test")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert_eq!(preflight.headers()["access-control-allow-methods"], "PUT");

    // The body streams through in small chunks, with no length announced.
    let (status, head, body) = raw_put(
        &upload_url,
        &[
            ("authorization", &format!("Bearer {}", ann.access_token)),
            ("content-type", "image/jpeg"),
        ],
        RawBody::Chunked(&bytes),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let avatar_url = answer["avatarUrl"].as_str().unwrap().to_owned();
    assert!(
        avatar_url.starts_with(&format!("{base}/avatars/")),
        "{answer}"
    );

    // The picture through the router is the one users stores, byte for
    // byte, with its type and caching.
    let direct_url = avatar_url.replacen(
        &base,
        &format!("http://{}", system.stack().users().http_addr.unwrap()),
        1,
    );
    let direct = http().get(&direct_url).send().await.unwrap();
    assert_eq!(direct.status(), 200);
    let direct_type = direct.headers()["content-type"].clone();
    let direct_bytes = direct.bytes().await.unwrap();

    let resp = http().get(&avatar_url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], direct_type);
    assert!(
        direct_type.to_str().unwrap().starts_with("image/"),
        "{direct_type:?}"
    );
    assert_eq!(
        headers["content-length"].to_str().unwrap(),
        direct_bytes.len().to_string()
    );
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let mut resp = resp;
    let mut received = Vec::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        received.extend_from_slice(&chunk);
    }
    assert_eq!(received, direct_bytes);

    // Revalidation answers 304 without a body.
    let etag = headers["etag"].clone();
    let resp = http()
        .get(&avatar_url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
    assert!(resp.bytes().await.unwrap().is_empty());

    // An upload larger than users ever takes is refused by the router
    // as soon as its length is announced, before any of it is read.
    let (status, _, body) = raw_put(
        &upload_url,
        &[("content-type", "image/jpeg")],
        RawBody::Announced(6 * 1024 * 1024),
    )
    .await;
    assert_eq!(status, 413, "{body}");
}

/// A directory removed when the test ends, however it ends.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A request body for [`raw_put`].
enum RawBody<'a> {
    /// In chunks of 16 KiB (`Transfer-Encoding: chunked`, no length
    /// announced).
    Chunked(&'a [u8]),
    /// Only a `Content-Length` of this value; no body is sent.
    Announced(u64),
}

/// A PUT over a plain TCP connection; status, response head (names
/// lower-cased, as the router writes them) and body.
async fn raw_put(url: &str, headers: &[(&str, &str)], body: RawBody<'_>) -> (u16, String, String) {
    use std::fmt::Write as _;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let url = Url::parse(url).unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut request = format!("PUT {} HTTP/1.1\r\nhost: {addr}\r\n", url.path());
    for (name, value) in headers {
        write!(request, "{name}: {value}\r\n").unwrap();
    }
    match body {
        RawBody::Chunked(_) => request.push_str("transfer-encoding: chunked\r\n"),
        RawBody::Announced(length) => write!(request, "content-length: {length}\r\n").unwrap(),
    }
    request.push_str("connection: close\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    if let RawBody::Chunked(bytes) = body {
        for chunk in bytes.chunks(16 * 1024) {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await
                .unwrap();
            stream.write_all(chunk).await.unwrap();
            stream.write_all(b"\r\n").await.unwrap();
        }
        stream.write_all(b"0\r\n\r\n").await.unwrap();
    }
    // Up to the end of the body its Content-Length announces: the router
    // answers a body it refuses at once, but keeps reading what comes.
    let mut response = Vec::new();
    let read = async {
        let mut buf = vec![0_u8; 16 * 1024];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            response.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&response);
            if n == 0 {
                break;
            }
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                if length.is_some_and(|length| body.len() >= length) {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("an answer within 30 s");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

/// Where a browser app asks to be sent back to after signing in.
const APP: &str = "https://app.example.test/signed-in";

#[tokio::test]
async fn a_provider_sign_in_goes_through_the_router() {
    let idp = OidcProvider::start().await;
    let providers = json!({ "acme": idp.settings() }).to_string();
    let system = System::start_adjusted(
        move |c| {
            c.oauth.oauth_providers = Some(providers);
            c.oauth.oauth_redirect_allowlist = vec![APP.to_owned()];
        },
        |_| {},
    )
    .await;
    let base = system.router.base_url();
    // The provider knows our callback on the router's origin only.
    idp.register_client(&[format!("{base}/oauth/acme/callback")])
        .await;
    idp.add_account(&Account::verified("zoe-at-acme", "zoe@example.com"))
        .await;

    let browser = Browser::new();
    let mut start = Url::parse(&format!("{base}/oauth/acme/start")).unwrap();
    start
        .query_pairs_mut()
        .append_pair("redirect_uri", APP)
        .append_pair("state", "app-state-1");
    let resp = browser.get(start.as_str()).await;
    assert_eq!(resp.status(), 302, "{:?}", resp.text().await);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert!(
        resp.headers().contains_key("set-cookie"),
        "the flow's cookie"
    );
    let authorize = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(authorize.starts_with(&idp.issuer), "{authorize}");
    assert!(
        authorize.contains(&format!(
            "redirect_uri={}",
            urlencode(&format!("{base}/oauth/acme/callback"))
        )),
        "{authorize}"
    );

    let at_provider = browser
        .through_provider(&authorize, &idp.issuer, "zoe-at-acme", Consent::Allow)
        .await;
    assert_eq!(at_provider.forms, ["login", "consent"]);
    let callback = at_provider.callback;
    assert!(
        callback.starts_with(&format!("{base}/oauth/acme/callback?")),
        "{callback}"
    );

    // Back at the router with the flow's cookie: auth sends the browser on
    // to the app with a login code.
    let resp = browser.get(&callback).await;
    assert_eq!(resp.status(), 302, "{:?}", resp.text().await);
    let landing = Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert!(landing.as_str().starts_with(APP), "{landing}");
    let param = |name: &str| {
        landing
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("app-state-1"));
    let code = param("code").expect("a login code");

    let resp = system
        .client()
        .query(
            "mutation($code: String!) { exchangeOAuthCode(code: $code) { accessToken userId } }",
            json!({ "code": code }),
        )
        .await;
    assert_no_errors(&resp);
    let token = resp["data"]["exchangeOAuthCode"]["accessToken"]
        .as_str()
        .unwrap();
    let me = system
        .client()
        .with_token(token)
        .query("{ mySessions { current } }", json!({}))
        .await;
    assert_no_errors(&me);
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn only_known_paths_are_served() {
    let system = System::start().await;
    let base = system.router.base_url();
    let http = http();

    for (method, path) in [
        ("GET", "/favicon.ico"),
        ("GET", "/nope"),
        ("POST", "/"),
        ("GET", "/ws"),
        ("GET", "/oauth"),
        ("GET", "/avatars"),
        ("GET", "/verify-email/extra"),
        // A service's own GraphQL is not reachable through its routes.
        ("POST", "/oauth/../graphql"),
        ("POST", "/oauth/%2e%2e/graphql"),
        ("POST", "/avatars/%2E%2E/%2E%2E/graphql"),
        ("GET", "/avatars/..%2f..%2fgraphql?query=%7B__typename%7D"),
        ("GET", "/avatar-uploads/x/../../ws"),
    ] {
        let resp = raw_request(&system, method, path).await;
        assert!(resp.starts_with("HTTP/1.1 404"), "{method} {path}: {resp}");
        assert!(!resp.contains("https://"), "{method} {path}: {resp}");
        assert!(!resp.contains("__typename"), "{method} {path}: {resp}");
    }
    let resp = http.get(format!("{base}/nope")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{body}");

    // Auth's signing keys, for whoever verifies its tokens.
    let resp = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let jwks: Value = resp.json().await.unwrap();
    assert!(!jwks["keys"].as_array().unwrap().is_empty(), "{jwks}");

    // What the router serves itself is still there.
    for path in ["/healthz", "/health", "/readiness"] {
        let resp = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let resp = system.client().query("{ __typename }", json!({})).await;
    assert_eq!(resp["data"]["__typename"], "Query", "{resp}");
}

/// `method path` over a plain TCP connection, the path sent exactly as
/// written (HTTP clients tidy `..` away); the whole answer.
async fn raw_request(system: &System, method: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = format!("127.0.0.1:{}", system.router.port());
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = r#"{"query":"{ __typename }"}"#;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_service_down_or_hung_is_answered_at_once() {
    // auth accepts connections and never answers; nothing listens for users.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_url = format!("http://{}/graphql", hung.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hung.accept().await {
            open.push(socket);
        }
    });
    let closed = format!("http://127.0.0.1:{}/graphql", e2e::free_port());
    let router = e2e::RouterProcess::start(
        &[
            ("auth", hung_url),
            ("users", closed.clone()),
            ("messaging", closed),
        ],
        &[("ROUTER_SERVICE_ROUTES_TIMEOUT", "1s")],
    )
    .await;
    let base = router.base_url();

    let started = Instant::now();
    let resp = http()
        .get(format!("{base}/verify-email?token=x"))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(resp.status(), 504);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("UNAVAILABLE"), "{body}");

    let resp = http()
        .get(format!("{base}/avatars/u/k-128.webp"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("UNAVAILABLE"), "{body}");
    held.abort();
}
