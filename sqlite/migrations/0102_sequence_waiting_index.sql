-- The queue of a service is its waiting executions: the index of the queue
-- holds those alone. Indexing every execution by its state moved its entry
-- (in the middle of the index, under its service) on every change of
-- state, a page each time under the sequence benchmark. HasWaiting and
-- NextWaiting name the state as the literal 'waiting' to use it
-- (sqlite/keptn_sequence.go); reads by project use sequence_executions_slot.
DROP INDEX sequence_executions_queue;
CREATE INDEX sequence_executions_waiting ON sequence_executions (project, stage, service, seq) WHERE state = 'waiting';
