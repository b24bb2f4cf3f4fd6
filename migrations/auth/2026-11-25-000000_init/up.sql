-- Accounts: the credentials side of a user. The profile lives in users.
CREATE TABLE accounts (
    id              UUID PRIMARY KEY,
    -- Stored trimmed and lower-cased; unique.
    email           TEXT NOT NULL,
    -- PHC string (argon2id). NULL for accounts without a password (OAuth).
    password_hash   TEXT,
    email_verified  BOOLEAN NOT NULL DEFAULT false,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT accounts_email_key UNIQUE (email),
    CONSTRAINT accounts_email_length CHECK (char_length(email) BETWEEN 3 AND 254)
);

-- A session is one sign-in on one device; refresh tokens rotate within it.
CREATE TABLE sessions (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When the newest refresh token of this session stops working.
    expires_at      TIMESTAMPTZ NOT NULL,
    user_agent      TEXT,
    ip              TEXT,
    revoked_at      TIMESTAMPTZ,
    revoked_reason  TEXT
);
CREATE INDEX sessions_account_active_idx ON sessions (account_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens are opaque random values; only their SHA-256 is stored.
-- A rotated token is kept (rotated_at set) so that presenting it again is
-- recognised as reuse and revokes the whole session.
CREATE TABLE refresh_tokens (
    token_hash      BYTEA PRIMARY KEY,
    session_id      UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    rotated_at      TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Ed25519 signing keys. The newest unretired key signs; all unretired keys verify.
CREATE TABLE signing_keys (
    kid             TEXT PRIMARY KEY,
    -- PKCS#8 DER private key.
    private_key     BYTEA NOT NULL,
    -- Raw 32-byte public key.
    public_key      BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    retired_at      TIMESTAMPTZ
);

-- Every replica keeps revocations and keys in memory; these notifications
-- keep those caches current, whatever code path made the change.
CREATE FUNCTION notify_session_revoked() RETURNS trigger AS $$
BEGIN
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        PERFORM pg_notify('auth_session_revoked', NEW.id::text);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER sessions_notify_revoked
    AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_session_revoked();

CREATE FUNCTION notify_keys_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('auth_keys_changed', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER signing_keys_notify_changed
    AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_keys_changed();
