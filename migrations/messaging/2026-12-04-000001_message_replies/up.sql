-- Replies (issue 20): a message may answer an earlier message of its
-- conversation (checked when it is sent). Messages are never removed, only
-- emptied into tombstones, so the original stays for its replies.
ALTER TABLE messages ADD COLUMN reply_to_id UUID REFERENCES messages (id);
