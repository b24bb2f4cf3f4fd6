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
//!   (4410 `MAX_LIFETIME`); clients reconnect and resume from their cursor;
//! - binary frames are refused (close 4400): the protocol is text, and
//!   only text is counted;
//! - the session: every `subscribe` re-checks the connection's token
//!   before anything runs, and when auth announces the session's
//!   revocation, or the token expires, every running subscription gets an
//!   `UNAUTHENTICATED` error (reason `SESSION_REVOKED` / `TOKEN_EXPIRED`)
//!   and `complete`, and later `subscribe`s get an `error` with the same.
//!
//! async-graphql speaks the protocol; this module drives it, watching the
//! messages go by to know which subscriptions are running.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor};
use auth_client::{
    Authenticator, BearerToken, Caller, Revocation, SharedAuthenticator, authenticate_init_payload,
    token_from_init_payload,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt as _, StreamExt as _};
use tokio::time::Instant;
use uuid::Uuid;

use crate::request_meta::RequestMeta;

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
    /// The signed-in session of the connection (from `connection_init`).
    session: Option<Session>,
    /// Set once that session was revoked or its token expired: the reason
    /// every later `subscribe` is refused with.
    ended: Option<String>,
    /// Subscriptions the driver ended itself: what async-graphql still
    /// sends for them is dropped.
    ending: HashSet<String>,
}

