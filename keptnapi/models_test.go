package keptnapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

// The types below copy the field types and JSON names of the Keptn models
// clients decode baton's answers into. github.com/keptn/go-utils is not a
// dependency: v0.20.4 (the version Keptn 1.4.5 pins) requires k8s client-go,
// nats-server and OpenTelemetry, so its module graph would dwarf baton's.

// keptnMetadata is keptn/keptn api/models/metadata.go (Automaticprovisioning
// is required there).
type keptnMetadata struct {
	Automaticprovisioning *bool  `json:"automaticprovisioning"`
	Bridgeversion         string `json:"bridgeversion"`
	Keptnlabel            string `json:"keptnlabel"`
	Keptnversion          string `json:"keptnversion"`
	Namespace             string `json:"namespace"`
	Shipyardversion       string `json:"shipyardversion"`
}

// sequenceStates is go-utils pkg/api/models/state.go SequenceStates.
type sequenceStates struct {
	States []struct {
		Name           string `json:"name"`
		Service        string `json:"service"`
		Project        string `json:"project"`
		Time           string `json:"time"`
		Shkeptncontext string `json:"shkeptncontext"`
		State          string `json:"state"`
		ProblemTitle   string `json:"problemTitle,omitempty"`
		Stages         []struct {
			Name             string `json:"name"`
			Image            string `json:"image,omitempty"`
			State            string `json:"state"`
			LatestEvaluation *struct {
				Result string  `json:"result"`
				Score  float64 `json:"score"`
			} `json:"latestEvaluation,omitempty"`
			LatestEvent       *sequenceStateEvent `json:"latestEvent,omitempty"`
			LatestFailedEvent *sequenceStateEvent `json:"latestFailedEvent,omitempty"`
		} `json:"stages"`
	} `json:"states"`
	NextPageKey int64 `json:"nextPageKey,omitempty"`
	PageSize    int64 `json:"pageSize,omitempty"`
	TotalCount  int64 `json:"totalCount,omitempty"`
}

// sequenceStateEvent is go-utils SequenceStateEvent.
type sequenceStateEvent struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Time string `json:"time"`
}

// sequenceExecutions is shipyard-controller models/api
// GetSequenceExecutionResponse with models.PaginationResult.
type sequenceExecutions struct {
	NextPageKey        int64             `json:"nextPageKey,omitempty"`
	PageSize           int64             `json:"pageSize,omitempty"`
	TotalCount         int64             `json:"totalCount,omitempty"`
	SequenceExecutions []json.RawMessage `json:"sequenceExecutions"`
}

// logEntry and getLogsResponse are go-utils pkg/api/models/log.go.
type logEntry struct {
	IntegrationID string    `json:"integrationid"`
	Message       string    `json:"message"`
	Time          time.Time `json:"time"`
	KeptnContext  string    `json:"shkeptncontext"`
	Task          string    `json:"task"`
	TriggeredID   string    `json:"triggeredid"`
	GitCommitID   string    `json:"gitcommitid"`
}

type getLogsResponse struct {
	NextPageKey int64      `json:"nextPageKey,omitempty"`
	PageSize    int64      `json:"pageSize,omitempty"`
	TotalCount  int64      `json:"totalCount,omitempty"`
	Logs        []logEntry `json:"logs"`
}

// decodeStrict decodes body into T the way go-utils does (encoding/json),
// refusing fields T does not have, so a renamed or retyped field fails.
func decodeStrict[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func TestMetadataAutomaticProvisioning(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("GET", "/api/v1/metadata", nil)
	if st != 200 {
		t.Fatalf("got %d %s", st, body)
	}
	m := decodeStrict[keptnMetadata](t, body)
	if m.Automaticprovisioning == nil || !*m.Automaticprovisioning {
		t.Errorf("automaticprovisioning = %s, want true", body)
	}
}

func TestSequencePagesDecodeAsKeptnModels(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	createProject(t, in, "demo")
	if st, b := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"}); st != 200 {
		t.Fatalf("create service: %d %s", st, b)
	}
	for i := range 3 {
		ev := fmt.Sprintf(`{"specversion":"1.0","type":"sh.keptn.event.dev.delivery.triggered","source":"test","data":{"project":"demo","stage":"dev","service":"web","n":%d}}`, i)
		if st, b := in.Do("POST", "/api/v1/event", json.RawMessage(ev)); st != 200 {
			t.Fatalf("trigger: %d %s", st, b)
		}
	}
	_, body := in.Do("GET", "/api/controlPlane/v1/sequence/demo?pageSize=2", nil)
	states := decodeStrict[sequenceStates](t, body)
	if len(states.States) != 2 || states.NextPageKey != 2 || states.TotalCount != 3 {
		t.Errorf("first page: %s", body)
	}
	_, body = in.Do("GET", "/api/controlPlane/v1/sequence/demo?pageSize=2&nextPageKey=2", nil)
	if last := decodeStrict[sequenceStates](t, body); len(last.States) != 1 || last.NextPageKey != 0 {
		t.Errorf("last page: %s", body)
	}
	_, body = in.Do("GET", "/api/controlPlane/v1/sequence-execution?project=demo&pageSize=2", nil)
	execs := decodeStrict[sequenceExecutions](t, body)
	if len(execs.SequenceExecutions) != 2 || execs.NextPageKey != 2 || execs.PageSize != 2 || execs.TotalCount != 3 {
		t.Errorf("sequence-execution page: %s", body)
	}
}

