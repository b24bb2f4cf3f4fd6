//! What travels: an [`Event`] type, and the [`Envelope`] it is stored and
//! delivered in.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::HandlerError;
use crate::schema::outbox;

/// An event type: its payload (serde) and the kind it travels under.
///
/// Events are enqueued ([`enqueue`](crate::enqueue)) and handled
/// ([`Handler`](crate::Handler)) by type, so an event's kind and the shape
/// of its payload cannot drift apart between the code that writes it and
/// the code that reads it.
///
/// `KIND` is stored in every outbox row and is the event's JetStream
/// subject (`<stream>.<KIND>`): never change it for a type that has been
/// deployed. A payload change must stay readable by the handlers still
/// running (add optional fields), or be a new type with a new kind.
pub trait Event: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The routing key: selects the handler, names the broker subject and
    /// the durable consumers (`<service>-<KIND>`).
    const KIND: &'static str;
}

/// One stored event, as a handler receives it next to its decoded
/// [`Event`]: the outbox row (or, with `EVENTS=broker`, the JetStream
/// message turned back into one).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
pub struct Envelope {
    /// Row id; also the delivery order within a batch.
    pub id: i64,
    /// Stable identity of the event across retries: use it for idempotency.
    pub event_id: Uuid,
    /// The [`Event::KIND`] of the payload's type.
    pub kind: String,
    /// The serialized event.
    pub payload: serde_json::Value,
    /// Failed delivery attempts so far (0 on the first delivery).
    pub attempts: i32,
    /// When the event was enqueued.
    pub created_at: DateTime<Utc>,
}

impl Envelope {
    /// Deserializes the payload. A payload that does not match `T` will not
    /// match on a retry either, so the error is permanent.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, HandlerError> {
        T::deserialize(&self.payload).map_err(|e| {
            HandlerError::permanent(format!(
                "payload of {} event {} does not deserialize: {e}",
                self.kind, self.event_id
            ))
        })
    }
}
