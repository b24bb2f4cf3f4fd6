ALTER TABLE sessions DROP COLUMN mfa_at;
DROP TABLE mfa_challenges;
DROP TABLE totp_recovery_codes;
DROP TABLE totp_credentials;
