-- Conversations v2 (issue 19): group conversations beside direct ones.
-- Existing direct conversations upgrade in place.

-- A conversation is DIRECT (a pair: user_low < user_high, unique) or GROUP
-- (no pair, a title). The pair's unique key stays: groups have NULLs there,
-- which a UNIQUE constraint does not compare.
ALTER TABLE conversations
    ADD COLUMN kind  TEXT NOT NULL DEFAULT 'DIRECT',
    ADD COLUMN title TEXT,
    ALTER COLUMN user_low DROP NOT NULL,
    ALTER COLUMN user_high DROP NOT NULL,
    ADD CONSTRAINT conversations_kind CHECK (kind IN ('DIRECT', 'GROUP')),
    ADD CONSTRAINT conversations_shape CHECK (
        (kind = 'DIRECT' AND user_low IS NOT NULL AND user_high IS NOT NULL AND title IS NULL)
        OR (kind = 'GROUP' AND user_low IS NULL AND user_high IS NULL AND title IS NOT NULL)),
    ADD CONSTRAINT conversations_title_length CHECK (char_length(title) BETWEEN 1 AND 100);
ALTER TABLE conversations ALTER COLUMN kind DROP DEFAULT;

-- Members: a role, when they joined, and when they left. A member sees the
-- messages with joined_seq < seq <= left_seq (left_seq NULL while they are
-- in); a former member keeps their row (and their view up to their leave)
-- until they are added again, which starts a new stretch.
-- Unread messages are derived, never counted apart: a member's unread count
-- is min(last_seq, left_seq) - last_read_seq (sending moves the sender's own
-- marker, so their own messages are never unread).
ALTER TABLE conversation_members
    ALTER COLUMN peer_id DROP NOT NULL,
    ADD COLUMN role       TEXT NOT NULL DEFAULT 'MEMBER',
    ADD COLUMN joined_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN joined_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN left_at    TIMESTAMPTZ,
    ADD COLUMN left_seq   BIGINT,
    ADD CONSTRAINT conversation_members_role CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
    ADD CONSTRAINT conversation_members_left CHECK ((left_at IS NULL) = (left_seq IS NULL));

-- Direct members joined when their conversation started.
UPDATE conversation_members m SET joined_at = c.created_at
FROM conversations c WHERE c.id = m.conversation_id;

-- The derived unread count equals the old counter once a member's own
-- newest message counts as read (the new rule: sending reads up to it).
UPDATE conversation_members m SET last_read_seq = own.seq
FROM (SELECT conversation_id, sender_id, max(seq) AS seq FROM messages
      GROUP BY conversation_id, sender_id) own
WHERE own.conversation_id = m.conversation_id AND own.sender_id = m.user_id
  AND own.seq > m.last_read_seq;

ALTER TABLE conversation_members DROP COLUMN unread_count;

-- Current members of a conversation (fan-out, member lists, counts).
CREATE INDEX conversation_members_current_idx ON conversation_members (conversation_id, joined_at)
    WHERE left_at IS NULL;

-- Messages: TEXT from a sender (with their client id), or SYSTEM (no
-- sender, a structured description of a membership change in `system`).
-- recipient_id is the peer of a direct message, NULL in groups.
ALTER TABLE messages
    ADD COLUMN kind   TEXT NOT NULL DEFAULT 'TEXT',
    ADD COLUMN system JSONB,
    ALTER COLUMN sender_id DROP NOT NULL,
    ALTER COLUMN recipient_id DROP NOT NULL,
    ALTER COLUMN client_message_id DROP NOT NULL,
    DROP CONSTRAINT messages_not_to_self,
    ADD CONSTRAINT messages_not_to_self CHECK (sender_id <> recipient_id),
    ADD CONSTRAINT messages_kind CHECK (
        (kind = 'TEXT' AND sender_id IS NOT NULL AND client_message_id IS NOT NULL AND system IS NULL)
        OR (kind = 'SYSTEM' AND sender_id IS NULL AND client_message_id IS NULL
            AND recipient_id IS NULL AND system IS NOT NULL));
ALTER TABLE messages ALTER COLUMN kind DROP DEFAULT;
