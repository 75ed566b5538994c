package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/client"
)

// watchPoll is how often --watch reads the history, as Keptn's --watch did.
const watchPoll = 300 * time.Millisecond

// errSequenceFailed ends "baton trigger --watch" with a non-zero exit code.
var errSequenceFailed = errors.New("sequence failed")

// watcher follows one keptnContext: its events, the retries of the webhook
// calls its tasks make, and its end.
type watcher struct {
	c       *client.Client
	w       io.Writer
	project string
	kc      string
	seen    map[string]bool   // events printed
	tasks   map[string]bool   // ids of the context's .triggered events
	tries   map[string]int    // delivery key -> attempts printed
	marks   map[string]string // delivery key -> attempts/state/updated last read
}

// watchSequence prints the context's events as they are stored, and webhook
// retries as they happen, until the sequence (with every stage it chains
// to) has ended. It returns an error wrapping errSequenceFailed when the
// sequence failed, was aborted or timed out.
func watchSequence(ctx context.Context, c *client.Client, w io.Writer, project, kc string) error {
	wa := &watcher{c: c, w: w, project: project, kc: kc, seen: map[string]bool{}, tasks: map[string]bool{}, tries: map[string]int{}, marks: map[string]string{}}
	for {
		// Read the state first: events stored before an end state are then all printed.
		states, err := c.SequenceStates(ctx, project, url.Values{"keptnContext": {kc}})
		if err != nil {
			return err
		}
		if err := wa.printEvents(ctx); err != nil {
			return err
		}
		if err := wa.printRetries(ctx); err != nil {
			return err
		}
		if len(states) == 1 && states[0].Ended() {
			return wa.end(states[0])
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(watchPoll):
		}
	}
}

func (wa *watcher) printEvents(ctx context.Context) error {
	page, err := wa.c.Events(ctx, url.Values{"keptnContext": {wa.kc}, "pageSize": {"100"}})
	if err != nil {
		return err
	}
	events := slices.Clone(page.Events)
	slices.Reverse(events)
	for _, raw := range events {
		if id, typ := printTimelineEvent(wa.w, raw, wa.seen); strings.HasSuffix(typ, ".triggered") {
			wa.tasks[id] = true
		}
	}
	return nil
}

// printRetries prints each failed attempt of a webhook call made for one of
// the context's events, as it happens: "attempt 3 of 8 answered 500, next
// in 4s". Deliveries are read through the API: the newest 200 webhook
// calls, which hold a running context's own (they are created with its tasks).
func (wa *watcher) printRetries(ctx context.Context) error {
	if len(wa.tasks) == 0 {
		return nil
	}
	list, err := wa.c.Deliveries(ctx, "webhook", "", 200)
	if err != nil {
		return err
	}
	for _, d := range list {
		id, _, ok := cutLast(d.Key, "-")
		if !ok || !wa.tasks[id] || d.Attempts == 0 {
			continue
		}
		mark := fmt.Sprintf("%d/%s/%s", d.Attempts, d.State, d.Updated)
		if wa.marks[d.Key] == mark {
			continue
		}
		wa.marks[d.Key] = mark
		full, err := wa.c.Delivery(ctx, d.ID)
		if err != nil {
			return err
		}
		n := shownAttempts(full)
		for i := wa.tries[d.Key]; i < n; i++ {
			if line, failed := retryLine(full, i); failed {
				fmt.Fprintf(wa.w, "%s  webhook %d: %s\n", full.History[i].Time.UTC().Format("2006-01-02T15:04:05.000Z"), d.ID, line)
			}
		}
		wa.tries[d.Key] = n
	}
	return nil
}

// shownAttempts is how many of d's attempts can be described now: all of
// them, except the last while the next attempt runs (its line tells when
// the next began, which the history says once that one is recorded).
func shownAttempts(d client.Delivery) int {
	if d.State == "running" && len(d.History) > 0 {
		return len(d.History) - 1
	}
	return len(d.History)
}

// retryLine describes attempt i of d; false if it did not fail.
func retryLine(d client.Delivery, i int) (string, bool) {
	h := d.History[i]
	what := ""
	switch {
	case h.Status >= 300:
		what = fmt.Sprintf("answered %d", h.Status)
	case h.Error != "":
		what = "failed: " + h.Error
	default:
		return "", false
	}
	of := ""
	if d.MaxAttempts > 0 {
		of = fmt.Sprintf(" of %d", d.MaxAttempts)
	}
	line := fmt.Sprintf("attempt %d%s %s", i+1, of, what)
	ended := h.Time.Add(time.Duration(h.LatencyMS * float64(time.Millisecond)))
	switch {
	case i+1 < len(d.History):
		line += ", next in " + d.History[i+1].Time.Sub(ended).Round(100*time.Millisecond).String()
	case d.State == "pending":
		line += ", next in " + d.Due.Sub(ended).Round(100*time.Millisecond).String()
	case d.State == "dead":
		line += ", failed for good"
	}
	return line, true
}

// end prints how the sequence ended; an error if it did not pass.
func (wa *watcher) end(s client.SequenceState) error {
	line := fmt.Sprintf("Sequence %s %s", wa.kc, s.State)
	if s.Result != "" {
		line += ", result " + s.Result
	}
	if d, ok := s.Duration(time.Now()); ok {
		line += fmt.Sprintf(" after %s", d.Round(time.Millisecond))
	}
	if s.Message != "" {
		line += ": " + s.Message
	}
	fmt.Fprintln(wa.w, line)
	if s.Failed() {
		return fmt.Errorf("%w: %s", errSequenceFailed, strings.TrimPrefix(line, "Sequence "))
	}
	return nil
}

// printTimelineEvent prints an event not seen yet and returns its id and type.
func printTimelineEvent(w io.Writer, raw json.RawMessage, seen map[string]bool) (id, typ string) {
	var ev struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Source string `json:"source"`
		Time   string `json:"time"`
		Data   struct {
			Stage   string `json:"stage"`
			Result  string `json:"result"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"data"`
	}
	if json.Unmarshal(raw, &ev) != nil || seen[ev.ID] {
		return "", ""
	}
	seen[ev.ID] = true
	line := fmt.Sprintf("%s  %-8s %-45s %s", ev.Time, ev.Data.Stage, strings.TrimPrefix(ev.Type, "sh.keptn.event."), ev.Source)
	if strings.HasSuffix(ev.Type, ".finished") {
		line += fmt.Sprintf("  %s/%s", ev.Data.Result, ev.Data.Status)
	}
	if ev.Data.Message != "" {
		line += "  " + ev.Data.Message
	}
	fmt.Fprintln(w, line)
	return ev.ID, ev.Type
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
