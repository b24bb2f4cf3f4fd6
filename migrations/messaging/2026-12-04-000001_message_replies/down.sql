ALTER TABLE messages DROP COLUMN reply_to_id;
