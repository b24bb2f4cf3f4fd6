DROP TABLE feed_events;
DROP TABLE feed_heads;
