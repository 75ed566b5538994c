package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/batonhq/baton/batontest"
)

func do(t *testing.T, base, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("x-token", batontest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestKillLosesNothingAcknowledged sends events and resources concurrently,
// kills baton with SIGKILL while writes are in flight, restarts it on the
// same data directory and checks every acknowledged write is there.
func TestKillLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	p := batontest.StartProcess(t, dir)
	shipyard := base64.StdEncoding.EncodeToString([]byte("apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n"))
	if st, b := do(t, p.URL, "POST", "/api/controlPlane/v1/project", `{"name":"demo","shipyard":"`+shipyard+`"}`); st != 201 {
		t.Fatalf("create project: %d %s", st, b)
	}

	var mu sync.Mutex
	acked := map[string]bool{}     // keptnContexts acknowledged
	resources := map[string]bool{} // resource URIs acknowledged
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%10 == 9 {
					uri := fmt.Sprintf("w%d-%d.txt", w, i)
					body := `{"resources":[{"resourceURI":"` + uri + `","resourceContent":"` + base64.StdEncoding.EncodeToString([]byte(uri)) + `"}]}`
					if st, _ := do(t, p.URL, "POST", "/api/resource-service/v1/project/demo/resource", body); st == 201 {
						mu.Lock()
						resources[uri] = true
						mu.Unlock()
					}
					continue
				}
				ev := fmt.Sprintf(`{"type":"sh.keptn.event.test.triggered","source":"crash-test","shkeptncontext":"%08d-0000-4000-8000-%012d","data":{"project":"demo","n":%d}}`, w, i, i)
				st, b := do(t, p.URL, "POST", "/api/v1/event", ev)
				if st == 200 {
					var r struct{ KeptnContext string }
					json.Unmarshal(b, &r)
					mu.Lock()
					acked[r.KeptnContext] = true
					n := len(acked)
					mu.Unlock()
					if n == 1500 {
						p.Kill() // SIGKILL mid-stream: other writers are still sending
					}
				}
			}
		}(w)
	}
	// Writers stop once the server is gone; give them a bounded time.
	go func() {
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 1500 {
				break
			}
			if st, _ := do(t, p.URL, "GET", "/healthz", ""); st == 0 {
				break
			}
		}
		p.Kill()
		close(stop)
	}()
	wg.Wait()
	if len(acked) < 1500 {
		t.Fatalf("only %d events acknowledged before the kill", len(acked))
	}

	p2 := batontest.StartProcessAt(t, dir, p.Addr)
	missing := 0
	for kc := range acked {
		st, b := do(t, p2.URL, "GET", "/api/mongodb-datastore/event?keptnContext="+kc, "")
		if st != 200 || !bytes.Contains(b, []byte(`"totalCount":1`)) {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged event %s missing after restart: %d %s", kc, st, b)
			}
		}
	}
	for uri := range resources {
		if st, b := do(t, p2.URL, "GET", "/api/resource-service/v1/project/demo/resource/"+uri, ""); st != 200 {
			t.Errorf("acknowledged resource %s missing after restart: %d %s", uri, st, b)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged events lost", missing, len(acked))
	}
	t.Logf("%d acknowledged events and %d resources survived SIGKILL", len(acked), len(resources))
}

// TestGracefulShutdown sends SIGTERM while clients are writing: baton exits
// cleanly and every acknowledged event is there after a restart.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	p := batontest.StartProcess(t, dir)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				st, b := do(t, p.URL, "POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"graceful","data":{}}`)
				if st == 0 {
					return // server gone
				}
				if st == 200 {
					var r struct{ KeptnContext string }
					json.Unmarshal(b, &r)
					mu.Lock()
					acked = append(acked, r.KeptnContext)
					n := len(acked)
					mu.Unlock()
					if n == 300 {
						go p.Stop()
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := p.Stop(); err != nil {
		t.Fatalf("baton exited with %v after SIGTERM", err)
	}
	p2 := batontest.StartProcessAt(t, dir, p.Addr)
	_, b := do(t, p2.URL, "GET", "/api/mongodb-datastore/event?source=graceful&pageSize=1", "")
	var page struct{ TotalCount int }
	json.Unmarshal(b, &page)
	if page.TotalCount < len(acked) {
		t.Fatalf("%d events stored, %d acknowledged", page.TotalCount, len(acked))
	}
}
