DROP INDEX messages_deleted_idx;
-- Tombstones need a text under the old length rule.
UPDATE messages SET body = '(deleted)' WHERE deleted_at IS NOT NULL;
ALTER TABLE messages
    DROP CONSTRAINT messages_body_length,
    ADD CONSTRAINT messages_body_length CHECK (char_length(body) BETWEEN 1 AND 4000),
    DROP COLUMN deleted_at,
    DROP COLUMN edited_at;
