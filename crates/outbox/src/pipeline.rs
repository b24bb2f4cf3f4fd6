//! How one service routes each event type in either `EVENTS` mode.

use std::sync::Arc;

use crate::broker::{Broker, Consumer};
use crate::handler::{Decoding, InOwnTransaction};
use crate::{Event, Handler, Pool, Settings, TxHandler, Worker};

/// A service's outbox worker and, with `EVENTS=broker`, its JetStream
/// consumer, with every event type registered where the mode wants it. The
/// type is the handler's ([`Handler<E>`]): `.local(SendEmail::new(…))`.
///
/// ```text
///                       EVENTS=outbox              EVENTS=broker
/// local(h)              worker calls h             worker publishes; consumer calls h
/// local_in_order(h)     worker calls h, in order   worker publishes; consumer calls h, in order
/// incoming(h)           (the producer calls us)    consumer calls h
/// outgoing(|| h)        worker calls h             worker publishes
/// ```
pub struct Pipeline {
    worker: Worker,
    consumer: Option<Consumer>,
    pool: Pool,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("worker", &self.worker)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The worker of `service` over its database, and in broker mode the
    /// consumer whose durable consumers are named `<service>-<kind>`.
    pub fn pipeline(&self, service: &str, pool: Pool, database_url: String) -> Pipeline {
        Pipeline {
            worker: Worker::new(pool.clone(), database_url, self.worker_config()),
            consumer: self.broker().map(|broker| Consumer::new(broker, service)),
            pool,
        }
    }
}

impl Pipeline {
    /// Whether events travel through JetStream (`EVENTS=broker`).
    pub fn is_broker(&self) -> bool {
        self.consumer.is_some()
    }

    fn broker(&self) -> Option<Broker> {
        self.consumer.as_ref().map(|c| c.broker().clone())
    }

    /// An event this service both produces and acts on (an email): handled
    /// by `handler` in either mode.
    #[must_use]
    pub fn local<E: Event>(self, handler: impl Handler<E>) -> Self {
        match self.broker() {
            Some(broker) => Self {
                worker: self.worker.forward::<E>(broker),
                consumer: self.consumer.map(|c| c.handler(handler)),
                ..self
            },
            None => Self {
                worker: self.worker.handler(handler),
                ..self
            },
        }
    }

    /// An event this service produces and records in its own database (a
    /// notification), keeping the order in which the events were committed.
    /// `handler` writes inside a transaction it is given ([`TxHandler`]):
    /// with `EVENTS=outbox` the worker's batch transaction (one commit per
    /// batch, exactly once), with `EVENTS=broker` one per event. The worker
    /// delivers (or publishes) in id order, one worker per database at a
    /// time ([`Worker::in_order`]), and the consumer hands out one event at
    /// a time in stream order ([`Consumer::handler_in_order`]).
    #[must_use]
    pub fn local_in_order<E: Event>(self, handler: impl TxHandler<E>) -> Self {
        match self.broker() {
            Some(broker) => {
                let handler = InOwnTransaction {
                    pool: self.pool.clone(),
                    handler: Arc::new(Decoding::new(handler)),
                };
                Self {
                    worker: self.worker.in_order().forward::<E>(broker),
                    consumer: self
                        .consumer
                        .map(|c| c.register(E::KIND, Arc::new(handler), true)),
                    ..self
                }
            }
            None => Self {
                worker: self.worker.in_order().tx_handler(handler),
                ..self
            },
        }
    }

    /// An event another service produces and this one acts on: only seen
    /// here in broker mode (in outbox mode the producer calls us directly).
    #[must_use]
    pub fn incoming<E: Event>(self, handler: impl Handler<E>) -> Self {
        Self {
            consumer: self.consumer.map(|c| c.handler(handler)),
            ..self
        }
    }

    /// An event this service produces for another one: `direct` delivers it
    /// in outbox mode (it is built only then); in broker mode it is
    /// published.
    pub fn outgoing<E: Event, H: Handler<E>, Err>(
        self,
        direct: impl FnOnce() -> Result<H, Err>,
    ) -> Result<Self, Err> {
        Ok(match self.broker() {
            Some(broker) => Self {
                worker: self.worker.forward::<E>(broker),
                ..self
            },
            None => Self {
                worker: self.worker.handler(direct()?),
                ..self
            },
        })
    }

    /// The worker to run, and the consumer if it has anything to consume.
    pub fn into_parts(self) -> (Worker, Option<Consumer>) {
        (self.worker, self.consumer.filter(|c| !c.is_empty()))
    }
}
