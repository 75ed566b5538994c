-- Timers are cancelled by kind and key among pending items: the index of
-- every item by kind and key (0900) finds them as well, so the partial one
-- of pending items (0100) only cost every enqueue and outcome an index write.
DROP INDEX IF EXISTS outbox_kind_key;
