//! Diesel table definitions for the auth database (see migrations/auth).

diesel::table! {
    accounts (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Nullable<Text>,
        email_verified -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        account_id -> Uuid,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        mfa_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        private_key -> Bytea,
        public_key -> Bytea,
        created_at -> Timestamptz,
        retired_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    email_verification_tokens (token_hash) {
        token_hash -> Bytea,
        account_id -> Uuid,
        email -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    email_send_limits (address_hash) {
        address_hash -> Bytea,
        window_started_at -> Timestamptz,
        sends -> Int4,
    }
}

diesel::table! {
    password_reset_tokens (token_hash) {
        token_hash -> Bytea,
        account_id -> Uuid,
        email -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    email_change_tokens (token_hash) {
        token_hash -> Bytea,
        account_id -> Uuid,
        old_email -> Text,
        new_email -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(email_verification_tokens -> accounts (account_id));
diesel::joinable!(password_reset_tokens -> accounts (account_id));
diesel::joinable!(email_change_tokens -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    sessions,
    refresh_tokens,
    signing_keys,
    email_verification_tokens,
    email_send_limits,
    password_reset_tokens,
    email_change_tokens
);

// Sign-in with OpenID Connect providers (see db/oauth.rs).

diesel::table! {
    oauth_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        account_id -> Uuid,
        provider -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
        last_sign_in_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Bytea,
        provider -> Text,
        nonce_hash -> Bytea,
        pkce_verifier -> Text,
        redirect_uri -> Text,
        app_state -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        browser_hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    oauth_login_codes (code_hash) {
        code_hash -> Bytea,
        provider -> Text,
        issuer -> Text,
        subject -> Text,
        email -> Nullable<Text>,
        email_verified -> Bool,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

// The append-only security audit log (see db/security_events.rs).

diesel::table! {
    security_events (id) {
        id -> Int8,
        account_id -> Nullable<Uuid>,
        kind -> Text,
        session_id -> Nullable<Uuid>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamptz,
        provider -> Nullable<Text>,
    }
}

// Device credentials against lockout (see db/device_tokens.rs).

diesel::table! {
    device_tokens (token_hash) {
        token_hash -> Bytea,
        account_id -> Uuid,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

// The TOTP second factor (see db/totp.rs, db/mfa_challenges.rs).

diesel::table! {
    totp_credentials (account_id) {
        account_id -> Uuid,
        secret -> Bytea,
        created_at -> Timestamptz,
        enabled_at -> Nullable<Timestamptz>,
        last_step -> Nullable<Int8>,
    }
}

diesel::table! {
    totp_recovery_codes (account_id, code_hash) {
        account_id -> Uuid,
        code_hash -> Bytea,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    mfa_challenges (id_hash) {
        id_hash -> Bytea,
        account_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        failures -> Int4,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        device_hash -> Nullable<Bytea>,
        provider -> Nullable<Text>,
    }
}

diesel::joinable!(totp_credentials -> accounts (account_id));
diesel::joinable!(totp_recovery_codes -> accounts (account_id));
diesel::joinable!(mfa_challenges -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    totp_credentials,
    totp_recovery_codes,
    mfa_challenges
);
