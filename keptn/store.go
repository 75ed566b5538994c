package keptn

import (
	"context"
	"encoding/json"
	"time"
)

// Store is what the Keptn domain needs from a storage engine. The SQLite and
// PostgreSQL engines implement it and share one conformance suite.
//
// Read methods return *Error with CodeNotFound when the thing does not exist.
type Store interface {
	// Update runs fn in a write transaction and returns after it committed
	// durably (nil) or rolled back (fn's error).
	Update(ctx context.Context, fn func(Tx) error) error

	// Events returns stored events matching f, newest first, and the total
	// number of matches.
	Events(ctx context.Context, f EventFilter) (events []json.RawMessage, total int, err error)
	// EventsByType returns events of one type matching the datastore's
	// type-endpoint filter, newest first.
	EventsByType(ctx context.Context, f TypeFilter) ([]json.RawMessage, error)

	ProjectStore
	SequenceStore
	UniformStore
	LogStore
	MonitoringStore
}

// Tx is a write transaction.
type Tx interface {
	// InsertEvent appends ev (already normalized) with its serialized body.
	InsertEvent(ev *Event, body []byte) error
	// Enqueue adds work to the transactional outbox; it runs after commit.
	Enqueue(job Job) error
	// AfterCommit registers f to run once the transaction is durable.
	AfterCommit(f func())
	// AfterCommitUnordered registers f to run once the transaction is
	// durable, in no particular order with other transactions' functions:
	// for work nothing else waits on, such as a log line, which the SQLite
	// store then runs off its single writer.
	AfterCommitUnordered(f func())
	// ClaimClientEvent records that the client's event with this CloudEvent
	// source and id is stored in keptnContext, unless the client posted it
	// before: then it records nothing and returns the earlier event's
	// keptnContext and true.
	ClaimClientEvent(source, id, keptnContext string) (earlier string, posted bool, err error)

	ProjectTx
	SequenceTx
	UniformTx
	LogTx
	MonitoringTx
}

// Job is a unit of outbox work.
type Job struct {
	Kind    string    // worker that handles it
	Key     string    // idempotency key given to receivers
	Payload []byte    // worker-specific
	Due     time.Time // zero = now
}

// EventFilter is the query of GET /mongodb-datastore/event.
type EventFilter struct {
	KeptnContext []string
	Type         string
	Project      string
	Stage        string
	Service      string
	Source       string
	EventID      string
	FromTime     time.Time // exclusive lower bound when set
	BeforeTime   time.Time // exclusive upper bound when set
	Root         bool      // only the first event of each keptnContext
	Offset       int
	Limit        int
}

// TypeFilter is the query of GET /mongodb-datastore/event/type/{type}.
type TypeFilter struct {
	Type         string
	Project      []string // data.project in
	Stage        []string
	Service      []string
	KeptnContext []string
	TriggeredID  []string
	Source       []string
	FromTime     time.Time
	Limit        int
	// ExcludeInvalidated drops events whose triggeredid has an .invalidated event.
	ExcludeInvalidated bool
	// Result keeps only events whose data.result is one of these.
	Result []string
}
