package keptn

import (
	"context"
	"time"

	"github.com/batonhq/baton/clock"
)

// LogTTL is how long integration error logs are kept: Keptn 1.4.5's
// shipyard-controller default (LOG_TTL, 120h).
const LogTTL = 120 * time.Hour

// MaxLogPage caps one page of GET /log when the caller gives no pageSize
// (Keptn then returns every entry).
const MaxLogPage = 1000

// LogEntry is an error an integration reported through POST
// /api/controlPlane/v1/log (go-utils models.LogEntry).
type LogEntry struct {
	IntegrationID string    `json:"integrationid"`
	Message       string    `json:"message"`
	Time          time.Time `json:"time"`
	KeptnContext  string    `json:"shkeptncontext"`
	Task          string    `json:"task"`
	TriggeredID   string    `json:"triggeredid"`
	GitCommitID   string    `json:"gitcommitid"`
}

// LogFilter selects log entries: an integration and a closed time range
// (zero bounds are open), newest first, Offset and Limit paging (Limit 0:
// no limit).
type LogFilter struct {
	IntegrationID string
	FromTime      time.Time
	BeforeTime    time.Time
	Offset        int
	Limit         int
}

// LogStore reads integration error logs.
type LogStore interface {
	// LogEntries returns the entries matching f, newest first, and how many
	// match in all.
	LogEntries(ctx context.Context, f LogFilter) ([]LogEntry, int, error)
}

// LogTx writes integration error logs.
type LogTx interface {
	// InsertLogEntries stores entries.
	InsertLogEntries(entries []LogEntry) error
	// DeleteLogEntries removes the entries matching f (Offset and Limit are
	// ignored).
	DeleteLogEntries(f LogFilter) error
}

// Logs keeps the error logs of integrations, as shipyard-controller's log
// manager does: entries without a time get the current one, and entries
// older than LogTTL are dropped (on each write).
type Logs struct {
	store Store
	clock clock.Clock
}

// NewLogs returns the log service.
func NewLogs(store Store, clk clock.Clock) *Logs { return &Logs{store: store, clock: clk} }

// Create stores entries.
func (l *Logs) Create(ctx context.Context, entries []LogEntry) error {
	now := l.clock.Now().UTC()
	for i := range entries {
		if entries[i].Time.IsZero() {
			entries[i].Time = now
		}
	}
	return l.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteLogEntries(LogFilter{BeforeTime: now.Add(-LogTTL)}); err != nil {
			return err
		}
		return tx.InsertLogEntries(entries)
	})
}

// Get returns the entries matching f and their total count.
func (l *Logs) Get(ctx context.Context, f LogFilter) ([]LogEntry, int, error) {
	// Entries past their TTL that no write has dropped yet stay hidden.
	if oldest := l.clock.Now().UTC().Add(-LogTTL); f.FromTime.Before(oldest) {
		f.FromTime = oldest
	}
	list, total, err := l.store.LogEntries(ctx, f)
	if list == nil && err == nil {
		list = []LogEntry{}
	}
	return list, total, err
}

// Delete removes the entries matching f.
func (l *Logs) Delete(ctx context.Context, f LogFilter) error {
	return l.store.Update(ctx, func(tx Tx) error { return tx.DeleteLogEntries(f) })
}
