//! Avatar uploads over real HTTP: a real auth service signs users in, the
//! users service hands out signed upload URLs, takes the bytes, stores the
//! pictures in a directory of the test's own and serves them.
//!
//! Every image is made here, with the `image` crate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::common::{Person, PersonExt as _, Stack, start_with};
use image::{
    DynamicImage, ImageDecoder as _, ImageEncoder as _, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const REQUEST: &str = "mutation($type: String!, $size: Int!) {
  requestAvatarUpload(input: {contentType: $type, size: $size}) { upload { uploadUrl expiresAt } }
}";
const PICTURE: &str =
    "{ me { avatarUrl small: avatar(size: 64) large: avatar(size: 400) any: avatar } }";
const REMOVE: &str =
    "mutation { removeAvatar { user { id avatarUrl avatar(size: 128) relationship } } }";

/// A directory for one test's pictures, removed afterwards.
struct AvatarDir(PathBuf);

impl AvatarDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("users-avatars-{}", uuid::Uuid::new_v4()));
        Self(dir)
    }

    /// Every file under the directory, relative to it.
    fn files(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut dirs = vec![self.0.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.map(Result::unwrap) {
                if entry.file_type().unwrap().is_dir() {
                    dirs.push(entry.path());
                } else {
                    let path = entry.path();
                    found.push(path.strip_prefix(&self.0).unwrap().display().to_string());
                }
            }
        }
        found.sort();
        found
    }
}

impl Drop for AvatarDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn stack_with(
    dir: &AvatarDir,
    adjust: impl FnOnce(&mut users::Config) + Send + 'static,
) -> Stack {
    let path: PathBuf = dir.0.clone();
    start_with(move |config| {
        config.avatars.avatar_dir = path;
        adjust(config);
    })
    .await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

// ---- images ----------------------------------------------------------------

/// A photo-like picture: smooth gradients with some grain (compresses like
/// a photo, not like a flat test card). Left third reddish, right third
/// bluish, so a centred crop can be told from a corner one.
fn photo(width: u32, height: u32) -> RgbImage {
    let mut seed = 0x2545_f491_u32;
    RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = (seed % 24) as u8;
        let band = x * 3 / width;
        let base = [
            if band == 0 { 200 } else { 40 },
            (y * 160 / height) as u8 + 40,
            if band == 2 { 200 } else { 40 },
        ];
        Rgb(base.map(|c| c.saturating_add(grain)))
    })
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG carrying EXIF with a camera make and a GPS position.
fn jpeg_with_exif(image: &RgbImage) -> Vec<u8> {
    // TIFF header, IFD0 with Make = "Spy" (inline) and a GPS IFD pointer.
    let exif: Vec<u8> = [
        b"MM\0\x2a\0\0\0\x08".as_slice(),
        &[0, 2],
        &[0x01, 0x0f, 0, 2, 0, 0, 0, 4, b'S', b'p', b'y', 0],
        &[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38],
        &[0, 0, 0, 0],
        // GPS IFD: GPSVersionID only.
        &[0, 1],
        &[0, 0, 0, 1, 0, 0, 0, 4, 2, 2, 0, 0],
        &[0, 0, 0, 0],
    ]
    .concat();
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
    encoder.set_exif_metadata(exif).unwrap();
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    assert!(jpeg.windows(4).any(|w| w == b"Exif"));
    jpeg
}

/// A two-frame animated GIF: red, then blue.
fn animated_gif(width: u32, height: u32) -> Vec<u8> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame};
    let frame = |colour: [u8; 4]| {
        Frame::from_parts(
            RgbaImage::from_pixel(width, height, Rgba(colour)),
            0,
            0,
            Delay::from_numer_denom_ms(200, 1),
        )
    };
    let mut gif = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut gif);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        encoder
            .encode_frames([frame([220, 20, 20, 255]), frame([20, 20, 220, 255])])
            .unwrap();
    }
    gif
}

