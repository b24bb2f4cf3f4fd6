//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the
//! older `graphql-ws`), with the limits a public endpoint needs:
//!
//! - at most `max_connections_per_user` open connections per signed-in user
//!   in this process (close code 4429 `TOO_MANY_CONNECTIONS`);
//! - at most `max_subscriptions_per_connection` running subscriptions on one
//!   connection (that `subscribe` gets an `error` message with code
//!   `RATE_LIMITED`, reason `TOO_MANY_SUBSCRIPTIONS`; the connection stays);
//! - an idle timeout: a connection with no subscription running, from its
//!   start (no `connection_init` yet) or from its last subscription's end,
//!   is closed after `idle_timeout` (4408 `IDLE_TIMEOUT`);
//! - an absolute timeout: every connection is closed after `max_lifetime`
//!   (4410 `MAX_LIFETIME`); clients reconnect and resume from their cursor.
//!
//! async-graphql speaks the protocol; this module drives it, watching the
//! messages go by to know which subscriptions are running.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor};
use auth_client::{
    BearerToken, Caller, SharedAuthenticator, authenticate_init_payload, token_from_init_payload,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt as _, StreamExt as _};
use tokio::time::Instant;
use uuid::Uuid;

use crate::http::RequestMeta;

/// Close code: no subscription running for the idle timeout.
pub const CLOSE_IDLE_TIMEOUT: u16 = 4408;
/// Close code: the connection reached its maximum lifetime.
pub const CLOSE_MAX_LIFETIME: u16 = 4410;
/// Close code: the user has too many connections open already.
pub const CLOSE_TOO_MANY_CONNECTIONS: u16 = 4429;

/// Limits on subscription connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsLimits {
    /// 0: no limit.
    pub max_connections_per_user: usize,
    /// 0: no limit.
    pub max_subscriptions_per_connection: usize,
    pub idle_timeout: Duration,
    pub max_lifetime: Duration,
}

impl Default for WsLimits {
    fn default() -> Self {
        Self {
            max_connections_per_user: 32,
            max_subscriptions_per_connection: 100,
            idle_timeout: Duration::from_mins(1),
            max_lifetime: Duration::from_hours(24),
        }
    }
}

/// Open connections per user in this process.
#[derive(Clone, Default)]
pub struct Connections {
    per_user: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Connections {
    /// How many connections `user` has open.
    pub fn count(&self, user: Uuid) -> usize {
        self.lock().get(&user).copied().unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, usize>> {
        self.per_user.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for one more connection of `user`, if under `max` (0: no limit).
    fn acquire(&self, user: Uuid, max: usize) -> Option<Slot> {
        let mut map = self.lock();
        let count = map.entry(user).or_insert(0);
        if max > 0 && *count >= max {
            return None;
        }
        *count += 1;
        Some(Slot {
            connections: self.clone(),
            user,
        })
    }
}

/// One counted connection; dropping it frees the slot.
struct Slot {
    connections: Connections,
    user: Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.connections.lock();
        if let Some(count) = map.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.user);
            }
        }
    }
}

