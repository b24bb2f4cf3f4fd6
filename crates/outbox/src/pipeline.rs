//! How one service routes each event kind in either `EVENTS` mode.

use crate::broker::{Broker, Consumer, Publisher};
use crate::{Handler, Pool, Settings, Worker};

/// A service's outbox worker and, with `EVENTS=broker`, its JetStream
/// consumer, with every kind registered where the mode wants it.
///
/// ```text
///                       EVENTS=outbox              EVENTS=broker
/// local(kind, h)        worker calls h             worker publishes; consumer calls h
/// incoming(kind, h)     (the producer calls us)    consumer calls h
/// outgoing(kind, h)     worker calls h             worker publishes
/// ```
pub struct Pipeline {
    worker: Worker,
    consumer: Option<Consumer>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("worker", &self.worker)
            .field("consumer", &self.consumer)
            .finish()
    }
}

impl Settings {
    /// The worker of `service` over its database, and in broker mode the
    /// consumer whose durable consumers are named `<service>-<kind>`.
    pub fn pipeline(&self, service: &str, pool: Pool, database_url: String) -> Pipeline {
        Pipeline {
            worker: Worker::new(pool, database_url, self.worker_config()),
            consumer: self.broker().map(|broker| Consumer::new(broker, service)),
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

    /// An event this service both produces and acts on (a notification, an
    /// email): handled by `handler` in either mode.
    #[must_use]
    pub fn local(self, kind: &str, handler: impl Handler) -> Self {
        match self.broker() {
            Some(broker) => Self {
                worker: self.worker.handler(kind, Publisher::new(broker)),
                consumer: self.consumer.map(|c| c.handler(kind, handler)),
            },
            None => Self {
                worker: self.worker.handler(kind, handler),
                ..self
            },
        }
    }

    /// Like [`local`](Self::local), keeping the order in which the events
    /// were committed: the worker delivers (or publishes) in id order, one
    /// worker per database at a time ([`Worker::in_order`]), and the
    /// consumer hands out one event at a time in stream order
    /// ([`Consumer::handler_in_order`]).
    #[must_use]
    pub fn local_in_order(self, kind: &str, handler: impl Handler) -> Self {
        match self.broker() {
            Some(broker) => Self {
                worker: self.worker.in_order().handler(kind, Publisher::new(broker)),
                consumer: self.consumer.map(|c| c.handler_in_order(kind, handler)),
            },
            None => Self {
                worker: self.worker.in_order().handler(kind, handler),
                ..self
            },
        }
    }

    /// An event another service produces and this one acts on: only seen
    /// here in broker mode (in outbox mode the producer calls us directly).
    #[must_use]
    pub fn incoming(self, kind: &str, handler: impl Handler) -> Self {
        Self {
            consumer: self.consumer.map(|c| c.handler(kind, handler)),
            ..self
        }
    }

    /// An event this service produces for another one: `direct` delivers it
    /// in outbox mode (it is built only then); in broker mode it is
    /// published.
    pub fn outgoing<H: Handler, E>(
        self,
        kind: &str,
        direct: impl FnOnce() -> Result<H, E>,
    ) -> Result<Self, E> {
        Ok(match self.broker() {
            Some(broker) => Self {
                worker: self.worker.handler(kind, Publisher::new(broker)),
                ..self
            },
            None => Self {
                worker: self.worker.handler(kind, direct()?),
                ..self
            },
        })
    }

    /// The worker to run, and the consumer if it has anything to consume.
    pub fn into_parts(self) -> (Worker, Option<Consumer>) {
        (self.worker, self.consumer.filter(|c| !c.is_empty()))
    }
}
