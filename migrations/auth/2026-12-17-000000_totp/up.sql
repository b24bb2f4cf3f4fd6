-- Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps).
--
-- The account's TOTP secret (160 random bits). A row whose `enabled_at` is
-- NULL is an enrollment that awaits its first code (a new start replaces
-- it); once enabled, `login` asks for a code. The secret must be usable to
-- check codes, so it cannot be hashed; it is kept as the signing keys are
-- (see docs/security.md). `last_step`: the time step of the last code
-- accepted; a code of that step or an earlier one is refused (each code
-- works once), under the account's row lock.
CREATE TABLE totp_credentials (
    account_id  UUID PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret      BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    enabled_at  TIMESTAMPTZ,
    last_step   BIGINT
);

-- Single-use recovery codes (80 random bits each), made when TOTP is
-- turned on; only their SHA-256 is kept.
CREATE TABLE totp_recovery_codes (
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at     TIMESTAMPTZ,
    PRIMARY KEY (account_id, code_hash)
);

-- A sign-in waiting for its second factor: the password (or provider) was
-- right. Kept by the SHA-256 of its id (256 random bits); single use, five
-- minutes, dies after five wrong codes; bound to the client that signed in.
CREATE TABLE mfa_challenges (
    id_hash      BYTEA PRIMARY KEY,
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    failures     INT NOT NULL DEFAULT 0,
    user_agent   TEXT,
    ip           TEXT,
    -- The SHA-256 of the account's device token the sign-in presented.
    device_hash  BYTEA,
    -- The sign-in provider, for a sign-in through one.
    provider     TEXT
);
CREATE INDEX mfa_challenges_account_idx ON mfa_challenges (account_id);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);

-- When the session last passed a second factor (a sign-in that asked for
-- one, turning TOTP on, a code given to a sensitive change). Refresh keeps
-- it as it is.
ALTER TABLE sessions ADD COLUMN mfa_at TIMESTAMPTZ;
