-- An item's first recorded attempt is kept in its own row (first_*), and
-- only later ones in outbox_attempts: most items take one attempt, whose
-- row and index entry in outbox_attempts cost every call's outcome a write
-- of each (sqlite/outbox.go, recordOutcome).
--
-- history says where the attempts are: 0 none recorded yet; 1 one, in
-- first_*; 2 the first in first_*, the others in outbox_attempts; 3 all in
-- outbox_attempts (items from before this migration, whose rows are left
-- as they are: the default costs no rewrite of the table). Enqueue writes 0.
ALTER TABLE outbox ADD COLUMN history INTEGER NOT NULL DEFAULT 3;
ALTER TABLE outbox ADD COLUMN first_started INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_latency_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN first_excerpt TEXT NOT NULL DEFAULT '';
