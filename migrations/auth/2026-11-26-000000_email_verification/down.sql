DROP TABLE email_send_limits;
DROP TABLE email_verification_tokens;
