-- The replica of users' blocks and privacy settings (issue 22), written by
-- messaging.v1.Messaging ApplyBlock / ApplyPrivacy and by the events
-- users.user_blocked, users.user_unblocked, users.privacy_changed. Each row
-- keeps the version of the state it holds; an older or repeated one is
-- ignored, so delivery order does not matter. An unblocked pair keeps its
-- row (blocked = false) for its version.
CREATE TABLE blocks (
  blocker_id UUID NOT NULL,
  blocked_id UUID NOT NULL,
  blocked BOOLEAN NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
);
-- "Does either of the pair block the other", from the other side.
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id, blocker_id) WHERE blocked;

-- No row: the defaults (as in users).
CREATE TABLE privacy (
  user_id UUID PRIMARY KEY,
  who_may_message TEXT NOT NULL,
  who_may_add TEXT NOT NULL,
  read_receipts BOOLEAN NOT NULL,
  show_last_seen TEXT NOT NULL,
  version BIGINT NOT NULL
);
