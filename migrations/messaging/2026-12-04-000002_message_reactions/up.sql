-- Reactions (issue 20): one of each emoji per user and message (the
-- emoji as Unicode's fully qualified form), at most 20 distinct emoji per
-- message (checked under the conversation's lock). Deleting a message
-- clears its reactions.
CREATE TABLE message_reactions (
    message_id UUID NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    user_id    UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, emoji, user_id),
    CONSTRAINT message_reactions_emoji_length CHECK (octet_length(emoji) BETWEEN 1 AND 64)
);
