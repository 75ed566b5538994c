package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/postgres/pgtest"
	"github.com/batonhq/baton/server"
)

// baton store copy moves a SQLite store into PostgreSQL: a baton started on
// the copy serves the same projects, events, secrets and queue messages.
func TestStoreCopy(t *testing.T) {
	t.Setenv(batontest.EnvStore, "sqlite") // the source is SQLite, whatever the run's store
	url := pgtest.URL(t)
	dir := t.TempDir()
	in := batontest.Start(t, server.Config{DataDir: dir})
	sy := base64.StdEncoding.EncodeToString([]byte("apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n"))
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/controlPlane/v1/project", `{"name":"demo","shipyard":"` + sy + `"}`},
		{"POST", "/api/secrets/v1/secret", `{"name":"creds","scope":"keptn-default","data":{"token":"s3cr3t"}}`},
		{"POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"copy-test","data":{"project":"demo"}}`},
		{"POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"copy-test","data":{"project":"demo"}}`},
	} {
		if st, b := in.Do(r.method, r.path, r.body); st >= 300 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, st, b)
		}
	}
	// An event with a CloudEvent id: its retry after the copy is recognised.
	retry := `{"id":"copy-1","type":"sh.keptn.event.x.triggered","source":"copy-retry","data":{"project":"demo"}}`
	st, first := in.Do("POST", "/api/v1/event", retry)
	if st != 200 {
		t.Fatalf("event with an id: %d %s", st, first)
	}
	in.Stop()

	var out bytes.Buffer
	if err := copyStore(context.Background(), &out, dir, url); err != nil {
		t.Fatalf("copy: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "events") {
		t.Errorf("copy output: %s", out.String())
	}
	if err := copyStore(context.Background(), &out, dir, url); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second copy into the same database: %v", err)
	}

	pg := batontest.Start(t, server.Config{DataDir: dir, Database: url})
	if st, b := pg.Do("GET", "/api/controlPlane/v1/project/demo", nil); st != 200 {
		t.Errorf("project after copy: %d %s", st, b)
	}
	if _, b := pg.Do("GET", "/api/mongodb-datastore/event?source=copy-test", nil); !strings.Contains(string(b), `"totalCount":2`) {
		t.Errorf("events after copy: %s", b)
	}
	if _, b := pg.Do("GET", "/api/secrets/v1/secret", nil); !strings.Contains(string(b), `"creds"`) {
		t.Errorf("secrets after copy: %s", b)
	}
	if st, b := pg.Do("POST", "/api/v1/event", retry); st != 200 || string(b) != string(first) {
		t.Errorf("retry after copy: %d %s, want the first POST's %s", st, b, first)
	}
	if _, b := pg.Do("GET", "/api/mongodb-datastore/event?source=copy-retry", nil); !strings.Contains(string(b), `"totalCount":1`) {
		t.Errorf("a retry after the copy stored the event again: %s", b)
	}
	// New rows get new numbers after the copied ones.
	if st, b := pg.Do("POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"copy-test","data":{"project":"demo"}}`); st != 200 {
		t.Errorf("event after copy: %d %s", st, b)
	}
}
