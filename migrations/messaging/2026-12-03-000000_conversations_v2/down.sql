ALTER TABLE messages
    DROP CONSTRAINT messages_kind,
    DROP CONSTRAINT messages_not_to_self;
DELETE FROM messages WHERE kind = 'SYSTEM' OR recipient_id IS NULL;
ALTER TABLE messages
    ADD CONSTRAINT messages_not_to_self CHECK (sender_id <> recipient_id),
    ALTER COLUMN client_message_id SET NOT NULL,
    ALTER COLUMN recipient_id SET NOT NULL,
    ALTER COLUMN sender_id SET NOT NULL,
    DROP COLUMN system,
    DROP COLUMN kind;
DROP INDEX conversation_members_current_idx;
DELETE FROM conversations WHERE kind = 'GROUP';
ALTER TABLE conversation_members ADD COLUMN unread_count INT NOT NULL DEFAULT 0
    CONSTRAINT conversation_members_unread_nonnegative CHECK (unread_count >= 0);
UPDATE conversation_members m SET unread_count = (
    SELECT count(*) FROM messages x
    WHERE x.conversation_id = m.conversation_id AND x.recipient_id = m.user_id
      AND x.seq > m.last_read_seq);
ALTER TABLE conversation_members
    DROP CONSTRAINT conversation_members_left,
    DROP CONSTRAINT conversation_members_role,
    DROP COLUMN left_seq,
    DROP COLUMN left_at,
    DROP COLUMN joined_seq,
    DROP COLUMN joined_at,
    DROP COLUMN role,
    ALTER COLUMN peer_id SET NOT NULL;
ALTER TABLE conversations
    DROP CONSTRAINT conversations_title_length,
    DROP CONSTRAINT conversations_shape,
    DROP CONSTRAINT conversations_kind,
    ALTER COLUMN user_high SET NOT NULL,
    ALTER COLUMN user_low SET NOT NULL,
    DROP COLUMN title,
    DROP COLUMN kind;
