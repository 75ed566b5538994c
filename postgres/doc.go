// Package postgres is baton's shared store for several replicas: every piece
// of state in one PostgreSQL database, reached through pgx v5.
//
// It implements the same seams as package sqlite (keptn.Store, sqs.Store,
// appconfig.Store, outbox.Store, awsauth.Store and the settings) and passes
// the same conformance suite (package storetest). Where several baton
// processes share the database it adds what one process never needed:
//
//   - migrations run once, under a session advisory lock, however many
//     replicas start at the same moment;
//   - outbox items are claimed with FOR UPDATE SKIP LOCKED under an owner and
//     a lease on the database clock that the owner renews; a completion counts
//     only while the owner still holds the lease, and start-up recovery takes
//     back only items whose lease has lapsed;
//   - per-key ordering is enforced in the database: one running sequence per
//     project/stage/service (a transaction-scoped advisory lock backed by a
//     deferred exclusion constraint), FIFO sends and receives of a queue
//     serialized by a transaction-scoped advisory lock, standard receives
//     taking rows with SKIP LOCKED;
//   - commits that cause work send a NOTIFY; a listener turns notifications
//     from every replica into the same in-process wake-ups (a hint: workers
//     also poll slowly, so a lost notification only delays work).
package postgres
