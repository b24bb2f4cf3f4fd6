-- Throttling state (canonical DDL of crates/ratelimit; services copy this
-- folder into their own migrations). One row per throttled key, holding
-- the GCRA "theoretical arrival time": the key is within its rate while
-- tat - now() <= the rate's period. A row whose tat has passed means the
-- same as no row, so old rows are deleted at leisure.
-- UNLOGGED: no WAL, so a check costs no fsync (about 0.1-0.25 ms instead of
-- 1.5-16 ms on the same machine, see ARCHITECTURE.md). The price: after a
-- crash, or on a promoted replica, the table starts empty; every count
-- starts afresh, which throttling can afford.
CREATE UNLOGGED TABLE rate_limits (
    key  TEXT PRIMARY KEY,
    tat  TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_limits_tat_idx ON rate_limits (tat);
