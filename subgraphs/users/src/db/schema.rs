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
