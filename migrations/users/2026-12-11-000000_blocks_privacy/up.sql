-- Blocks and privacy settings (issue 22). Users owns both; messaging keeps
-- a replica (its own `blocks` and `privacy`), told by the events
-- users.user_blocked / users.user_unblocked / users.privacy_changed and by
-- a call before the change is answered (docs/privacy.md).

-- One row per block: `blocker_id` blocks `blocked_id`. Unblocking deletes it.
CREATE TABLE blocks (
  blocker_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
-- The blocked list, newest first; the reverse lookup (who blocks me).
CREATE INDEX blocks_list_idx ON blocks (blocker_id, created_at DESC, blocked_id DESC);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

-- A user's settings; no row means the defaults (everyone may message,
-- friends may add to groups, read receipts on, last seen shown to everyone).
CREATE TABLE privacy_settings (
  user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  who_may_message TEXT NOT NULL DEFAULT 'EVERYONE',
  who_may_add TEXT NOT NULL DEFAULT 'FRIENDS',
  read_receipts BOOLEAN NOT NULL DEFAULT true,
  show_last_seen TEXT NOT NULL DEFAULT 'EVERYONE',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT privacy_who_may_message CHECK (who_may_message IN ('EVERYONE', 'FRIENDS')),
  CONSTRAINT privacy_who_may_add CHECK (who_may_add IN ('EVERYONE', 'FRIENDS')),
  CONSTRAINT privacy_show_last_seen CHECK (show_last_seen IN ('EVERYONE', 'FRIENDS', 'NOBODY'))
);

-- Versions of what messaging replicates: taken under the key's lock (the
-- acting user's row), so for one key they grow in commit order.
CREATE SEQUENCE replica_versions;
