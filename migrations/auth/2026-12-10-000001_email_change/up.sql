-- Links that confirm a change of an account's email address, sent to the
-- new address. Like the other links, only the SHA-256 of the token (256
-- random bits) is kept; one use; made when the email is sent, and a newer
-- link of the account ends the older ones.
CREATE TABLE email_change_tokens (
    token_hash      BYTEA PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The account's address when the change was asked for: the link works
    -- only while the account still has it.
    old_email       TEXT NOT NULL,
    new_email       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    -- Single use: set when the link changed the address.
    used_at         TIMESTAMPTZ
);
CREATE INDEX email_change_tokens_account_idx ON email_change_tokens (account_id);
CREATE INDEX email_change_tokens_expires_idx ON email_change_tokens (expires_at);
