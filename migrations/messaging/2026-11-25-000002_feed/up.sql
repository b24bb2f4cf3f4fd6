-- Per-recipient notification log (canonical DDL of crates/feed; services copy
-- this folder into their own migrations). Each recipient has one gap-free
-- sequence: feed_heads holds its last value, feed_events the events. Both are
-- written in the same transaction as the state change the event announces.
CREATE TABLE feed_events (
  recipient_id UUID NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  payload JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (recipient_id, seq)
);

-- One row per recipient; its row lock serialises appends for that recipient
-- until commit, which makes seq order equal to commit order.
CREATE TABLE feed_heads (
  recipient_id UUID PRIMARY KEY,
  last_seq BIGINT NOT NULL
);
