-- Email confirmation links. The token itself (256 random bits) is only in
-- the email; we keep its SHA-256. A token is made when its email is sent
-- (by the outbox worker), so it lives its full TTL from then on.
CREATE TABLE email_verification_tokens (
    token_hash      BYTEA PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The address the link was sent to: it confirms that address only.
    email           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    -- Single use: set when the link confirmed the address.
    used_at         TIMESTAMPTZ
);
CREATE INDEX email_verification_tokens_account_idx ON email_verification_tokens (account_id);
CREATE INDEX email_verification_tokens_expires_idx ON email_verification_tokens (expires_at);

-- Emails sent to one address per fixed window (confirmation links, "someone
-- tried to register" notices), whether or not the address has an account.
-- Keyed by the SHA-256 of the normalised address: unknown addresses that
-- strangers typed are not kept in the clear.
CREATE TABLE email_send_limits (
    address_hash        BYTEA PRIMARY KEY,
    window_started_at   TIMESTAMPTZ NOT NULL,
    sends               INT NOT NULL
);
CREATE INDEX email_send_limits_window_idx ON email_send_limits (window_started_at);
