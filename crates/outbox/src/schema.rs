//! Diesel schema of the `outbox` table (see `migrations/*_outbox/up.sql`).

diesel::table! {
    /// Events waiting for delivery (and dead letters, `dead_at IS NOT NULL`).
    outbox (id) {
        id -> Int8,
        event_id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        attempts -> Int4,
        run_at -> Timestamptz,
        last_error -> Nullable<Text>,
        dead_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}