/// A valid PNG header claiming `width` x `height`, with a token IDAT.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

// ---- client steps ------------------------------------------------------------

/// `requestAvatarUpload`, asserting success; the upload URL.
async fn request_upload(person: &Person, content_type: &str, size: usize) -> String {
    let resp = person
        .query(REQUEST, json!({ "type": content_type, "size": size }))
        .await;
    assert_no_errors(&resp);
    resp["data"]["requestAvatarUpload"]["upload"]["uploadUrl"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// PUTs `body` as `content_type` with `token` (if any): status and JSON body.
async fn put(
    url: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = http()
        .put(url)
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// Requests a URL and uploads `bytes`, asserting success; the answer.
async fn upload(person: &Person, content_type: &str, bytes: Vec<u8>) -> Value {
    let url = request_upload(person, content_type, bytes.len()).await;
    let (status, body) = put(&url, Some(&person.access_token), content_type, bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A request body for [`raw_put`].
enum Body<'a> {
    /// With `Content-Length`.
    Sized(&'a [u8]),
    /// With `Transfer-Encoding: chunked` (no length announced).
    Chunked(&'a [u8]),
    /// Only a `Content-Length` header of this value; no body is sent.
    Announced(u64),
}

/// A PUT over a plain TCP connection, for bodies a normal client would not
/// send; status and JSON body of the answer.
async fn raw_put(
    url: &str,
    token: &str,
    content_type: &str,
    body: Body<'_>,
) -> (StatusCode, Value) {
    use std::fmt::Write as _;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let url = url::Url::parse(url).unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut head = format!(
        "PUT {} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: {content_type}\r\nconnection: close\r\n",
        url.path()
    );
    let mut payload = Vec::new();
    match body {
        Body::Sized(bytes) => {
            write!(head, "content-length: {}\r\n\r\n", bytes.len()).unwrap();
            payload.extend_from_slice(bytes);
        }
        Body::Chunked(bytes) => {
            head += "transfer-encoding: chunked\r\n\r\n";
            for chunk in bytes.chunks(7) {
                payload.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                payload.extend_from_slice(chunk);
                payload.extend_from_slice(b"\r\n");
            }
            payload.extend_from_slice(b"0\r\n\r\n");
        }
        Body::Announced(length) => write!(head, "content-length: {length}\r\n\r\n").unwrap(),
    }
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&payload).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    let text = String::from_utf8_lossy(&response);
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (
        StatusCode::from_u16(status).unwrap(),
        serde_json::from_str(body).unwrap(),
    )
}

/// Asserts an HTTP error answer: status, code and part of the message.
#[track_caller]
fn assert_http_error(answer: &(StatusCode, Value), status: StatusCode, code: &str, says: &str) {
    let (actual, body) = answer;
    assert_eq!(*actual, status, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

/// GETs a picture: status, headers and bytes.
async fn fetch(
    url: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = http().get(url);
    if let Some(etag) = if_none_match {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    (status, headers, bytes)
}

/// Decodes a served picture, asserting it is a `size` px square.
fn served_picture(bytes: &[u8], size: u32) -> DynamicImage {
    let picture = image::load_from_memory(bytes).unwrap();
    assert_eq!((picture.width(), picture.height()), (size, size));
    picture
}

// ---- tests -----------------------------------------------------------------

#[tokio::test]
async fn every_accepted_type_becomes_the_users_picture() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;

    // A badge with a transparent surround.
    let badge = RgbaImage::from_fn(200, 200, |x, y| {
        let inside = (x as i32 - 100).pow(2) + (y as i32 - 100).pow(2) < 80 * 80;
        Rgba(if inside {
            [30, 140, 60, 255]
        } else {
            [0, 0, 0, 0]
        })
    });
    // Opaque pictures are stored as JPEG, transparent ones as WebP.
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("image/jpeg", jpeg_with_exif(&photo(640, 480)), "image/jpeg"),
        (
            "image/png",
            encode(&DynamicImage::ImageRgb8(photo(480, 640)), ImageFormat::Png),
            "image/jpeg",
        ),
        (
            "image/webp",
            encode(&DynamicImage::ImageRgb8(photo(300, 200)), ImageFormat::WebP),
            "image/jpeg",
        ),
        ("image/gif", animated_gif(200, 120), "image/jpeg"),
        (
            "image/png",
            encode(&DynamicImage::ImageRgba8(badge), ImageFormat::Png),
            "image/webp",
        ),
    ];
    let mut previous_urls: Vec<String> = Vec::new();
    for (content_type, bytes, stored_type) in cases {
        let before = chrono::Utc::now();
        let resp = alice
            .query(
                REQUEST,
                json!({ "type": content_type, "size": bytes.len() }),
            )
            .await;
        assert_no_errors(&resp);
        let grant = &resp["data"]["requestAvatarUpload"]["upload"];
        let expires_at: chrono::DateTime<chrono::Utc> =
            grant["expiresAt"].as_str().unwrap().parse().unwrap();
        let ttl = expires_at - before;
        assert!(
            ttl > chrono::Duration::seconds(290) && ttl <= chrono::Duration::seconds(301),
            "{ttl}"
        );
        let url = grant["uploadUrl"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("http://{}/", s.users().http_addr.unwrap())),
            "{url}"
        );

        let started = Instant::now();
        let (status, answer) =
            put(url, Some(&alice.access_token), content_type, bytes.clone()).await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {answer}");
        eprintln!(
            "{content_type}: {} bytes uploaded and processed in {:?}",
            bytes.len(),
            started.elapsed()
        );

        // The answer, `me` and other users all show the new picture.
        let avatar_url = answer["avatarUrl"].as_str().unwrap().to_owned();
        assert_eq!(answer["sizes"]["512"], avatar_url.as_str());
        let extension = if stored_type == "image/jpeg" {
            "jpg"
        } else {
            "webp"
        };
        assert!(
            avatar_url.ends_with(&format!("-512.{extension}")),
            "{avatar_url}"
        );
        assert!(avatar_url.contains(&alice.id), "{avatar_url}");
        let small_url = answer["sizes"]["128"].as_str().unwrap().to_owned();
        let me = alice.query(PICTURE, json!({})).await;
        assert_no_errors(&me);
        assert_eq!(me["data"]["me"]["avatarUrl"], avatar_url.as_str());
        assert_eq!(me["data"]["me"]["any"], avatar_url.as_str());
        assert_eq!(me["data"]["me"]["large"], avatar_url.as_str());
        assert_eq!(me["data"]["me"]["small"], small_url.as_str());
        let seen = bob
            .query(
                "query($id: ID!) { user(id: $id) { avatarUrl avatar(size: 128) } }",
                json!({ "id": alice.id }),
            )
            .await;
        assert_eq!(seen["data"]["user"]["avatarUrl"], avatar_url.as_str());
        assert_eq!(seen["data"]["user"]["avatar"], small_url.as_str());

        // Served as squares of each size, without the upload's metadata.
        let (status, headers, large) = fetch(&avatar_url, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], stored_type);
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let picture = served_picture(&large, 512);
        let (status, _, small) = fetch(&small_url, None).await;
        assert_eq!(status, StatusCode::OK);
        served_picture(&small, 128);
        let (exif, icc) = if stored_type == "image/jpeg" {
            let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&large)).unwrap();
            (
                decoder.exif_metadata().unwrap(),
                decoder.icc_profile().unwrap(),
            )
        } else {
            let mut decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(&large)).unwrap();
            (
                decoder.exif_metadata().unwrap(),
                decoder.icc_profile().unwrap(),
            )
        };
        assert_eq!((exif, icc), (None, None));
        eprintln!(
            "{content_type}: stored {} bytes (512 px) + {} bytes (128 px)",
            large.len(),
            small.len()
        );

        let centre = picture.to_rgba8().get_pixel(256, 256).0;
        let corner = picture.to_rgba8().get_pixel(0, 0).0;
        match (content_type, stored_type) {
            // Only the first frame of an animation: red, not blue.
            ("image/gif", _) => assert!(centre[0] > 180 && centre[2] < 60, "{centre:?}"),
            // A centred square of a landscape picture is its middle third
            // (and some): neither edge band reaches the centre column.
            ("image/jpeg" | "image/webp", _) => {
                assert!(centre[0] < 100 && centre[2] < 100, "{centre:?}");
            }
            // Transparency is kept.
            (_, "image/webp") => {
                assert_eq!(corner[3], 0, "{corner:?}");
                assert_eq!(centre, [30, 140, 60, 255]);
            }
            _ => {}
        }

        // The previous picture's files are gone.
        for old in &previous_urls {
            assert_eq!(fetch(old, None).await.0, StatusCode::NOT_FOUND, "{old}");
        }
        previous_urls = vec![avatar_url, small_url];
        assert_eq!(dir.files().len(), 2, "{:?}", dir.files());
    }
}

#[tokio::test]
async fn a_full_size_photo_is_accepted() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    // A 12 megapixel camera photo, as phones make them.
    let jpeg = jpeg_with_exif(&photo(4000, 3000));
    assert!(jpeg.len() < 5 * 1024 * 1024, "{}", jpeg.len());
    let started = Instant::now();
    let answer = upload(&alice, "image/jpeg", jpeg.clone()).await;
    eprintln!(
        "4000x3000 JPEG, {} bytes: uploaded and processed in {:?}",
        jpeg.len(),
        started.elapsed()
    );
    let (status, _, large) = fetch(answer["avatarUrl"].as_str().unwrap(), None).await;
    assert_eq!(status, StatusCode::OK);
    served_picture(&large, 512);
}

