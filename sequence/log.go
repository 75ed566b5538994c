package sequence

import (
	"context"
	"log/slog"
	"time"

	"github.com/batonhq/baton/keptn"
)

// The engine logs at info exactly one line when a sequence starts and one
// when it ends (with its result), after the transaction commits, so a line
// is never written for a change that rolled back. The lines are formatted
// and written off the SQLite store's single writer (AfterCommitUnordered),
// so two of them may reach the log in another order than their commits;
// each carries the time its transaction ran, which orders them.

func (en *Engine) logStarted(tx keptn.Tx, e *keptn.SequenceExecution) {
	if en.log == nil {
		return
	}
	sc, name, at := e.Scope, e.Sequence.Name, time.Now()
	tx.AfterCommitUnordered(func() {
		en.logAt(at, "sequence started", "project", sc.Project, "stage", sc.Stage, "service", sc.Service,
			"sequence", name, "keptnContext", sc.KeptnContext)
	})
}

func (en *Engine) logEnded(tx keptn.Tx, e *keptn.SequenceExecution) {
	if en.log == nil {
		return
	}
	sc, state, name, at := e.Scope, e.Status.State, e.Sequence.Name, time.Now()
	took := e.Baton.EndedAt.Sub(e.TriggeredAt)
	tx.AfterCommitUnordered(func() {
		args := []any{"project", sc.Project, "stage", sc.Stage, "service", sc.Service, "sequence", name,
			"keptnContext", sc.KeptnContext, "state", state, "result", sc.Result, "status", sc.Status, "duration", took}
		if sc.Message != "" {
			args = append(args, "message", sc.Message)
		}
		en.logAt(at, "sequence ended", args...)
	})
}

// logAt writes an info line stamped with t.
func (en *Engine) logAt(t time.Time, msg string, args ...any) {
	ctx := context.Background()
	if !en.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(t, slog.LevelInfo, msg, 0)
	r.Add(args...)
	_ = en.log.Handler().Handle(ctx, r)
}
