package sqlite

import "sync"

// taskIndex spares the writer the query behind ExecutionByTask, run for
// every task event a sequence receives: it remembers, for each running
// execution with a dispatched task, the current task's .triggered id and the
// row (seq and body) last committed for it, which is what the query would
// find.
//
// It holds committed rows only. PutExecution calls wrote before it writes a
// row, which drops the execution's entry, and hands the row to committed
// through AfterCommit. Until the write is durable (and for good if its
// savepoint or group commit rolls back, since AfterCommit then never runs) a
// lookup misses and runs the query, which sees the transaction's own
// writes. committed adds a row only if no later write of the execution (in
// the same group commit) and no forgetAll came after the write it carries:
// each write takes a token, and only the execution's latest token counts.
// Deleting a project's executions forgets everything. Forgetting is always
// safe; only a commit of the latest write adds. The writer goroutine runs
// all of it (transactions and AfterCommit functions alike); the mutex only
// keeps that from being an unchecked assumption.
//
// Like execCache it lives beside its SQLite file in one process; the
// PostgreSQL store, shared by replicas, has none.
type taskIndex struct {
	mu      sync.Mutex
	byTask  map[string]taskRow // current task's .triggered id → row
	bySeq   map[int64]string   // SequenceExecution.Seq → its key in byTask
	latest  map[int64]uint64   // seq → token of its latest write, until committed
	counter uint64
}

type taskRow struct {
	seq  int64
	body []byte
}

// taskIndexSize bounds the index and the writes awaiting their commit; past
// it rows are not added, or the awaited writes are dropped (running
// executions are few; the bound only matters for stalled ones).
const taskIndexSize = 4096

// get returns the committed row of the execution whose current task has the
// .triggered id tid, if the index knows it.
func (x *taskIndex) get(tid string) (taskRow, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	r, ok := x.byTask[tid]
	return r, ok
}

// wrote drops the entry of execution seq, about to be written, and returns
// the token of the write for committed; ok is false when the row will not be
// offered (an execution that ended or has no dispatched task).
func (x *taskIndex) wrote(seq int64, ok bool) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	if tid, found := x.bySeq[seq]; found {
		delete(x.byTask, tid)
		delete(x.bySeq, seq)
	}
	if !ok {
		delete(x.latest, seq)
		return 0
	}
	if x.latest == nil || len(x.latest) >= taskIndexSize {
		x.latest = map[int64]uint64{}
	}
	x.counter++
	x.latest[seq] = x.counter
	return x.counter
}

// committed records that the write with token of execution seq, whose current
// task has the .triggered id tid, is durable with body, unless a later write
// or forgetAll superseded it. The caller must not modify body afterwards.
func (x *taskIndex) committed(tid string, seq int64, body []byte, token uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if t, ok := x.latest[seq]; !ok || t != token {
		return
	}
	delete(x.latest, seq)
	if x.byTask == nil {
		x.byTask, x.bySeq = map[string]taskRow{}, map[int64]string{}
	}
	if len(x.byTask) >= taskIndexSize {
		return
	}
	x.byTask[tid] = taskRow{seq: seq, body: body}
	x.bySeq[seq] = tid
}

// forgetAll drops every entry and every write awaiting its commit.
func (x *taskIndex) forgetAll() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byTask, x.bySeq, x.latest = nil, nil, nil
}
