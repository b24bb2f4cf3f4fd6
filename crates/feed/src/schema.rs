//! Diesel schema of the feed tables (see `migrations/*_feed/up.sql`).

diesel::table! {
    /// The per-recipient event log.
    feed_events (recipient_id, seq) {
        recipient_id -> Uuid,
        seq -> Int8,
        kind -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        /// The outbox event that wrote the entry ([`crate::append_once`]).
        event_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    /// The last sequence number handed out per recipient.
    feed_heads (recipient_id) {
        recipient_id -> Uuid,
        last_seq -> Int8,
    }
}

diesel::allow_tables_to_appear_in_same_query!(feed_events, feed_heads);
