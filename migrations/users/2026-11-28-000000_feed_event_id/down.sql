DROP INDEX feed_events_event_id_idx;
ALTER TABLE feed_events DROP COLUMN event_id;
