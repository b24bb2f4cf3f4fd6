-- Device credentials (OWASP "device cookies"): a successful sign-in hands
-- the device a long-lived secret bound to the account; a sign-in that
-- presents it is limited per device instead of per account, so strangers
-- guessing passwords cannot lock the account's owner out. Kept by SHA-256.
-- At most a few per account (the least recently used go first).
CREATE TABLE device_tokens (
    token_hash    BYTEA PRIMARY KEY,
    account_id    UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX device_tokens_account_idx ON device_tokens (account_id, last_used_at DESC);
