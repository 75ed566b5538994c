-- Access keys for the AWS faces (SQS, AppConfig). The secret key is sealed
-- with the data directory's secret box; SigV4 needs it in the clear to
-- verify signatures, so it cannot be stored hashed.
CREATE TABLE aws_credentials (
	access_key_id TEXT    PRIMARY KEY,
	secret_sealed BLOB    NOT NULL,
	description   TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