#[tokio::test]
async fn bad_uploads_get_clear_errors_and_change_nothing() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let token = Some(alice.access_token.as_str());
    let png = encode(&DynamicImage::ImageRgb8(photo(64, 64)), ImageFormat::Png);

    // Refused when asking for the URL.
    let max: usize = 5 * 1024 * 1024;
    for (content_type, size, field) in [
        ("image/svg+xml", 100, "contentType"),
        ("image/bmp", 100, "contentType"),
        ("text/html", 100, "contentType"),
        ("", 100, "contentType"),
        ("image/png; charset=binary", 100, "contentType"),
        ("image/png", 0, "size"),
        ("image/png", -1_i64, "size"),
        ("image/png", max as i64 + 1, "size"),
        ("image/png", i64::from(i32::MAX), "size"),
    ] {
        let resp = alice
            .query(REQUEST, json!({ "type": content_type, "size": size }))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], field, "{resp}");
    }
    let too_big = alice
        .query(REQUEST, json!({ "type": "image/png", "size": max + 1 }))
        .await;
    assert_eq!(too_big["errors"][0]["extensions"]["maxSize"], max);
    let resp = s
        .gql()
        .query(REQUEST, json!({ "type": "image/png", "size": 10 }))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );

    // A truncated file.
    let truncated = png[..png.len() * 2 / 3].to_vec();
    let url = request_upload(&alice, "image/png", truncated.len()).await;
    let answer = put(&url, token, "image/png", truncated).await;
    assert_http_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "BAD_USER_INPUT",
        "truncated or corrupt",
    );

    // A PNG declared (and sent) as a JPEG.
    let url = request_upload(&alice, "image/jpeg", png.len()).await;
    let answer = put(&url, token, "image/jpeg", png.clone()).await;
    assert_http_error(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "BAD_USER_INPUT",
        "the file is a image/png image, but the upload was declared as image/jpeg",
    );
    // Not an image at all.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let url = request_upload(&alice, "image/gif", html.len()).await;
    let answer = put(&url, token, "image/gif", html).await;
    assert_http_error(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "BAD_USER_INPUT",
        "not a JPEG, PNG, WebP or GIF",
    );
    // A Content-Type other than the one the URL was issued for.
    let url = request_upload(&alice, "image/png", png.len()).await;
    for content_type in ["image/jpeg", "application/octet-stream", "text/plain"] {
        let answer = put(&url, token, content_type, png.clone()).await;
        assert_http_error(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "Content-Type must be image/png",
        );
    }

    // More or fewer bytes than declared. (Raw HTTP: a server that refuses a
    // body unread closes the connection, which a client still sending a
    // large body may see as a reset before it reads the answer.)
    let tiny = encode(&DynamicImage::ImageRgb8(photo(4, 4)), ImageFormat::Png);
    let url = request_upload(&alice, "image/png", tiny.len()).await;
    let mut longer = tiny.clone();
    longer.extend_from_slice(&[0; 10]);
    let answer = raw_put(&url, &alice.access_token, "image/png", Body::Sized(&longer)).await;
    assert_http_error(
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        "larger than",
    );
    let answer = raw_put(
        &url,
        &alice.access_token,
        "image/png",
        Body::Chunked(&longer),
    )
    .await;
    assert_http_error(
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        "larger than",
    );
    let answer = put(&url, token, "image/png", tiny[..10].to_vec()).await;
    assert_http_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "BAD_USER_INPUT",
        "has 10 bytes",
    );
    let answer = raw_put(
        &url,
        &alice.access_token,
        "image/png",
        Body::Chunked(&tiny[..10]),
    )
    .await;
    assert_http_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "BAD_USER_INPUT",
        "has 10 bytes",
    );
    // Larger than 5 MiB, on a URL for the largest size allowed: refused
    // from Content-Length, before any of the body is sent.
    let url = request_upload(&alice, "image/png", max).await;
    let answer = raw_put(
        &url,
        &alice.access_token,
        "image/png",
        Body::Announced(max as u64 + 1),
    )
    .await;
    assert_http_error(
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        "larger than the 5242880 bytes",
    );

    // A decompression bomb: a 60-byte PNG claiming 100000x100000 pixels.
    for (width, height) in [(100_000, 100_000), (8000, 8000)] {
        let bomb = png_bomb(width, height);
        let url = request_upload(&alice, "image/png", bomb.len()).await;
        let started = Instant::now();
        let answer = put(&url, token, "image/png", bomb).await;
        assert_http_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the image is too large",
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    // Nothing was stored or changed.
    assert_eq!(
        alice.query(PICTURE, json!({})).await["data"]["me"]["avatarUrl"],
        Value::Null
    );
    assert!(dir.files().is_empty(), "{:?}", dir.files());
}

