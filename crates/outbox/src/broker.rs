//! `EVENTS=broker`: events travel through a NATS JetStream stream.
//!
//! The producing service's outbox [`Worker`](crate::Worker) still claims
//! rows, but it delivers a forwarded event type
//! ([`Worker::forward`](crate::Worker::forward)) by publishing the stored
//! event to `<stream>.<kind>` with `Nats-Msg-Id: <event_id>`, which
//! succeeds only once JetStream acknowledged it (stored; a republish of
//! the same id within the stream's duplicate window is dropped by the
//! server). A NATS that cannot be reached is an ordinary retryable failure:
//! the row stays in the outbox, backs off, and flows when NATS is back.
//!
//! The receiving service runs a [`Consumer`]: one durable pull consumer per
//! event type (`<service>-<kind>`), explicit acks, redelivery after
//! `ack_wait` or at once on a nak. It calls the same [`Handler`] the outbox
//! mode would, so handlers stay idempotent by `event_id` either way
//! (at-least-once).

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer, stream};
use chrono::{DateTime, Utc};
use futures::{FutureExt, StreamExt};
use tokio::sync::OnceCell;
use tracing::{debug, error, info, warn};
use uuid::Uuid;

use crate::handler::{Decoding, Deliver};
use crate::{Envelope, Event, Handler, HandlerError};

/// Header carrying the enqueue time of the event (RFC 3339).
const CREATED_AT_HEADER: &str = "Outbox-Created-At";
/// How long a publish waits for JetStream's ack.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the stream keeps events (consumers far behind still catch up).
const STREAM_MAX_AGE: Duration = Duration::from_hours(24 * 7);
/// Reconnect backoff of a consumer whose NATS or stream went away.
const CONSUMER_BACKOFF_MIN: Duration = Duration::from_millis(200);
const CONSUMER_BACKOFF_MAX: Duration = Duration::from_secs(10);

/// Where and how events are exchanged in broker mode.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// `nats://host:port`.
    pub url: String,
    /// JetStream stream name; its subjects are `<stream>.>`.
    pub stream: String,
    /// Deliveries of one event before the consumer gives up on it.
    pub max_deliver: i64,
    /// Redelivery when a handler neither acks nor naks (crash, hang).
    pub ack_wait: Duration,
    /// Upper bound for one handler call.
    pub handler_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("NATS is not connected ({0})")]
    NotConnected(String),
    #[error("NATS: {0}")]
    Nats(String),
}

fn nats_err(e: impl std::fmt::Display) -> BrokerError {
    BrokerError::Nats(e.to_string())
}

