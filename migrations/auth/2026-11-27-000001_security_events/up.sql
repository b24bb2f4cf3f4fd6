-- The security audit log: what happened to an account and from where.
-- Append-only: the triggers below refuse every UPDATE, DELETE and TRUNCATE,
-- whoever asks (the service's own role included), so an intruder with the
-- service's credentials cannot erase their tracks through it. Removing
-- rows (retention, erasure) is a deliberate act by the table owner:
-- ALTER TABLE security_events DISABLE TRIGGER USER, then re-enable.
CREATE TABLE security_events (
    id          BIGSERIAL PRIMARY KEY,
    -- NULL for failed sign-ins with an email that has no account.
    -- No foreign key: the log outlives what it describes.
    account_id  UUID,
    -- REGISTERED, LOGGED_IN, LOGIN_FAILED, REFRESH_TOKEN_REUSED,
    -- LOGGED_OUT_EVERYWHERE, PASSWORD_CHANGED
    kind        TEXT NOT NULL,
    session_id  UUID,
    ip          TEXT,
    user_agent  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX security_events_account_idx ON security_events (account_id, id DESC);

CREATE FUNCTION security_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'security_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER security_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION security_events_append_only();

CREATE TRIGGER security_events_no_truncate
    BEFORE TRUNCATE ON security_events
    FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only();

-- Roles other than the owner get nothing but INSERT and SELECT.
REVOKE UPDATE, DELETE, TRUNCATE ON security_events FROM PUBLIC;