#[tokio::test]
async fn an_upload_url_is_for_one_user_and_a_few_minutes() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let png = encode(&DynamicImage::ImageRgb8(photo(64, 64)), ImageFormat::Png);
    let url = request_upload(&alice, "image/png", png.len()).await;

    // Someone else's URL.
    let answer = put(&url, Some(&bob.access_token), "image/png", png.clone()).await;
    assert_http_error(
        &answer,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
        "issued to another user",
    );
    // No token, or a bad one.
    let answer = put(&url, None, "image/png", png.clone()).await;
    assert_http_error(
        &answer,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "sign in",
    );
    let answer = put(&url, Some("junk"), "image/png", png.clone()).await;
    assert_http_error(
        &answer,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "not valid",
    );
    // A URL changed in any part.
    let (base, tag) = url.rsplit_once('.').unwrap();
    let fields: Vec<&str> = base.rsplit('/').next().unwrap().split('.').collect();
    let forged = [
        url.replace(&format!(".{}.", png.len()), &format!(".{}.", png.len() + 1)),
        url.replace(".png.", ".gif."),
        url.replace(fields[0], &bob.id.replace('-', "")),
        format!("{base}.{}", tag.chars().rev().collect::<String>()),
        format!("{base}x.{tag}"),
        format!("{url}x"),
        url.rsplit_once('/').unwrap().0.to_owned() + "/nothing",
    ];
    for forged in forged {
        assert_ne!(forged, url);
        let answer = put(&forged, Some(&alice.access_token), "image/png", png.clone()).await;
        assert_http_error(
            &answer,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "not a valid upload URL",
        );
    }
    assert!(dir.files().is_empty());

    // The real one still works, for its owner, from another replica too:
    // replicas share the signing key through the database.
    let replica = s.users_replica().await;
    let on_replica = url.replace(
        &s.users().http_addr.unwrap().to_string(),
        &replica.http_addr.unwrap().to_string(),
    );
    assert_ne!(on_replica, url);
    let (status, body) = put(
        &on_replica,
        Some(&alice.access_token),
        "image/png",
        png.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // (Leave nothing behind.)
    let on_replica =
        testkit::GraphqlClient::new(replica.graphql_url()).with_token(&alice.access_token);
    assert_no_errors(&on_replica.query(REMOVE, json!({})).await);

    // Browsers may upload from other origins.
    let preflight = http()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert_eq!(preflight.headers()["access-control-allow-methods"], "PUT");
}

