// Package sqlite is baton's embedded store: one SQLite database in WAL mode
// that holds every piece of state, plus the transactional outbox.
//
// All writes go through one writer goroutine that groups concurrent write
// transactions into a single SQLite transaction (group commit). Each caller's
// function runs inside its own savepoint, so one failing caller rolls back only
// its own changes; every caller gets its answer only after the shared COMMIT is
// durable. This turns "one fsync per request" into "one fsync per batch".
//
// Reads use a separate pool of connections and never wait for the writer.
package sqlite
