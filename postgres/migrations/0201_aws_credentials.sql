-- Access keys for the AWS faces; the secret is sealed with the secret key
-- every replica shares.
CREATE TABLE aws_credentials (
	access_key_id TEXT PRIMARY KEY,
	secret_sealed BYTEA  NOT NULL,
	description   TEXT   NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL
);
