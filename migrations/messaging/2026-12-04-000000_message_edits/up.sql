-- Messages that change (issue 20): edits and deletions.
-- An edited message keeps its place and says when it was last edited; a
-- deleted one stays in the timeline as a tombstone (`deleted_at` set, the
-- text gone), so that replies to it and the conversation's numbering keep
-- their place. A tombstone's text is empty: nothing of it is kept.
ALTER TABLE messages
    ADD COLUMN edited_at  TIMESTAMPTZ,
    ADD COLUMN deleted_at TIMESTAMPTZ,
    DROP CONSTRAINT messages_body_length,
    ADD CONSTRAINT messages_body_length CHECK (
        (deleted_at IS NULL AND char_length(body) BETWEEN 1 AND 4000)
        OR (deleted_at IS NOT NULL AND body = ''));

-- Deleted messages do not count as unread: a member's unread count is the
-- messages after their marker less the tombstones among them, found here.
CREATE INDEX messages_deleted_idx ON messages (conversation_id, seq)
    WHERE deleted_at IS NOT NULL;
