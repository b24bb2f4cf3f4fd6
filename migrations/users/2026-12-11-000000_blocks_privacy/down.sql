DROP SEQUENCE replica_versions;
DROP TABLE privacy_settings;
DROP TABLE blocks;