/// A lazily connected NATS client with its JetStream context and stream,
/// shared by the publishers (and consumers) of one process. The client
/// reconnects on its own; the stream is created on first use if missing.
#[derive(Clone)]
pub struct Broker {
    config: BrokerConfig,
    client: Arc<OnceCell<async_nats::Client>>,
    stream: Arc<OnceCell<stream::Stream>>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Broker {
    pub fn new(config: BrokerConfig) -> Self {
        Self {
            config,
            client: Arc::new(OnceCell::new()),
            stream: Arc::new(OnceCell::new()),
        }
    }

    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// The subject an event of `kind` is published on.
    pub fn subject(&self, kind: &str) -> String {
        format!("{}.{kind}", self.config.stream)
    }

    /// The connected client; fails fast (no waiting on a dead server) while
    /// NATS cannot be reached, so a worker batch is never held up by it.
    async fn client(&self) -> Result<&async_nats::Client, BrokerError> {
        let client = self
            .client
            .get_or_try_init(|| async {
                async_nats::ConnectOptions::new()
                    .name("messenger-outbox")
                    .connection_timeout(Duration::from_secs(2))
                    // Keep trying in the background: events wait in the
                    // outbox meanwhile.
                    .retry_on_initial_connect()
                    .max_reconnects(None)
                    .connect(self.config.url.as_str())
                    .await
                    .map_err(nats_err)
            })
            .await?;
        // The first connection is made in the background: give it a moment
        // before calling NATS down.
        for _ in 0..10 {
            if client.connection_state() == async_nats::connection::State::Connected {
                return Ok(client);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(BrokerError::NotConnected(format!(
            "{:?} to {}",
            client.connection_state(),
            self.config.url
        )))
    }

    /// JetStream context with a bounded request timeout.
    async fn jetstream(&self) -> Result<jetstream::Context, BrokerError> {
        let client = self.client().await?.clone();
        let mut js = jetstream::new(client);
        js.set_timeout(PUBLISH_TIMEOUT);
        Ok(js)
    }

    /// The stream, created with our settings if it does not exist yet.
    pub async fn stream(&self) -> Result<stream::Stream, BrokerError> {
        let js = self.jetstream().await?;
        let stream = self
            .stream
            .get_or_try_init(|| async {
                js.get_or_create_stream(stream::Config {
                    name: self.config.stream.clone(),
                    subjects: vec![format!("{}.>", self.config.stream)],
                    storage: stream::StorageType::File,
                    retention: stream::RetentionPolicy::Limits,
                    max_age: STREAM_MAX_AGE,
                    duplicate_window: Duration::from_mins(2),
                    ..stream::Config::default()
                })
                .await
                .map_err(nats_err)
            })
            .await?;
        Ok(stream.clone())
    }

    /// Publishes `event` and waits for JetStream to store it. Returns whether
    /// the server saw it as a duplicate (an earlier attempt got through).
    pub async fn publish(&self, event: &Envelope) -> Result<bool, BrokerError> {
        self.stream().await?;
        let js = self.jetstream().await?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            event.event_id.to_string().as_str(),
        );
        headers.insert(CREATED_AT_HEADER, event.created_at.to_rfc3339().as_str());
        let payload = serde_json::to_vec(&event.payload).map_err(nats_err)?;
        let ack = js
            .publish_with_headers(self.subject(&event.kind), headers, payload.into())
            .await
            .map_err(nats_err)?
            .await
            .map_err(nats_err)?;
        Ok(ack.duplicate)
    }

    /// Deletes the stream (tests clean up with it).
    pub async fn delete_stream(&self) -> Result<(), BrokerError> {
        let js = self.jetstream().await?;
        js.delete_stream(&self.config.stream)
            .await
            .map_err(nats_err)?;
        Ok(())
    }
}

/// The outbox handler of a forwarded kind in broker mode: publish, and count
/// the row delivered once JetStream has it.
#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    broker: Broker,
}

impl Publisher {
    pub(crate) fn new(broker: Broker) -> Self {
        Self { broker }
    }
}

#[async_trait::async_trait]
impl Deliver for Publisher {
    async fn deliver(&self, event: &Envelope) -> Result<(), HandlerError> {
        match self.broker.publish(event).await {
            Ok(duplicate) => {
                debug!(event_id = %event.event_id, kind = %event.kind, duplicate, "published to JetStream");
                Ok(())
            }
            Err(e) => Err(HandlerError::retry(format!("publish to JetStream: {e}"))),
        }
    }
}

/// Reads events from the stream and hands them to handlers, one durable pull
/// consumer per event type.
pub struct Consumer {
    broker: Broker,
    service: String,
    handlers: HashMap<String, Arc<dyn Deliver>>,
    /// Kinds whose events are handled one at a time in stream order.
    in_order: HashSet<String>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        kinds.sort_unstable();
        f.debug_struct("Consumer")
            .field("service", &self.service)
            .field("kinds", &kinds)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// `service` names the durable consumers (`<service>-<kind>`): every
    /// process of one service shares them, so each event is handled by one.
    pub fn new(broker: Broker, service: &str) -> Self {
        Self {
            broker,
            service: service.to_owned(),
            handlers: HashMap::new(),
            in_order: HashSet::new(),
        }
    }

    /// Registers the handler of the events of type `E` (replacing any
    /// previous one).
    #[must_use]
    pub fn handler<E: Event>(self, h: impl Handler<E>) -> Self {
        self.register(E::KIND, Arc::new(Decoding::new(h)), false)
    }

    /// Registers the handler of the events of type `E`, which must be
    /// handled in stream order: its consumer has `max_ack_pending = 1`, so
    /// JetStream hands out the next event only once the previous one is
    /// acked or terminated, whichever process of the service holds it. A
    /// failing event blocks the ones behind it until it succeeds or is given
    /// up.
    #[must_use]
    pub fn handler_in_order<E: Event>(self, h: impl Handler<E>) -> Self {
        self.register(E::KIND, Arc::new(Decoding::new(h)), true)
    }

    /// Registers `deliver` for `kind` (replacing any previous one).
    #[must_use]
    pub(crate) fn register(
        mut self,
        kind: &str,
        deliver: Arc<dyn Deliver>,
        in_order: bool,
    ) -> Self {
        self.handlers.insert(kind.to_owned(), deliver);
        if in_order {
            self.in_order.insert(kind.to_owned());
        } else {
            self.in_order.remove(kind);
        }
        self
    }

    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// Whether any handler is registered.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// Consumes until `shutdown` resolves; reconnects on its own.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let loops = self.handlers.iter().map(|(kind, handler)| {
            let in_order = self.in_order.contains(kind);
            consume_kind(
                &self.broker,
                &self.service,
                kind,
                handler.as_ref(),
                in_order,
            )
        });
        info!(service = %self.service, kinds = ?self.handlers.keys().collect::<Vec<_>>(), "JetStream consumer started");
        tokio::select! {
            _ = futures::future::join_all(loops) => {}
            () = shutdown => {}
        }
        info!(service = %self.service, "JetStream consumer stopped");
    }
}

