-- Reports of abuse (canonical DDL of crates/reports; users and messaging copy
-- this folder into their own migrations). A user reports another user
-- (users) or a message (messaging); operators list the open ones and
-- resolve them with a note (`<service> reports list | resolve`).
CREATE TABLE reports (
  id UUID PRIMARY KEY,
  reporter_id UUID NOT NULL,
  -- What is reported, and its id: a user (users) or a message (messaging).
  target_kind TEXT NOT NULL,
  target_id UUID NOT NULL,
  reason TEXT NOT NULL,
  details TEXT,
  -- The target as it was when reported (a message's text, a profile), kept
  -- whatever becomes of it: edited, deleted, renamed.
  snapshot JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ,
  resolution TEXT,
  CONSTRAINT reports_target_kind CHECK (target_kind IN ('user', 'message')),
  CONSTRAINT reports_reason CHECK (reason IN ('SPAM', 'HARASSMENT', 'HATE', 'VIOLENCE',
    'SEXUAL_CONTENT', 'SELF_HARM', 'IMPERSONATION', 'OTHER')),
  CONSTRAINT reports_details_length CHECK (char_length(details) BETWEEN 1 AND 1000),
  CONSTRAINT reports_resolved CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);

-- One open report per reporter and target: a repeat, even a concurrent one,
-- answers the open report (ON CONFLICT) instead of filing another.
CREATE UNIQUE INDEX reports_open_key ON reports (reporter_id, target_kind, target_id)
  WHERE resolved_at IS NULL;
-- What operators list: the open reports, oldest first.
CREATE INDEX reports_open_idx ON reports (created_at, id) WHERE resolved_at IS NULL;
