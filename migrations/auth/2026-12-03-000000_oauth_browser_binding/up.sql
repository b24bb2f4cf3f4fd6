-- Login CSRF: each sign-in is bound to the browser that started it.
-- `/oauth/{p}/start` sets an HttpOnly, SameSite=Lax cookie with a random
-- secret and keeps its SHA-256 here; the callback is refused without that
-- cookie. NULL (flows started before this column existed) matches no browser.
ALTER TABLE oauth_states ADD COLUMN browser_hash BYTEA;
