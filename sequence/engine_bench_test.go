package sequence_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/server"
)

// BenchmarkEngineSequence runs 3-task sequences through the event service
// in process (no HTTP), one at a time: the cost of the engine and the store
// per sequence (7 ingested events, 4 emitted), plus 3 polls over HTTP.
func BenchmarkEngineSequence(b *testing.B) {
	in := batontest.Start(b, server.Config{Sync: "NORMAL"})
	sy := base64.StdEncoding.EncodeToString([]byte(queueShipyard))
	if st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": sy}); st != 201 {
		b.Fatalf("%d %s", st, body)
	}
	in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})
	ctx := context.Background()
	send := func(typ, kc, tid string, data map[string]any) {
		d := map[string]any{"project": "demo", "stage": "dev", "service": "web"}
		for k, v := range data {
			d[k] = v
		}
		raw, _ := json.Marshal(d)
		if _, err := in.Keptn.Ingest(ctx, &keptn.Event{Type: typ, Source: "bench", Shkeptncontext: kc, TriggeredID: tid, Data: raw}); err != nil {
			b.Fatal(err)
		}
	}
	open := func(task string) (id, kc string) {
		_, body := in.Do("GET", "/api/controlPlane/v1/event/triggered/"+keptn.TaskType(task, "triggered"), nil)
		var p struct{ Events []keptn.Event }
		if err := json.Unmarshal(body, &p); err != nil || len(p.Events) != 1 {
			b.Fatalf("open %s: %v %s", task, err, body)
		}
		return p.Events[0].ID, p.Events[0].Shkeptncontext
	}
	b.ResetTimer()
	for range b.N {
		send("sh.keptn.event.dev.work.triggered", "", "", nil)
		for _, task := range []string{"task1", "task2", "task3"} {
			id, kc := open(task)
			send(keptn.TaskType(task, "started"), kc, id, nil)
			send(keptn.TaskType(task, "finished"), kc, id, map[string]any{"result": "pass", "status": "succeeded"})
		}
	}
}

// BenchmarkPlainIngest is the floor for BenchmarkEngineSequence: 7 events
// per op that no engine acts on, one at a time.
func BenchmarkPlainIngest(b *testing.B) {
	in := batontest.Start(b, server.Config{Sync: "NORMAL"})
	sy := base64.StdEncoding.EncodeToString([]byte(queueShipyard))
	in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": sy})
	in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})
	raw := []byte(`{"project":"demo","stage":"dev","service":"web","result":"pass","status":"succeeded"}`)
	b.ResetTimer()
	for range b.N {
		for range 7 {
			if _, err := in.Keptn.Ingest(context.Background(), &keptn.Event{Type: "sh.keptn.event.other.finished", Source: "bench", Data: raw}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
