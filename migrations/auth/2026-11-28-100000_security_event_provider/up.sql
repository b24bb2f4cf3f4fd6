-- The sign-in provider an event came through (OAuth / OpenID Connect:
-- LOGGED_IN, REGISTERED and ACCOUNT_LINKED by a provider); NULL for email
-- and password. Adding a column fires no row trigger: the log stays
-- append-only.
ALTER TABLE security_events ADD COLUMN provider TEXT;
