DROP TABLE email_change_tokens;