func TestIntegrationLogs(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	in := batontest.Start(t, server.Config{Clock: clock.NewFake(now)})
	at := func(d time.Duration) string { return now.Add(d).Format("2006-01-02T15:04:05.000Z") }
	// What go-utils' LogHandler.Flush posts: a zero time means "now".
	post := `{"logs":[
		{"integrationid":"job-1","message":"deploy failed","time":"` + at(-time.Hour) + `","shkeptncontext":"kc-1","task":"deployment","triggeredid":"t-1"},
		{"integrationid":"job-1","message":"test failed","time":"0001-01-01T00:00:00Z","shkeptncontext":"kc-2","task":"test","triggeredid":"t-2"},
		{"integrationid":"job-2","message":"other","time":"` + at(-2*time.Hour) + `"},
		{"integrationid":"job-1","message":"expired","time":"` + at(-121*time.Hour) + `"}]}`
	if st, b := in.Do("POST", "/api/controlPlane/v1/log", json.RawMessage(post)); st != 200 || string(bytes.TrimSpace(b)) != "{}" {
		t.Fatalf("post: %d %s", st, b)
	}
	get := func(query string) getLogsResponse {
		t.Helper()
		st, b := in.Do("GET", "/api/controlPlane/v1/log"+query, nil)
		if st != 200 {
			t.Fatalf("GET %s: %d %s", query, st, b)
		}
		return decodeStrict[getLogsResponse](t, b)
	}
	got := get("?integrationId=job-1&pageSize=1")
	want := getLogsResponse{NextPageKey: 1, TotalCount: 2, Logs: []logEntry{{IntegrationID: "job-1", Message: "test failed",
		Time: now, KeptnContext: "kc-2", Task: "test", TriggeredID: "t-2"}}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("first page (-got +want):\n%s", diff)
	}
	if got := get("?integrationId=job-1&pageSize=1&nextPageKey=1"); len(got.Logs) != 1 || got.Logs[0].Message != "deploy failed" || got.NextPageKey != 0 {
		t.Errorf("second page: %+v", got)
	}
	if got := get("?fromTime=" + at(-2*time.Hour) + "&beforeTime=" + at(-time.Hour)); len(got.Logs) != 2 || got.TotalCount != 2 {
		t.Errorf("time range (inclusive): %+v", got)
	}
	if got := get(""); len(got.Logs) != 3 || got.Logs[0].Message != "test failed" || got.Logs[2].Message != "other" {
		t.Errorf("all, newest first, without the expired one: %+v", got)
	}
	for query, status := range map[string]int{"?pageSize=x": 400, "?nextPageKey=-1": 400, "?fromTime=yesterday": 404} {
		if st, b := in.Do("GET", "/api/controlPlane/v1/log"+query, nil); st != status || !bytes.Contains(b, []byte(fmt.Sprintf(`"code":%d`, status))) {
			t.Errorf("GET %s: %d %s, want %d", query, st, b, status)
		}
	}
	if st, b := in.Do("POST", "/api/controlPlane/v1/log", json.RawMessage(`{"logs":[{"message":1}]}`)); st != 400 {
		t.Errorf("bad body: %d %s", st, b)
	}
	if st, b := in.Do("DELETE", "/api/controlPlane/v1/log?integrationId=job-1", nil); st != 200 {
		t.Fatalf("delete: %d %s", st, b)
	}
	if got := get(""); len(got.Logs) != 1 || got.Logs[0].IntegrationID != "job-2" {
		t.Errorf("after deleting job-1's: %+v", got)
	}
}
