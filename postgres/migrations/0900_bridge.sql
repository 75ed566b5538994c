-- The Bridge (0900-0999): find the outbox items of an event by key prefix
-- (webhook calls are keyed "<event id>-<n>") whatever their state.
CREATE INDEX outbox_kind_key_all ON outbox (kind, key COLLATE "C");