/// Durable consumer name: `.` is not allowed in names.
fn durable_name(service: &str, kind: &str) -> String {
    format!("{service}-{}", kind.replace(['.', '*', '>', ' '], "_"))
}

/// One kind's consume loop; never returns.
async fn consume_kind(
    broker: &Broker,
    service: &str,
    kind: &str,
    handler: &dyn Deliver,
    in_order: bool,
) {
    let mut backoff = CONSUMER_BACKOFF_MIN;
    loop {
        match consume_once(broker, service, kind, handler, in_order, &mut backoff).await {
            Ok(()) => warn!(kind, "JetStream message stream ended; resubscribing"),
            Err(e) => warn!(kind, error = %e, retry_in = ?backoff, "JetStream consumer failed"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(CONSUMER_BACKOFF_MAX);
    }
}

async fn consume_once(
    broker: &Broker,
    service: &str,
    kind: &str,
    handler: &dyn Deliver,
    in_order: bool,
    backoff: &mut Duration,
) -> Result<(), BrokerError> {
    let stream = broker.stream().await?;
    let name = durable_name(service, kind);
    let config = broker.config();
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &name,
            consumer::pull::Config {
                durable_name: Some(name.clone()),
                filter_subject: broker.subject(kind),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: config.ack_wait,
                max_deliver: config.max_deliver,
                deliver_policy: consumer::DeliverPolicy::All,
                // In order: 1 in flight; else 0, the server's default (1000).
                max_ack_pending: i64::from(in_order),
                ..consumer::pull::Config::default()
            },
        )
        .await
        .map_err(nats_err)?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(32)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(nats_err)?;
    debug!(consumer = %name, "JetStream consumer subscribed");
    while let Some(message) = messages.next().await {
        let message = message.map_err(nats_err)?;
        *backoff = CONSUMER_BACKOFF_MIN;
        handle_message(broker, kind, handler, &message).await;
    }
    Ok(())
}

/// Turns a message back into an [`Envelope`], runs the handler and acks, naks
/// (redelivery after a delay) or terminates it.
async fn handle_message(
    broker: &Broker,
    kind: &str,
    handler: &dyn Deliver,
    message: &jetstream::Message,
) {
    let (sequence, delivered) = message
        .info()
        .map(|i| (i.stream_sequence, i.delivered))
        .unwrap_or((0, 1));
    let header = |name: &str| {
        message
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .map(|v| v.as_str().to_owned())
    };
    let event_id = header(async_nats::header::NATS_MESSAGE_ID.as_ref())
        .and_then(|id| Uuid::try_parse(&id).ok());
    let created_at = header(CREATED_AT_HEADER)
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    let payload = serde_json::from_slice::<serde_json::Value>(&message.payload);

    let result = match (event_id, payload) {
        (Some(event_id), Ok(payload)) => {
            let event = Envelope {
                id: sequence as i64,
                event_id,
                kind: kind.to_owned(),
                payload,
                attempts: (delivered - 1).clamp(0, i64::from(i32::MAX)) as i32,
                created_at,
            };
            call(handler, &event, broker.config().handler_timeout).await
        }
        _ => Err(HandlerError::permanent(
            "message without a valid Nats-Msg-Id or JSON payload",
        )),
    };

    let ack = match &result {
        Ok(()) => AckKind::Ack,
        Err(err) if err.is_permanent() || delivered >= broker.config().max_deliver => {
            error!(?event_id, kind, sequence, delivered, error = %err, "JetStream event given up");
            AckKind::Term
        }
        Err(err) => {
            let delay = Duration::from_millis(200)
                .saturating_mul(1 << delivered.clamp(0, 10))
                .min(Duration::from_mins(1));
            warn!(?event_id, kind, delivered, retry_in = ?delay, error = %err, "JetStream event failed; will retry");
            AckKind::Nak(Some(delay))
        }
    };
    // A lost ack means a redelivery, which idempotent handlers absorb.
    if let Err(e) = message.ack_with(ack).await {
        warn!(?event_id, kind, error = %e, "JetStream ack failed");
    }
}

async fn call(
    handler: &dyn Deliver,
    event: &Envelope,
    timeout: Duration,
) -> Result<(), HandlerError> {
    let call = AssertUnwindSafe(handler.deliver(event)).catch_unwind();
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(HandlerError::retry("handler panicked")),
        Err(_) => Err(HandlerError::retry(format!(
            "handler timed out after {timeout:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_names_have_no_dots() {
        assert_eq!(
            durable_name("users", "users.create_user"),
            "users-users_create_user"
        );
    }
}
