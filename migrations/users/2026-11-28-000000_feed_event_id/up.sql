-- Entries written by an outbox event's handler carry the event's id, so a
-- redelivered event (at-least-once delivery) finds its entries and appends
-- nothing (feed::append_once). The index also backs that lookup.
ALTER TABLE feed_events ADD COLUMN event_id UUID;
CREATE UNIQUE INDEX feed_events_event_id_idx ON feed_events (event_id, recipient_id)
  WHERE event_id IS NOT NULL;
