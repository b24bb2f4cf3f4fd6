-- Sign-in with OpenID Connect providers: the provider identities linked to
-- accounts, sign-ins in progress, and the one-time codes that end them.

-- A provider's user, linked to one account. OpenID Connect's stable key of a
-- user is the issuer with its subject; the configured provider name may change.
CREATE TABLE oauth_identities (
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The configured provider name and the email the provider reported, as
    -- of the last sign-in (informational).
    provider        TEXT NOT NULL,
    email           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oauth_identities_account_idx ON oauth_identities (account_id);

-- A sign-in between `start` and the provider's callback, keyed by the
-- SHA-256 of its `state`. Only the nonce's SHA-256 is kept (the ID token's
-- nonce is compared by hash); the PKCE verifier must go to the provider's
-- token endpoint as it is, and lives for minutes. Spent once (used_at).
CREATE TABLE oauth_states (
    state_hash      BYTEA PRIMARY KEY,
    provider        TEXT NOT NULL,
    nonce_hash      BYTEA NOT NULL,
    pkce_verifier   TEXT NOT NULL,
    -- Where the app asked to be sent back (on the allow-list) and the
    -- `state` of its own it asked to get back there.
    redirect_uri    TEXT NOT NULL,
    app_state       TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

-- One-time login codes handed to the app after a verified callback, keyed by
-- their SHA-256, with what the provider's ID token said. The account is
-- found, linked or created when the code is exchanged (exchangeOAuthCode).
CREATE TABLE oauth_login_codes (
    code_hash       BYTEA PRIMARY KEY,
    provider        TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    email           TEXT,
    email_verified  BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX oauth_login_codes_expires_idx ON oauth_login_codes (expires_at);
