-- Direct conversations between two users. The pair is stored ordered
-- (user_low < user_high) so that one UNIQUE constraint makes "one
-- conversation per pair" hold whichever side writes first.
CREATE TABLE conversations (
    id              UUID PRIMARY KEY,
    user_low        UUID NOT NULL,
    user_high       UUID NOT NULL,
    -- Sequence number of the newest message; messages are numbered 1, 2, …
    -- within a conversation while its row is locked, so numbers follow
    -- commit order and pagination by them is stable under concurrent sends.
    last_seq        BIGINT NOT NULL DEFAULT 0,
    last_message_id UUID,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT conversations_pair_key UNIQUE (user_low, user_high),
    CONSTRAINT conversations_pair_ordered CHECK (user_low < user_high)
);

-- Each participant's side of a conversation: read marker, unread count and
-- the position of the conversation in their list.
CREATE TABLE conversation_members (
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL,
    peer_id         UUID NOT NULL,
    -- Messages up to this sequence number count as read (only moves forward).
    last_read_seq   BIGINT NOT NULL DEFAULT 0,
    -- Messages from the peer after last_read_seq; written in the same
    -- transaction as each message and each marker move.
    unread_count    INT NOT NULL DEFAULT 0,
    -- Value of conversation_activity_seq at the latest message: orders the
    -- caller's conversations by recent activity, and is their cursor.
    last_activity   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id),
    CONSTRAINT conversation_members_unread_nonnegative CHECK (unread_count >= 0)
);
CREATE INDEX conversation_members_list_idx ON conversation_members (user_id, last_activity DESC);

CREATE SEQUENCE conversation_activity_seq;

CREATE TABLE messages (
    id                UUID PRIMARY KEY,
    conversation_id   UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq               BIGINT NOT NULL,
    sender_id         UUID NOT NULL,
    recipient_id      UUID NOT NULL,
    body              TEXT NOT NULL,
    -- Chosen by the sending client; a retry with the same value returns the
    -- original message instead of sending another.
    client_message_id TEXT NOT NULL,
    sent_at           TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq),
    CONSTRAINT messages_sender_client_id_key UNIQUE (sender_id, client_message_id),
    CONSTRAINT messages_body_length CHECK (char_length(body) BETWEEN 1 AND 4000),
    CONSTRAINT messages_not_to_self CHECK (sender_id <> recipient_id)
);

ALTER TABLE conversations
    ADD CONSTRAINT conversations_last_message_fkey
    FOREIGN KEY (last_message_id) REFERENCES messages (id);
