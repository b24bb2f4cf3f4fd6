-- Password reset links. As for email confirmation, the token (256 random
-- bits) is only in the email; we keep its SHA-256. A token is made when its
-- email is sent (by the outbox worker), so it lives its full TTL from then
-- on; a newer link of the account ends the older ones (their expires_at is
-- set to that moment).
CREATE TABLE password_reset_tokens (
    token_hash      BYTEA PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The address the link was sent to: it works only while the account
    -- still has that address.
    email           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    -- Single use: set when the link reset the password.
    used_at         TIMESTAMPTZ
);
CREATE INDEX password_reset_tokens_account_idx ON password_reset_tokens (account_id);
CREATE INDEX password_reset_tokens_expires_idx ON password_reset_tokens (expires_at);
