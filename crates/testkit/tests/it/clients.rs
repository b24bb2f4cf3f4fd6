//! GraphqlClient and WsClient against tiny in-process fake servers.

// Test helpers outside #[test] fns: a failed unwrap is the desired report.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use testkit::{GraphqlClient, WsClient, assert_no_errors, error_code};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// One-request-per-connection HTTP server: answers JSON bodies with
/// `{"data": {"body": <body>, "auth": <authorization>, "x": <x-test>}}`
/// (or a GraphQL error when the query is "fail"), and anything else with
/// `400 not json`.
async fn fake_http_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let header_end = loop {
                    let n = stream.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "client closed early");
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..header_end]).to_lowercase();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
                };
                let len: usize = header("content-length").unwrap().parse().unwrap();
                while buf.len() < header_end + len {
                    let n = stream.read(&mut chunk).await.unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = &buf[header_end..header_end + len];
                let (status, reply) = match serde_json::from_slice::<Value>(body) {
                    Ok(v) if v["query"] == "fail" => (
                        "200 OK",
                        json!({"errors": [{"message": "no", "extensions": {"code": "FORBIDDEN"}}]}).to_string(),
                    ),
                    Ok(v) => (
                        "200 OK",
                        json!({"data": {"body": v, "auth": header("authorization"), "x": header("x-test")}})
                            .to_string(),
                    ),
                    Err(_) => ("400 Bad Request", "not json".to_owned()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                stream.write_all(response.as_bytes()).await.unwrap();
            });
        }
    });
    format!("http://{addr}/graphql")
}

#[tokio::test]
async fn graphql_client_sends_queries_and_headers() {
    let client = GraphqlClient::new(fake_http_server().await);

    let resp = client.query("{ me { id } }", json!({"a": 1})).await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["body"],
        json!({"query": "{ me { id } }", "variables": {"a": 1}})
    );
    assert_eq!(resp["data"]["auth"], Value::Null);

    let authed = client
        .with_token("t0k")
        .with_header("X-Test", "one")
        .with_header("x-test", "two");
    let resp = authed.query("{ a }", Value::Null).await;
    assert_eq!(resp["data"]["auth"], "bearer t0k"); // the fake server lower-cases headers
    assert_eq!(resp["data"]["x"], "two");

    let resp = client.query("fail", json!({})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"));

    let (status, body) = client
        .post_raw(b"{not json".to_vec(), "application/json")
        .await;
    assert_eq!((status, body), (400, Value::String("not json".into())));
    let (status, body) = client
        .post_raw(br#"{"query":"{ b }"}"#.to_vec(), "application/json")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["body"]["query"], "{ b }");
}

/// Handshake callback: require and echo the sub-protocol, as real servers do
/// (the client rejects a response without it). The signature is tungstenite's.
#[allow(clippy::result_large_err, clippy::unnecessary_wraps)]
fn pick_protocol(req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
    let proto = req
        .headers()
        .get("sec-websocket-protocol")
        .cloned()
        .unwrap();
    assert_eq!(proto, "graphql-transport-ws");
    resp.headers_mut().insert("sec-websocket-protocol", proto);
    Ok(resp)
}

async fn next_json(ws: &mut WebSocketStream<TcpStream>) -> Value {
    loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// graphql-transport-ws server: rejects `{"token": "bad"}` with 4403, else
/// acks, pings (and requires the pong), then answers a subscribe with one
/// `next` and a `complete`.
async fn fake_ws_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_hdr_async(stream, pick_protocol)
                    .await
                    .unwrap();
                let init = next_json(&mut ws).await;
                assert_eq!(init["type"], "connection_init");
                if init["payload"]["token"] == "bad" {
                    ws.close(Some(CloseFrame {
                        code: CloseCode::from(4403),
                        reason: "Forbidden".into(),
                    }))
                    .await
                    .unwrap();
                    return;
                }
                ws.send(Message::text(r#"{"type":"connection_ack"}"#))
                    .await
                    .unwrap();
                let sub = next_json(&mut ws).await;
                assert_eq!(sub["type"], "subscribe");
                let id = sub["id"].clone();
                ws.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
                assert_eq!(next_json(&mut ws).await["type"], "pong");
                let n = sub["payload"]["variables"]["n"].clone();
                ws.send(Message::text(
                    json!({"id": id, "type": "next", "payload": {"data": {"n": n}}}).to_string(),
                ))
                .await
                .unwrap();
                ws.send(Message::text(
                    json!({"id": id, "type": "complete"}).to_string(),
                ))
                .await
                .unwrap();
                // Wait for the client to go away.
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    format!("ws://{addr}/graphql")
}

#[tokio::test]
async fn ws_client_speaks_graphql_transport_ws() {
    let url = fake_ws_server().await;

    let err = WsClient::connect(&url, json!({"token": "bad"}))
        .await
        .unwrap_err();
    assert_eq!(err, "4403: Forbidden");

    let mut ws = WsClient::connect(&url, json!({"token": "good"}))
        .await
        .unwrap();
    ws.subscribe("s1", "subscription($n: Int) { n }", json!({"n": 7}))
        .await;
    let event = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        event,
        json!({"id": "s1", "type": "next", "payload": {"data": {"n": 7}}})
    );
    let event = ws.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(event["type"], "complete");
    assert_eq!(
        ws.next_event(Duration::from_millis(100)).await,
        None,
        "nothing more: timeout"
    );
    assert_eq!(ws.close_frame(), None);
    ws.close().await;
}
