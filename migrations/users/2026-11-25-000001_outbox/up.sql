-- Transactional outbox (canonical DDL of crates/outbox; services copy this
-- folder into their own migrations). A row is written in the same transaction
-- as the state change it announces and deleted once delivered; rows that
-- exhausted their retries (or failed permanently) stay with dead_at set.
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  event_id UUID NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  kind TEXT NOT NULL,
  payload JSONB NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error TEXT,
  dead_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The worker's claim query: live rows that are due.
CREATE INDEX outbox_due_idx ON outbox (run_at, id) WHERE dead_at IS NULL;
