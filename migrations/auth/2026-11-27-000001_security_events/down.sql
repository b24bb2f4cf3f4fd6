DROP TABLE security_events;
DROP FUNCTION security_events_append_only();
