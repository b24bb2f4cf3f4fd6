ALTER TABLE conversations DROP CONSTRAINT conversations_last_message_fkey;
DROP TABLE messages;
DROP SEQUENCE conversation_activity_seq;
DROP TABLE conversation_members;
DROP TABLE conversations;
