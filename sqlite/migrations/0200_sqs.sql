-- SQS: queues, messages and FIFO deduplication entries. Times are unix
-- milliseconds.

CREATE TABLE sqs_queues (
	id          INTEGER PRIMARY KEY,
	account     TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	attributes  TEXT    NOT NULL,             -- JSON object: the attributes that were set
	tags        TEXT    NOT NULL DEFAULT '{}',
	dlq_arn     TEXT    NOT NULL DEFAULT '',  -- RedrivePolicy target, for ListDeadLetterSourceQueues
	created_at  INTEGER NOT NULL,
	modified_at INTEGER NOT NULL,
	purged_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sqs_queues_name ON sqs_queues (account, name);
CREATE INDEX sqs_queues_dlq ON sqs_queues (dlq_arn) WHERE dlq_arn <> '';

-- A message is available when visible_at <= now < expires_at. Receiving sets
-- visible_at to the end of the visibility timeout, so in-flight messages
-- become visible again after a restart without any in-memory state.
CREATE TABLE sqs_messages (
	id               INTEGER PRIMARY KEY,     -- also the FIFO sequence number
	queue_id         INTEGER NOT NULL,
	message_id       TEXT    NOT NULL,
	body             TEXT    NOT NULL,
	attributes       BLOB,                    -- JSON message attributes, NULL when none
	trace            TEXT,                    -- AWSTraceHeader system attribute
	group_id         TEXT,
	dedup_id         TEXT,
	dlq_source       TEXT,                    -- ARN of the queue a dead letter came from
	sent_at          INTEGER NOT NULL,
	visible_at       INTEGER NOT NULL,
	expires_at       INTEGER NOT NULL,
	receive_count    INTEGER NOT NULL DEFAULT 0,
	first_receive_at INTEGER NOT NULL DEFAULT 0,
	receipt          INTEGER NOT NULL DEFAULT 0  -- nonce of the latest receive
);
CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at);
CREATE INDEX sqs_messages_expiry ON sqs_messages (queue_id, expires_at);
CREATE INDEX sqs_messages_group ON sqs_messages (queue_id, group_id, id) WHERE group_id IS NOT NULL;

-- FIFO deduplication: a key is remembered for five minutes, even after the
-- message was deleted.
CREATE TABLE sqs_dedup (
	queue_id   INTEGER NOT NULL,
	key        TEXT    NOT NULL,
	message_id TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (queue_id, key)
) WITHOUT ROWID;
CREATE INDEX sqs_dedup_expiry ON sqs_dedup (queue_id, expires_at);
