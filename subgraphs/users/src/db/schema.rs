//! Diesel table definitions for the users database (see migrations/users).

diesel::table! {
    users (id) {
        id -> Uuid,
        nickname -> Text,
        about -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        avatar_key -> Nullable<Text>,
    }
}

diesel::table! {
    friendships (user_a, user_b) {
        user_a -> Uuid,
        user_b -> Uuid,
        state -> Text,
        requested_by -> Uuid,
        requested_of -> Uuid,
        requested_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    service_secrets (name) {
        name -> Text,
        value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(users, friendships);

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Uuid,
        blocked_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    privacy_settings (user_id) {
        user_id -> Uuid,
        who_may_message -> Text,
        who_may_add -> Text,
        read_receipts -> Bool,
        show_last_seen -> Text,
        updated_at -> Timestamptz,
    }
}
