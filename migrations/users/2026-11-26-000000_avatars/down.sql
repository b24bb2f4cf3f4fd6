DROP TABLE service_secrets;
ALTER TABLE users
  DROP CONSTRAINT users_one_avatar,
  DROP COLUMN avatar_key;
