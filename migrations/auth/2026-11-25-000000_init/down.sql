DROP TRIGGER IF EXISTS signing_keys_notify_changed ON signing_keys;
DROP FUNCTION IF EXISTS notify_keys_changed();
DROP TRIGGER IF EXISTS sessions_notify_revoked ON sessions;
DROP FUNCTION IF EXISTS notify_session_revoked();
DROP TABLE IF EXISTS signing_keys;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS accounts;
