//! Minimal GraphQL-over-WebSocket client (`graphql-transport-ws` protocol)
//! for subscription tests.
//!
//! Only what tests need: handshake, subscribe, read events with a timeout,
//! answer pings. Server-initiated closes are recorded so tests can assert on
//! the close code and reason.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Sub-protocol name, sent in `Sec-WebSocket-Protocol`.
pub const GRAPHQL_TRANSPORT_WS: &str = "graphql-transport-ws";

/// How long [`WsClient::connect`] waits for the handshake and `connection_ack`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open `graphql-transport-ws` connection (after `connection_ack`).
#[derive(Debug)]
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// `(code, reason)` once the connection is closed: 1005 for a close
    /// frame without a code, 1006 if the connection dropped without one.
    closed: Option<(u16, String)>,
}

/// What one read produced.
enum Incoming {
    Json(Value),
    Closed,
    TimedOut,
}

impl WsClient {
    /// Open a WebSocket to `url` (`ws://.../graphql`), send `connection_init`
    /// with `init_payload` (omitted if `Null`) and wait for `connection_ack`.
    ///
    /// Returns `Err` describing the failure: the HTTP handshake error, or
    /// `"<code>: <reason>"` if the server closes instead of acknowledging
    /// (e.g. `4403: Forbidden`).
    pub async fn connect(url: &str, init_payload: Value) -> Result<WsClient, String> {
        let request = Self::request(url)?;
        let (socket, _response) =
            tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request))
                .await
                .map_err(|_| format!("WebSocket handshake with {url} timed out"))?
                .map_err(|e| format!("WebSocket handshake with {url} failed: {e}"))?;
        Self::init(socket, init_payload).await
    }

    /// Like [`connect`](Self::connect) (plain `ws://` only), with the
    /// socket's kernel receive buffer set to `receive_buffer` bytes before
    /// connecting: a client that stops reading then holds little, and what
    /// the server sends piles up on the server's side, as on a slow network.
    pub async fn connect_with_receive_buffer(
        url: &str,
        init_payload: Value,
        receive_buffer: u32,
    ) -> Result<WsClient, String> {
        let request = Self::request(url)?;
        let uri = request.uri();
        let address = format!(
            "{}:{}",
            uri.host().unwrap_or("127.0.0.1"),
            uri.port_u16().unwrap_or(80)
        );
        let address: std::net::SocketAddr = tokio::net::lookup_host(&address)
            .await
            .ok()
            .and_then(|mut found| found.next())
            .ok_or_else(|| format!("cannot resolve {address}"))?;
        let socket = if address.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        }
        .map_err(|e| format!("socket: {e}"))?;
        socket
            .set_recv_buffer_size(receive_buffer)
            .map_err(|e| format!("SO_RCVBUF: {e}"))?;
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(address))
            .await
            .map_err(|_| format!("connecting to {address} timed out"))?
            .map_err(|e| format!("connecting to {address}: {e}"))?;
        let (socket, _response) = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)),
        )
        .await
        .map_err(|_| format!("WebSocket handshake with {url} timed out"))?
        .map_err(|e| format!("WebSocket handshake with {url} failed: {e}"))?;
        Self::init(socket, init_payload).await
    }

    fn request(url: &str) -> Result<tungstenite::handshake::client::Request, String> {
        let mut request = url
            .into_client_request()
            .map_err(|e| format!("invalid WebSocket URL {url}: {e}"))?;
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(GRAPHQL_TRANSPORT_WS),
        );
        Ok(request)
    }

    /// `connection_init`, then wait for `connection_ack`.
    async fn init(
        socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
        init_payload: Value,
    ) -> Result<WsClient, String> {
        let mut client = WsClient {
            socket,
            closed: None,
        };
        let mut init = json!({ "type": "connection_init" });
        if !init_payload.is_null() {
            init["payload"] = init_payload;
        }
        client
            .send_json(&init)
            .await
            .map_err(|e| format!("sending connection_init: {e}"))?;

        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            match client.read(deadline).await {
                Incoming::Json(msg) => match msg["type"].as_str() {
                    Some("connection_ack") => return Ok(client),
                    Some("ping") => client.pong().await,
                    _ => {} // nothing else is valid before the ack; ignore
                },
                Incoming::Closed => {
                    let (code, reason) = client.closed.clone().unwrap_or((1005, String::new()));
                    return Err(format!("{code}: {reason}"));
                }
                Incoming::TimedOut => {
                    return Err(format!("no connection_ack within {CONNECT_TIMEOUT:?}"));
                }
            }
        }
    }

    /// Start subscription `id` (`subscribe` message with `query` and
    /// `variables`). Events arrive through [`next_event`](Self::next_event).
    ///
    /// # Panics
    /// If the message cannot be sent.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let msg = json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        });
        self.send_json(&msg)
            .await
            .unwrap_or_else(|e| panic!("testkit: sending subscribe {id}: {e}"));
    }

    /// Stop subscription `id` (client `complete` message).
    ///
    /// # Panics
    /// If the message cannot be sent.
    pub async fn complete(&mut self, id: &str) {
        self.send_json(&json!({ "id": id, "type": "complete" }))
            .await
            .unwrap_or_else(|e| panic!("testkit: sending complete {id}: {e}"));
    }

    /// The next `next` / `error` / `complete` message, as JSON (with its `id`,
    /// `type` and `payload`). Answers `ping` with `pong` and skips other
    /// messages meanwhile. `None` if nothing arrives within `timeout` or the
    /// connection closes (see [`close_frame`](Self::close_frame)).
    pub async fn next_event(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(deadline).await {
                Incoming::Json(msg) => match msg["type"].as_str() {
                    Some("next" | "error" | "complete") => return Some(msg),
                    Some("ping") => self.pong().await,
                    _ => {}
                },
                Incoming::Closed | Incoming::TimedOut => return None,
            }
        }
    }

    /// Send any protocol message (for tests of misbehaving clients).
    pub async fn send_json(&mut self, msg: &Value) -> Result<(), String> {
        self.socket
            .send(Message::text(msg.to_string()))
            .await
            .map_err(|e| e.to_string())
    }

    /// Send a protocol message as a binary frame (the protocol is text: a
    /// test of a misbehaving client).
    pub async fn send_binary(&mut self, msg: &Value) -> Result<(), String> {
        self.socket
            .send(Message::binary(msg.to_string().into_bytes()))
            .await
            .map_err(|e| e.to_string())
    }

    /// `(code, reason)` if the connection has been closed: the server's close
    /// frame, 1005 for a frame without a code, or 1006 (with the error text)
    /// if the connection dropped without one.
    pub fn close_frame(&self) -> Option<(u16, &str)> {
        self.closed
            .as_ref()
            .map(|(code, reason)| (*code, reason.as_str()))
    }

    /// Close the connection normally (code 1000).
    pub async fn close(mut self) {
        let _ = self
            .socket
            .close(Some(CloseFrame {
                code: tungstenite::protocol::frame::coding::CloseCode::Normal,
                reason: "".into(),
            }))
            .await;
    }

    async fn pong(&mut self) {
        // A failed pong shows up as a close on the next read.
        let _ = self.send_json(&json!({ "type": "pong" })).await;
    }

    /// Read until a JSON text message, a close, or `deadline`.
    async fn read(&mut self, deadline: Instant) -> Incoming {
        if self.closed.is_some() {
            return Incoming::Closed;
        }
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, self.socket.next()).await else {
                return Incoming::TimedOut;
            };
            match next {
                Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                    Ok(value) => return Incoming::Json(value),
                    Err(_) => return Incoming::Json(Value::String(text.as_str().to_owned())),
                },
                Some(Ok(Message::Close(frame))) => {
                    self.closed = Some(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.as_str().to_owned())
                    }));
                    return Incoming::Closed;
                }
                // Binary, ping/pong frames (tungstenite answers pings itself).
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    self.closed.get_or_insert((1006, e.to_string()));
                    return Incoming::Closed;
                }
                None => {
                    self.closed
                        .get_or_insert((1006, "connection closed".to_owned()));
                    return Incoming::Closed;
                }
            }
        }
    }
}

/// `extensions.code` and `extensions.reason` of the first error a
/// subscription message carries: an `error` message (its payload is the
/// list of errors) or a `next` whose payload has `errors`. Both `None` for
/// anything else.
pub fn ws_error(msg: &Value) -> (Option<String>, Option<String>) {
    let error = match msg["type"].as_str() {
        Some("error") => &msg["payload"][0],
        Some("next") => &msg["payload"]["errors"][0],
        _ => &Value::Null,
    };
    let field = |key: &str| error["extensions"][key].as_str().map(str::to_owned);
    (field("code"), field("reason"))
}
