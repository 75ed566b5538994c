package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// TriggerSequence sends sh.keptn.event.<stage>.<sequence>.triggered for a
// service with extra data merged into the event's data, and returns the
// keptnContext.
func (c *Client) TriggerSequence(ctx context.Context, project, stage, service, sequence, source string, data map[string]any) (string, error) {
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	d["project"], d["stage"], d["service"] = project, stage, service
	ev, err := json.Marshal(map[string]any{
		"specversion": "1.0", "type": "sh.keptn.event." + stage + "." + sequence + ".triggered",
		"source": source, "contenttype": "application/json", "data": d,
	})
	if err != nil {
		return "", err
	}
	return c.SendEvent(ctx, ev)
}

// SequenceState is one keptnContext's entry of GET /sequence/{project}.
// It encodes back to JSON exactly as the server sent it, with every field.
type SequenceState struct {
	Name           string `json:"name"`
	Service        string `json:"service"`
	Project        string `json:"project"`
	Time           string `json:"time"`
	Shkeptncontext string `json:"shkeptncontext"`
	State          string `json:"state"`
	// Result (pass, warning, fail), Message (why it failed) and EndTime are
	// set once the sequence has ended.
	Result  string `json:"result"`
	Message string `json:"message"`
	EndTime string `json:"endTime"`
	Stages  []struct {
		Name        string `json:"name"`
		Image       string `json:"image"`
		State       string `json:"state"`
		Result      string `json:"result"`
		LatestEvent *struct {
			Type string `json:"type"`
			ID   string `json:"id"`
			Time string `json:"time"`
		} `json:"latestEvent"`
	} `json:"stages"`

	raw json.RawMessage
}

// UnmarshalJSON decodes s and keeps the raw JSON for MarshalJSON.
func (s *SequenceState) UnmarshalJSON(b []byte) error {
	type plain SequenceState
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	s.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON returns the JSON s was decoded from, with the fields this
// type does not know; a state built in Go encodes its fields.
func (s SequenceState) MarshalJSON() ([]byte, error) {
	if s.raw != nil {
		return s.raw, nil
	}
	type plain SequenceState
	return json.Marshal(plain(s))
}

// Failed reports whether an ended sequence failed: result fail, or it was
// aborted or timed out.
func (s SequenceState) Failed() bool {
	return s.Result == "fail" || s.State == "aborted" || s.State == "timedOut"
}

// Duration is how long the sequence ran (until now while it runs); false if
// the times cannot be read.
func (s SequenceState) Duration(now time.Time) (time.Duration, bool) {
	start, err := time.Parse(time.RFC3339Nano, s.Time)
	if err != nil {
		return 0, false
	}
	end := now
	if s.EndTime != "" {
		if end, err = time.Parse(time.RFC3339Nano, s.EndTime); err != nil {
			return 0, false
		}
	}
	return end.Sub(start), true
}

// Ended reports whether the sequence reached a final state.
func (s SequenceState) Ended() bool {
	return s.State == "finished" || s.State == "aborted" || s.State == "timedOut"
}

// SequenceStates lists a project's sequences (newest first) with the
// filters of GET /sequence/{project} (name, state, keptnContext, fromTime,
// beforeTime), following pagination.
func (c *Client) SequenceStates(ctx context.Context, project string, filter url.Values) ([]SequenceState, error) {
	var all []SequenceState
	q := url.Values{}
	for k, v := range filter {
		q[k] = v
	}
	q.Set("pageSize", "100")
	for {
		var page struct {
			States      []SequenceState `json:"states"`
			NextPageKey int64           `json:"nextPageKey"` // an int64 in Keptn's SequenceStates
		}
		if err := c.Do(ctx, "GET", "/api/controlPlane/v1/sequence/"+url.PathEscape(project)+"?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.States...)
		if page.NextPageKey == 0 || len(page.States) == 0 {
			return all, nil
		}
		q.Set("nextPageKey", strconv.FormatInt(page.NextPageKey, 10))
	}
}

// ControlSequence pauses, resumes or aborts a sequence (state "pause",
// "resume" or "abort"), in one stage or in all (stage "").
func (c *Client) ControlSequence(ctx context.Context, project, keptnContext, state, stage string) error {
	return c.Do(ctx, "POST", "/api/controlPlane/v1/sequence/"+url.PathEscape(project)+"/"+url.PathEscape(keptnContext)+"/control",
		map[string]string{"state": state, "stage": stage}, nil)
}

// OpenTriggered returns the open, due .triggered events of eventType (as
// remote integrations poll them), waiting up to wait for one to appear.
func (c *Client) OpenTriggered(ctx context.Context, eventType string, filter url.Values, wait time.Duration) ([]json.RawMessage, error) {
	q := url.Values{}
	for k, v := range filter {
		q[k] = v
	}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	var page struct {
		Events []json.RawMessage `json:"events"`
	}
	err := c.Do(ctx, "GET", "/api/controlPlane/v1/event/triggered/"+url.PathEscape(eventType)+"?"+q.Encode(), nil, &page)
	return page.Events, err
}
