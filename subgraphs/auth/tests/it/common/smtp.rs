//! A real SMTP server for tests: listens on a TCP port, speaks enough of
//! RFC 5321 for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
//! keeps every message it accepts. Plus a little MIME reading to get at
//! what the recipient would see.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One accepted message: its envelope and its raw DATA.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Inbox>,
    accept: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl SmtpServer {
    /// On a free port.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    pub async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr)
            .await
            .expect("SMTP test server binds");
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Inbox::default());
        let shared = inbox.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        Self {
            addr,
            inbox,
            accept,
        }
    }

    /// `smtp://…` for `SMTP_URL` (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.messages.lock().unwrap().clone()
    }

    /// Waits until `n` messages arrived in total; returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.inbox.arrived.notified();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "only {} of {n} emails arrived within {timeout:?}",
                received.len()
            );
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }
}

async fn session(stream: TcpStream, inbox: Arc<Inbox>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut reply = async |text: &str| write.write_all(text.as_bytes()).await.is_ok();
    if !reply("220 smtp.test ESMTP ready\r\n").await {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let ok = match verb.as_str() {
            "EHLO" => reply("250-smtp.test\r\n250 8BITMIME\r\n").await,
            "HELO" => reply("250 smtp.test\r\n").await,
            "MAIL" => {
                from = angle(&command);
                to.clear();
                reply("250 2.1.0 OK\r\n").await
            }
            "RCPT" => {
                to.push(angle(&command));
                reply("250 2.1.5 OK\r\n").await
            }
            "DATA" => {
                if !reply("354 end with <CRLF>.<CRLF>\r\n").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                inbox.messages.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                inbox.arrived.notify_waiters();
                reply("250 2.0.0 queued\r\n").await
            }
            "RSET" => {
                from.clear();
                to.clear();
                reply("250 2.0.0 OK\r\n").await
            }
            "NOOP" => reply("250 2.0.0 OK\r\n").await,
            "QUIT" => {
                let _ = reply("221 2.0.0 bye\r\n").await;
                return;
            }
            _ => reply("502 5.5.2 not implemented\r\n").await,
        };
        if !ok {
            return;
        }
    }
}

/// The address in `MAIL FROM:<a@b>` / `RCPT TO:<a@b>`.
fn angle(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

/// What a mail client would show of a message: its subject and its plain
/// text and HTML parts, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    pub to: String,
    pub text: String,
    pub html: String,
}

impl Received {
    pub fn mail(&self) -> Mail {
        let (headers, body) = split_part(&self.data);
        let content_type = header(&headers, "content-type").unwrap_or_default();
        let mut mail = Mail {
            subject: header(&headers, "subject").unwrap_or_default(),
            to: header(&headers, "to").unwrap_or_default(),
            text: String::new(),
            html: String::new(),
        };
        let parts: Vec<(Vec<(String, String)>, String)> = match boundary(&content_type) {
            Some(boundary) => body
                .split(&format!("--{boundary}"))
                .skip(1)
                .take_while(|part| !part.starts_with("--"))
                .map(|part| split_part(part.trim_start_matches(['\r', '\n'])))
                .collect(),
            None => vec![(headers.clone(), body)],
        };
        for (part_headers, part_body) in parts {
            let kind = header(&part_headers, "content-type").unwrap_or_default();
            let encoding = header(&part_headers, "content-transfer-encoding").unwrap_or_default();
            let decoded = decode(&part_body, &encoding);
            if kind.starts_with("text/plain") {
                mail.text = decoded;
            } else if kind.starts_with("text/html") {
                mail.html = decoded;
            }
        }
        mail
    }
}

impl Mail {
    /// The first `…/verify-email?token=…` link in the plain text.
    pub fn verify_link(&self) -> Option<String> {
        self.link_to("/verify-email")
    }

    /// The first `…/reset-password?token=…` link in the plain text.
    pub fn reset_link(&self) -> Option<String> {
        self.link_to("/reset-password")
    }

    /// The first link in the plain text, if it is `…<path>?token=…`.
    pub fn link_to(&self, path: &str) -> Option<String> {
        let start = self.text.find("http")?;
        let link: String = self.text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        link.contains(&format!("{path}?token=")).then_some(link)
    }
}

/// Headers (unfolded, names lower-cased) and body of a message or part.
fn split_part(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn boundary(content_type: &str) -> Option<String> {
    let (_, rest) = content_type.split_once("boundary=")?;
    Some(
        rest.trim_start_matches('"')
            .split(['"', ';'])
            .next()?
            .to_owned(),
    )
}

fn decode(body: &str, encoding: &str) -> String {
    match encoding.to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body"),
            )
            .expect("UTF-8 body")
        }
        "quoted-printable" => {
            let joined = body.replace("=\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' && i + 2 < bytes.len() {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                }
                out.push(bytes[i]);
                i += 1;
            }
            String::from_utf8(out).expect("UTF-8 body")
        }
        _ => body.to_owned(),
    }
}