/// What the driver knows of one connection, updated as messages pass.
struct State {
    running: HashSet<String>,
    /// Since when no subscription has been running; `None` while one is.
    idle_since: Option<Instant>,
    /// Set when the connection is refused at `connection_init`.
    refusal: Option<(u16, String)>,
    slot: Option<Slot>,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Just the routing fields of a protocol message.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

fn envelope(text: &str) -> Option<Envelope> {
    serde_json::from_str(text).ok()
}

/// Everything one connection needs.
pub(crate) struct Connection<E> {
    pub executor: E,
    pub protocol: WebSocketProtocols,
    pub authenticator: SharedAuthenticator,
    pub limits: WsLimits,
    pub connections: Connections,
    pub meta: RequestMeta,
}

impl<E: Executor> Connection<E> {
    pub(crate) async fn serve(self, socket: WebSocket) {
        let limits = self.limits;
        let started = Instant::now();
        let state: Shared = Arc::new(Mutex::new(State {
            running: HashSet::new(),
            idle_since: Some(started),
            refusal: None,
            slot: None,
        }));
        let (mut sink, incoming) = socket.split();
        let (refused_tx, mut refused_rx) = tokio::sync::mpsc::unbounded_channel::<String>();

        let watched = state.clone();
        let input = incoming
            .take_while(|message| std::future::ready(message.is_ok()))
            .filter_map(move |message| {
                let forward = match message {
                    Ok(Message::Text(text)) => {
                        if client_message(&watched, &text, limits, &refused_tx) {
                            Some(text.as_bytes().to_vec())
                        } else {
                            None
                        }
                    }
                    Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                    _ => None,
                };
                std::future::ready(forward)
            });

        let mut data = Data::default();
        data.insert(self.meta);
        let authenticator = self.authenticator;
        let connections = self.connections;
        let init_state = state.clone();
        let graphql = async_graphql::http::WebSocket::new(self.executor, input, self.protocol)
            .connection_data(data)
            .on_connection_init(move |payload| async move {
                let caller = authenticate_init_payload(authenticator.as_ref(), &payload).await;
                if let Caller::Authenticated(identity) = &caller {
                    let max = limits.max_connections_per_user;
                    match connections.acquire(identity.user_id, max) {
                        Some(slot) => lock(&init_state).slot = Some(slot),
                        None => {
                            let reason = format!(
                                "TOO_MANY_CONNECTIONS: at most {max} subscription connections per user"
                            );
                            lock(&init_state).refusal =
                                Some((CLOSE_TOO_MANY_CONNECTIONS, reason.clone()));
                            return Err(async_graphql::Error::new(reason));
                        }
                    }
                }
                let mut data = Data::default();
                if let Some(Ok(token)) = token_from_init_payload(&payload) {
                    data.insert(BearerToken(token));
                }
                data.insert::<Caller>(caller);
                data.insert::<SharedAuthenticator>(authenticator);
                Ok(data)
            });
        futures::pin_mut!(graphql);

        let lifetime_ends = started + limits.max_lifetime;
        loop {
            let idle_ends = lock(&state)
                .idle_since
                .map(|since| since + limits.idle_timeout);
            tokio::select! {
                out = graphql.next() => match out {
                    Some(WsMessage::Text(text)) => {
                        server_message(&state, &text);
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        let (code, reason) = lock(&state).refusal.take().unwrap_or((code, reason));
                        close(&mut sink, code, &reason).await;
                        break;
                    }
                    None => break,
                },
                Some(id) = refused_rx.recv() => {
                    let refused = too_many_subscriptions(&id, limits.max_subscriptions_per_connection);
                    if sink.send(Message::Text(refused.into())).await.is_err() {
                        break;
                    }
                }
                () = sleep_until(idle_ends), if idle_ends.is_some() => {
                    // A subscription may have started meanwhile: look again.
                    let still_idle = lock(&state)
                        .idle_since
                        .is_some_and(|since| since + limits.idle_timeout <= Instant::now());
                    if still_idle {
                        let reason = format!(
                            "IDLE_TIMEOUT: no subscription for {}s",
                            limits.idle_timeout.as_secs()
                        );
                        close(&mut sink, CLOSE_IDLE_TIMEOUT, &reason).await;
                        break;
                    }
                }
                () = tokio::time::sleep_until(lifetime_ends) => {
                    let reason = format!(
                        "MAX_LIFETIME: connections last at most {}s; reconnect",
                        limits.max_lifetime.as_secs()
                    );
                    close(&mut sink, CLOSE_MAX_LIFETIME, &reason).await;
                    break;
                }
            }
        }
        // The slot (if any) is freed with the state.
        drop(state);
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn close(sink: &mut futures::stream::SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code,
        reason: reason[..end].to_owned().into(),
    };
    let _ = sink.send(Message::Close(Some(frame))).await;
}

/// Notes a client message; false if it must not reach async-graphql (a
/// subscription over the per-connection limit, refused through `refused`).
fn client_message(
    state: &Shared,
    text: &str,
    limits: WsLimits,
    refused: &tokio::sync::mpsc::UnboundedSender<String>,
) -> bool {
    let Some(Envelope { kind, id: Some(id) }) = envelope(text) else {
        return true;
    };
    let mut state = lock(state);
    match kind.as_str() {
        // graphql-transport-ws, graphql-ws
        "subscribe" | "start" => {
            let max = limits.max_subscriptions_per_connection;
            if max > 0 && state.running.len() >= max && !state.running.contains(&id) {
                let _ = refused.send(id);
                return false;
            }
            state.running.insert(id);
            state.idle_since = None;
        }
        "complete" | "stop" => end(&mut state, &id),
        _ => {}
    }
    true
}

/// Notes a server message: `complete` and `error` end a subscription.
fn server_message(state: &Shared, text: &str) {
    // Cheap test first: `next` messages carry whole payloads.
    let head = text.get(..40).unwrap_or(text);
    if !(head.contains("\"complete\"") || head.contains("\"error\"")) {
        return;
    }
    if let Some(Envelope { kind, id: Some(id) }) = envelope(text)
        && (kind == "complete" || kind == "error")
    {
        end(&mut lock(state), &id);
    }
}

fn end(state: &mut State, id: &str) {
    state.running.remove(id);
    if state.running.is_empty() && state.idle_since.is_none() {
        state.idle_since = Some(Instant::now());
    }
}

fn too_many_subscriptions(id: &str, max: usize) -> String {
    serde_json::json!({
        "id": id,
        "type": "error",
        "payload": [{
            "message": format!("at most {max} subscriptions may run on one connection"),
            "extensions": { "code": "RATE_LIMITED", "reason": "TOO_MANY_SUBSCRIPTIONS" },
        }],
    })
    .to_string()
}
