//! Diesel table definitions for the messaging database (see
//! migrations/messaging). The feed and outbox tables belong to their crates.

diesel::table! {
    conversations (id) {
        id -> Uuid,
        user_low -> Nullable<Uuid>,
        user_high -> Nullable<Uuid>,
        last_seq -> Int8,
        last_message_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        kind -> Text,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    conversation_members (conversation_id, user_id) {
        conversation_id -> Uuid,
        user_id -> Uuid,
        peer_id -> Nullable<Uuid>,
        last_read_seq -> Int8,
        last_activity -> Int8,
        role -> Text,
        joined_at -> Timestamptz,
        joined_seq -> Int8,
        left_at -> Nullable<Timestamptz>,
        left_seq -> Nullable<Int8>,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        seq -> Int8,
        sender_id -> Nullable<Uuid>,
        recipient_id -> Nullable<Uuid>,
        body -> Text,
        client_message_id -> Nullable<Text>,
        sent_at -> Timestamptz,
        kind -> Text,
        system -> Nullable<Jsonb>,
        edited_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        reply_to_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    message_reactions (message_id, emoji, user_id) {
        message_id -> Uuid,
        emoji -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(conversation_members -> conversations (conversation_id));
diesel::allow_tables_to_appear_in_same_query!(
    conversations,
    conversation_members,
    messages,
    message_reactions
);

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Uuid,
        blocked_id -> Uuid,
        blocked -> Bool,
        version -> Int8,
    }
}

diesel::table! {
    privacy (user_id) {
        user_id -> Uuid,
        who_may_message -> Text,
        who_may_add -> Text,
        read_receipts -> Bool,
        show_last_seen -> Text,
        version -> Int8,
    }
}
