//! Diesel table definitions for the messaging database (see
//! migrations/messaging). The feed and outbox tables belong to their crates.

diesel::table! {
    conversations (id) {
        id -> Uuid,
        user_low -> Uuid,
        user_high -> Uuid,
        last_seq -> Int8,
        last_message_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    conversation_members (conversation_id, user_id) {
        conversation_id -> Uuid,
        user_id -> Uuid,
        peer_id -> Uuid,
        last_read_seq -> Int8,
        unread_count -> Int4,
        last_activity -> Int8,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        seq -> Int8,
        sender_id -> Uuid,
        recipient_id -> Uuid,
        body -> Text,
        client_message_id -> Text,
        sent_at -> Timestamptz,
    }
}

diesel::joinable!(conversation_members -> conversations (conversation_id));
diesel::allow_tables_to_appear_in_same_query!(conversations, conversation_members, messages);
