//! Handlers of events, typed ([`Handler`], [`TxHandler`]), and what the
//! worker and the consumer call underneath: [`Deliver`] takes the stored
//! [`Envelope`] of any kind; the decoding from one to the other happens
//! here, once for every handler.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use diesel::result::Error as DieselError;
use diesel_async::AsyncPgConnection;

use crate::{Envelope, Event, Pool};

/// Handles the events of type `E`.
///
/// Called with the decoded event and its envelope (whose
/// [`event_id`](Envelope::event_id) keys idempotency: delivery is
/// at-least-once). A payload that does not decode into `E` never reaches
/// the handler: it fails permanently. The outbox worker calls it while it
/// holds the event's row lock, so keep it bounded (`handler_timeout`
/// applies).
#[async_trait::async_trait]
pub trait Handler<E: Event>: Send + Sync + 'static {
    async fn handle(&self, event: E, envelope: &Envelope) -> Result<(), HandlerError>;
}

/// Handles the events of type `E` by writing to the service's own database,
/// inside a transaction it is given: the outbox worker runs it in a
/// savepoint of its batch transaction (so its writes commit together with
/// the deletion of the event, one commit per batch), the broker consumer in
/// a transaction of its own. A handler error rolls its writes back.
#[async_trait::async_trait]
pub trait TxHandler<E: Event>: Send + Sync + 'static {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        event: E,
        envelope: &Envelope,
    ) -> Result<(), HandlerError>;
}

/// Why a handler did not deliver an event, and whether retrying can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HandlerError {
    message: String,
    permanent: bool,
}

impl HandlerError {
    /// A transient failure (peer down, timeout…): back off and retry.
    pub fn retry(msg: impl fmt::Display) -> Self {
        Self {
            message: msg.to_string(),
            permanent: false,
        }
    }

    /// A failure no retry can fix (invalid payload…): park as dead at once.
    pub fn permanent(msg: impl fmt::Display) -> Self {
        Self {
            message: msg.to_string(),
            permanent: true,
        }
    }

    pub fn is_permanent(&self) -> bool {
        self.permanent
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Delivers a stored event of the kind it is registered for (a decoding
/// handler, or the broker's publisher, which forwards any kind as it is).
#[async_trait::async_trait]
pub(crate) trait Deliver: Send + Sync + 'static {
    async fn deliver(&self, envelope: &Envelope) -> Result<(), HandlerError>;
}

/// [`Deliver`] inside a transaction it is given.
#[async_trait::async_trait]
pub(crate) trait DeliverInTx: Send + Sync + 'static {
    async fn deliver(
        &self,
        conn: &mut AsyncPgConnection,
        envelope: &Envelope,
    ) -> Result<(), HandlerError>;
}

/// A typed handler as the worker and the consumer call it: decodes, then
/// hands over.
pub(crate) struct Decoding<E, H> {
    handler: H,
    // fn() -> E: the adapter neither owns an E nor needs E: Sync to be Sync.
    event: PhantomData<fn() -> E>,
}

impl<E, H> Decoding<E, H> {
    pub(crate) fn new(handler: H) -> Self {
        Self {
            handler,
            event: PhantomData,
        }
    }
}

#[async_trait::async_trait]
impl<E: Event, H: Handler<E>> Deliver for Decoding<E, H> {
    async fn deliver(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let event = envelope.payload_as::<E>()?;
        self.handler.handle(event, envelope).await
    }
}

#[async_trait::async_trait]
impl<E: Event, H: TxHandler<E>> DeliverInTx for Decoding<E, H> {
    async fn deliver(
        &self,
        conn: &mut AsyncPgConnection,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        let event = envelope.payload_as::<E>()?;
        self.handler.handle(conn, event, envelope).await
    }
}

/// Why a transaction around a [`DeliverInTx`] was rolled back.
enum TxAbort {
    Handler(HandlerError),
    Db(DieselError),
}

impl From<DieselError> for TxAbort {
    fn from(err: DieselError) -> Self {
        TxAbort::Db(err)
    }
}

/// Runs `handler` in a transaction on `conn` (a savepoint if one is open).
pub(crate) async fn in_transaction(
    conn: &mut AsyncPgConnection,
    handler: &dyn DeliverInTx,
    envelope: &Envelope,
) -> Result<(), HandlerError> {
    use diesel_async::AsyncConnection as _;
    let result = conn
        .transaction::<_, TxAbort, _>(async |conn| {
            handler
                .deliver(conn, envelope)
                .await
                .map_err(TxAbort::Handler)
        })
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(TxAbort::Handler(err)) => Err(err),
        Err(TxAbort::Db(err)) => Err(HandlerError::retry(format!("database: {err}"))),
    }
}

/// A [`DeliverInTx`] called outside the worker (by the broker consumer): in
/// a transaction of its own.
pub(crate) struct InOwnTransaction {
    pub(crate) pool: Pool,
    pub(crate) handler: Arc<dyn DeliverInTx>,
}

#[async_trait::async_trait]
impl Deliver for InOwnTransaction {
    async fn deliver(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| HandlerError::retry(format!("no database connection: {e}")))?;
        in_transaction(&mut conn, self.handler.as_ref(), envelope).await
    }
}