/// The credentials a connection signed in with.
struct Session {
    token: String,
    id: Uuid,
    expires: Instant,
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

/// What the driver itself sends, beside async-graphql's messages.
enum Out {
    Text(String),
    Close(u16, String),
    /// The session is over (the reason): end every running subscription.
    EndSession(String),
}

/// Close code: the client broke the protocol (a binary frame).
pub const CLOSE_BAD_REQUEST: u16 = 4400;

/// Everything one connection needs.
pub(crate) struct Connection<E> {
    pub executor: E,
    pub protocol: WebSocketProtocols,
    pub authenticator: SharedAuthenticator,
    pub limits: WsLimits,
    pub connections: Connections,
    pub meta: RequestMeta,
}

/// What the input side needs to admit a client message.
#[derive(Clone)]
struct Admission {
    state: Shared,
    limits: WsLimits,
    protocol: WebSocketProtocols,
    authenticator: SharedAuthenticator,
    out: tokio::sync::mpsc::UnboundedSender<Out>,
}

/// The fate of one client frame.
enum Admit {
    Forward(Vec<u8>),
    Skip,
    /// Stop reading: the connection is being closed.
    Stop,
}

impl<E: Executor> Connection<E> {
    pub(crate) async fn serve(self, socket: WebSocket) {
        let limits = self.limits;
        let protocol = self.protocol;
        let started = Instant::now();
        let state: Shared = Arc::new(Mutex::new(State {
            running: HashSet::new(),
            idle_since: Some(started),
            refusal: None,
            slot: None,
            session: None,
            ended: None,
            ending: HashSet::new(),
        }));
        let (mut sink, incoming) = socket.split();
        let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<Out>();
        // Messages to async-graphql as if the client had sent them (the
        // `complete` of a subscription the driver ended).
        let (inject_tx, inject_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        // Listening before `connection_init`: a revocation between the
        // token check and this would otherwise go unheard.
        let mut revocations = self.authenticator.revocations();

        let admission = Admission {
            state: state.clone(),
            limits,
            protocol,
            authenticator: self.authenticator.clone(),
            out: out_tx.clone(),
        };
        let client = incoming
            .take_while(|message| std::future::ready(message.is_ok()))
            .then(move |message| {
                let admission = admission.clone();
                async move {
                    match message {
                        Ok(Message::Text(text)) => admission.admit(text.as_str()).await,
                        Ok(Message::Binary(_)) => {
                            // graphql-transport-ws is text only; a binary
                            // frame would slip past the counting above.
                            let _ = admission.out.send(Out::Close(
                                CLOSE_BAD_REQUEST,
                                "binary frames are not accepted; send text".to_owned(),
                            ));
                            Admit::Stop
                        }
                        _ => Admit::Skip,
                    }
                }
            })
            .take_while(|admit| std::future::ready(!matches!(admit, Admit::Stop)))
            .filter_map(|admit| {
                std::future::ready(match admit {
                    Admit::Forward(bytes) => Some(bytes),
                    Admit::Skip | Admit::Stop => None,
                })
            });
        // The input ends when the client's side ends, whatever was injected.
        let input = futures::stream::select(
            client
                .map(Some)
                .chain(futures::stream::once(std::future::ready(None))),
            tokio_stream::wrappers::UnboundedReceiverStream::new(inject_rx).map(Some),
        )
        .take_while(|message| std::future::ready(message.is_some()))
        .filter_map(std::future::ready);

        let mut data = Data::default();
        data.insert(self.meta);
        let checker = self.authenticator.clone();
        let authenticator = self.authenticator;
        let connections = self.connections;
        let init_state = state.clone();
        let graphql = async_graphql::http::WebSocket::new(self.executor, input, protocol)
            .connection_data(data)
            .on_connection_init(move |payload| async move {
                let caller = authenticate_init_payload(authenticator.as_ref(), &payload).await;
                let token = token_from_init_payload(&payload).and_then(Result::ok);
                if let Caller::Authenticated(identity) = &caller {
                    let max = limits.max_connections_per_user;
                    match connections.acquire(identity.user_id, max) {
                        Some(slot) => {
                            let mut state = lock(&init_state);
                            state.slot = Some(slot);
                            state.session = token.clone().map(|token| Session {
                                token,
                                id: identity.session_id,
                                expires: instant_of(identity.expires_at),
                            });
                        }
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
                if let Some(token) = token {
                    data.insert(BearerToken(token));
                }
                data.insert::<Caller>(caller);
                data.insert::<SharedAuthenticator>(authenticator);
                Ok(data)
            });
        futures::pin_mut!(graphql);

        let lifetime_ends = started + limits.max_lifetime;
        loop {
            let (idle_ends, expires) = {
                let state = lock(&state);
                let expires = match (&state.session, &state.ended) {
                    (Some(session), None) => Some(session.expires),
                    _ => None,
                };
                (
                    state.idle_since.map(|since| since + limits.idle_timeout),
                    expires,
                )
            };
            tokio::select! {
                out = graphql.next() => match out {
                    Some(WsMessage::Text(text)) => {
                        if !server_message(&state, &text) {
                            continue;
                        }
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        let (code, reason) = lock(&state).refusal.take().unwrap_or((code, reason));
                        close(&mut sink, code, &reason).await;
                        break;
                    }
                    None => {
                        // The input ended: a close of the driver's may be why.
                        while let Ok(out) = out_rx.try_recv() {
                            if let Out::Close(code, reason) = out {
                                close(&mut sink, code, &reason).await;
                                break;
                            }
                        }
                        break;
                    }
                },
                Some(out) = out_rx.recv() => match out {
                    Out::Text(text) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Out::Close(code, reason) => {
                        close(&mut sink, code, &reason).await;
                        break;
                    }
                    Out::EndSession(reason) => {
                        if end_session(&state, protocol, &reason, &mut sink, &inject_tx).await.is_err() {
                            break;
                        }
                    }
                },
                heard = recv_revocation(&mut revocations) => {
                    let ended = match heard {
                        Heard::Revoked(session) => {
                            let mine = lock(&state).session.as_ref().is_some_and(|s| s.id == session);
                            mine.then(|| SESSION_REVOKED.to_owned())
                        }
                        Heard::Recheck => recheck(&state, checker.as_ref()).await,
                        Heard::Closed => {
                            revocations = None;
                            None
                        }
                    };
                    if let Some(reason) = ended
                        && end_session(&state, protocol, &reason, &mut sink, &inject_tx).await.is_err()
                    {
                        break;
                    }
                }
                () = sleep_until(expires), if expires.is_some() => {
                    if end_session(&state, protocol, TOKEN_EXPIRED, &mut sink, &inject_tx).await.is_err() {
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

/// The reason a running or new subscription of a revoked session gets.
pub const SESSION_REVOKED: &str = "SESSION_REVOKED";
/// The reason a running or new subscription of an expired token gets.
pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";

/// The reason for a token auth refused: its own, but `TOKEN_EXPIRED` for
/// an expired one (what a client must refresh for).
fn session_reason(rejection: &str) -> String {
    match rejection {
        "EXPIRED" => TOKEN_EXPIRED.to_owned(),
        other => other.to_owned(),
    }
}

impl Admission {
    /// Admits one text frame: notes subscriptions starting and ending, and
    /// checks the connection's credentials again before a subscription
    /// starts, so a signed-out session replays nothing.
    async fn admit(&self, text: &str) -> Admit {
        let forward = Admit::Forward(text.as_bytes().to_vec());
        let Some(Envelope { kind, id: Some(id) }) = envelope(text) else {
            return forward;
        };
        match kind.as_str() {
            // graphql-transport-ws, graphql-ws
            "subscribe" | "start" => {}
            "complete" | "stop" => {
                end(&mut lock(&self.state), &id);
                return forward;
            }
            _ => return forward,
        }
        let token = {
            let state = lock(&self.state);
            let max = self.limits.max_subscriptions_per_connection;
            if max > 0 && state.running.len() >= max && !state.running.contains(&id) {
                drop(state);
                self.send(too_many_subscriptions(&id, max));
                return Admit::Skip;
            }
            if let Some(reason) = &state.ended {
                let refused = refusal(self.protocol, &id, &session_error(reason));
                drop(state);
                self.send(refused);
                return Admit::Skip;
            }
            state.session.as_ref().map(|session| session.token.clone())
        };
        if let Some(token) = token {
            match self.authenticator.validate(&token).await {
                Caller::Authenticated(_) => {}
                Caller::Rejected(rejection) => {
                    let reason = session_reason(&rejection);
                    self.send(refusal(self.protocol, &id, &session_error(&reason)));
                    let _ = self.out.send(Out::EndSession(reason));
                    return Admit::Skip;
                }
                Caller::Anonymous | Caller::Unavailable => {
                    self.send(refusal(self.protocol, &id, &unavailable_error()));
                    return Admit::Skip;
                }
            }
        }
        let mut state = lock(&self.state);
        // The session may have ended while the token was being checked.
        if let Some(reason) = &state.ended {
            let refused = refusal(self.protocol, &id, &session_error(reason));
            drop(state);
            self.send(refused);
            return Admit::Skip;
        }
        state.running.insert(id);
        state.idle_since = None;
        forward
    }

    fn send(&self, text: String) {
        let _ = self.out.send(Out::Text(text));
    }
}

/// What a connection heard from the revocation feed.
enum Heard {
    Revoked(Uuid),
    /// Something may have been missed: check the token again.
    Recheck,
    /// The feed is gone.
    Closed,
}

async fn recv_revocation(
    revocations: &mut Option<tokio::sync::broadcast::Receiver<Revocation>>,
) -> Heard {
    use tokio::sync::broadcast::error::RecvError;
    let Some(receiver) = revocations else {
        return std::future::pending().await;
    };
    match receiver.recv().await {
        Ok(Revocation::Session(session)) => Heard::Revoked(session),
        Ok(Revocation::Resync) | Err(RecvError::Lagged(_)) => Heard::Recheck,
        Err(RecvError::Closed) => Heard::Closed,
    }
}

/// Checks the connection's token again; the reason its session is over,
/// if it is. An unreachable auth decides nothing: the next resync will.
async fn recheck(state: &Shared, authenticator: &dyn Authenticator) -> Option<String> {
    let token = {
        let state = lock(state);
        if state.ended.is_some() {
            return None;
        }
        state.session.as_ref()?.token.clone()
    };
    match authenticator.validate(&token).await {
        Caller::Rejected(rejection) => Some(session_reason(&rejection)),
        Caller::Authenticated(_) | Caller::Anonymous | Caller::Unavailable => None,
    }
}

/// Ends the connection's session: every running subscription gets the
/// error, then `complete`; async-graphql is told to stop them; every later
/// `subscribe` is refused with the same error. The connection stays open
/// (the router may share it) until it idles out.
async fn end_session(
    state: &Shared,
    protocol: WebSocketProtocols,
    reason: &str,
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    inject: &tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
) -> Result<(), axum::Error> {
    let ids: Vec<String> = {
        let mut state = lock(state);
        if state.ended.is_some() {
            return Ok(());
        }
        state.ended = Some(reason.to_owned());
        let ids: Vec<String> = state.running.drain().collect();
        state.ending.extend(ids.iter().cloned());
        if state.idle_since.is_none() {
            state.idle_since = Some(Instant::now());
        }
        ids
    };
    if !ids.is_empty() {
        tracing::info!(
            reason,
            subscriptions = ids.len(),
            "session over; ending its subscriptions"
        );
    }
    let error = session_error(reason);
    let (data, stop) = match protocol {
        WebSocketProtocols::GraphQLWS => ("next", "complete"),
        WebSocketProtocols::SubscriptionsTransportWS => ("data", "stop"),
    };
    for id in ids {
        let last = serde_json::json!({
            "id": id, "type": data, "payload": { "data": null, "errors": [error] },
        });
        sink.send(Message::Text(last.to_string().into())).await?;
        let complete = serde_json::json!({ "id": id, "type": "complete" });
        sink.send(Message::Text(complete.to_string().into()))
            .await?;
        let _ = inject.send(
            serde_json::json!({ "id": id, "type": stop })
                .to_string()
                .into_bytes(),
        );
    }
    Ok(())
}

fn session_error(reason: &str) -> serde_json::Value {
    let message = if reason == TOKEN_EXPIRED {
        "the access token expired: refresh it, reconnect and resume from your last cursor"
    } else {
        "the session is no longer valid (signed out or revoked): sign in again"
    };
    serde_json::json!({
        "message": message,
        "extensions": { "code": "UNAUTHENTICATED", "reason": reason },
    })
}

fn unavailable_error() -> serde_json::Value {
    serde_json::json!({
        "message": "the authentication service is unavailable, try again later",
        "extensions": { "code": "UNAVAILABLE" },
    })
}

/// An `error` message refusing subscription `id` (graphql-transport-ws
/// carries a list of errors, the older graphql-ws one error).
fn refusal(protocol: WebSocketProtocols, id: &str, error: &serde_json::Value) -> String {
    let payload = match protocol {
        WebSocketProtocols::GraphQLWS => serde_json::json!([error]),
        WebSocketProtocols::SubscriptionsTransportWS => error.clone(),
    };
    serde_json::json!({ "id": id, "type": "error", "payload": payload }).to_string()
}

/// The `Instant` of a Unix time in seconds (now, if it has passed).
fn instant_of(unix_secs: i64) -> Instant {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let left = u64::try_from(unix_secs).unwrap_or(0).saturating_sub(now);
    Instant::now() + Duration::from_secs(left)
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

/// Notes a server message (`complete` and `error` end a subscription);
/// false if it must not reach the client (it belongs to a subscription the
/// driver ended already).
fn server_message(state: &Shared, text: &str) -> bool {
    let mut state = lock(state);
    if !state.ending.is_empty()
        && let Some(Envelope { kind, id: Some(id) }) = envelope(text)
        && state.ending.contains(&id)
    {
        if kind == "complete" || kind == "error" {
            state.ending.remove(&id);
        }
        return false;
    }
    // Cheap test first: `next` messages carry whole payloads.
    let head = text.get(..40).unwrap_or(text);
    if !(head.contains("\"complete\"") || head.contains("\"error\"")) {
        return true;
    }
    if let Some(Envelope { kind, id: Some(id) }) = envelope(text)
        && (kind == "complete" || kind == "error")
    {
        end(&mut state, &id);
    }
    true
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
