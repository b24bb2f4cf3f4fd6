DROP TABLE friendships;
DROP TABLE users;