#[tokio::test]
async fn an_expired_upload_url_is_gone() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |config| {
        config.avatars.avatar_upload_ttl = Duration::from_millis(50);
    })
    .await;
    let alice = s.seed_user("alice@example.com").await;
    let png = encode(&DynamicImage::ImageRgb8(photo(64, 64)), ImageFormat::Png);
    let url = request_upload(&alice, "image/png", png.len()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = put(&url, Some(&alice.access_token), "image/png", png).await;
    assert_http_error(&answer, StatusCode::GONE, "FORBIDDEN", "expired");
    assert_eq!(
        answer.1["errors"][0]["extensions"]["reason"],
        "UPLOAD_URL_EXPIRED"
    );
    assert!(dir.files().is_empty());
}

#[tokio::test]
async fn pictures_are_cached_forever_and_revalidated_by_etag() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let png = encode(&DynamicImage::ImageRgb8(photo(100, 100)), ImageFormat::Png);
    let answer = upload(&alice, "image/png", png.clone()).await;
    let url = answer["avatarUrl"].as_str().unwrap();

    let (status, headers, bytes) = fetch(url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["access-control-allow-origin"], "*");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with("-512\""), "{etag}");
    for matching in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"nope\", {etag}"),
        "*".to_owned(),
    ] {
        let (status, headers, body) = fetch(url, Some(&matching)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{matching}");
        assert!(body.is_empty());
        assert_eq!(headers["etag"], etag.as_str());
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    let (status, _, again) = fetch(url, Some("\"something-else\"")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, bytes);
    // HEAD answers like GET, without the body.
    let head = http().head(url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], etag.as_str());

    // The same picture again: the same URL (content-addressed).
    let same = upload(&alice, "image/png", png).await;
    assert_eq!(same["avatarUrl"], url);
    assert_eq!(fetch(url, None).await.0, StatusCode::OK);

    // Anything else under /avatars is a JSON 404.
    let base = format!(
        "http://{}/avatars/{}",
        s.users().http_addr.unwrap(),
        alice.id
    );
    let key = url.rsplit('/').next().unwrap().split('-').next().unwrap();
    for path in [
        format!("{base}/{key}-256.jpg"),
        format!("{base}/{key}-512.png"),
        format!("{base}/{key}-512.webp"),
        format!("{base}/{}-512.jpg", "0".repeat(32)),
        format!("{base}/..%2F..%2Fetc%2Fpasswd"),
        format!(
            "http://{}/avatars/nobody/{key}-512.jpg",
            s.users().http_addr.unwrap()
        ),
    ] {
        let response = http().get(&path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    }
}

#[tokio::test]
async fn remove_avatar_deletes_the_picture() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let png = encode(&DynamicImage::ImageRgb8(photo(100, 100)), ImageFormat::Png);
    let answer = upload(&alice, "image/png", png).await;
    let url = answer["avatarUrl"].as_str().unwrap();
    assert_eq!(dir.files().len(), 2);

    let resp = alice.query(REMOVE, json!({})).await;
    assert_no_errors(&resp);
    let removed = &resp["data"]["removeAvatar"]["user"];
    assert_eq!(removed["id"], alice.id.as_str());
    assert_eq!(removed["avatarUrl"], Value::Null);
    assert_eq!(removed["avatar"], Value::Null);
    assert_eq!(removed["relationship"], "SELF");
    assert_eq!(fetch(url, None).await.0, StatusCode::NOT_FOUND);
    assert!(dir.files().is_empty(), "{:?}", dir.files());
    // Removing nothing is fine.
    let resp = alice.query(REMOVE, json!({})).await;
    assert_no_errors(&resp);
    let resp = s.gql().query(REMOVE, json!({})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_linked_picture_and_an_uploaded_one_replace_each_other() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    let link = "https://cdn.example.com/alice.png";
    let set_link = "mutation($url: String) { updateProfile(input: {avatarUrl: $url}) { user { avatarUrl avatar(size: 64) } } }";

    let resp = alice.query(set_link, json!({ "url": link })).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["updateProfile"]["user"]["avatarUrl"], link);
    // A linked picture has one URL, whatever the size.
    assert_eq!(resp["data"]["updateProfile"]["user"]["avatar"], link);

    let png = encode(&DynamicImage::ImageRgb8(photo(100, 100)), ImageFormat::Png);
    let answer = upload(&alice, "image/png", png).await;
    let uploaded = answer["avatarUrl"].as_str().unwrap().to_owned();
    assert_eq!(
        alice.query(PICTURE, json!({})).await["data"]["me"]["avatarUrl"],
        uploaded.as_str()
    );

    // Linking again drops the upload and its files.
    let resp = alice.query(set_link, json!({ "url": link })).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["updateProfile"]["user"]["avatarUrl"], link);
    assert_eq!(fetch(&uploaded, None).await.0, StatusCode::NOT_FOUND);
    assert!(dir.files().is_empty(), "{:?}", dir.files());

    // Other profile changes leave an uploaded picture alone.
    let png = encode(&DynamicImage::ImageRgb8(photo(90, 90)), ImageFormat::Png);
    let uploaded = upload(&alice, "image/png", png).await["avatarUrl"].clone();
    let resp = alice
        .query(
            "mutation { updateProfile(input: {about: \"hi\"}) { user { avatarUrl } } }",
            json!({}),
        )
        .await;
    assert_eq!(resp["data"]["updateProfile"]["user"]["avatarUrl"], uploaded);
    assert_eq!(dir.files().len(), 2);
    // removeAvatar removes a link too.
    alice.query(set_link, json!({ "url": link })).await;
    let resp = alice.query(REMOVE, json!({})).await;
    assert_eq!(
        resp["data"]["removeAvatar"]["user"]["avatarUrl"],
        Value::Null
    );
    assert!(dir.files().is_empty());
}

#[tokio::test]
async fn the_stored_signing_key_is_made_once() {
    let dir = AvatarDir::new();
    let s = stack_with(&dir, |_| {}).await;
    let alice = s.seed_user("alice@example.com").await;
    request_upload(&alice, "image/png", 10).await;
    let replica = s.users_replica().await;
    let replica_gql =
        testkit::GraphqlClient::new(replica.graphql_url()).with_token(&alice.access_token);
    let resp = replica_gql
        .query(REQUEST, json!({ "type": "image/png", "size": 10 }))
        .await;
    assert_no_errors(&resp);
    let keys = s
        .users_sql()
        .await
        .query("SELECT octet_length(value) FROM service_secrets", &[])
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].get::<_, i32>(0), 32);
}
