package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkExchangeFloor measures what one HTTP exchange costs on this
// machine beyond the work it waits for, with nothing of baton in it: the
// floor under `baton bench sequences --concurrency 1`, whose ten exchanges
// per sequence each wait for a commit or for a long-poll woken by one.
//
// A client POSTs 512 bytes over loopback with net/http; the handler hands
// the request to a writer goroutine and waits for its answer, as baton's
// handlers wait for the group commit. The writer writes a 4 KiB page to a
// file and, in "fsync", flushes it. ns/op is the round trip, wait-ns/op the
// writer's part, and overhead-ns/op the rest: HTTP on both sides and the
// goroutines waking. With fsync the process sits idle while the disk
// flushes, and waking from idle costs more than the exchange itself.
func BenchmarkExchangeFloor(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "nosync"
		if sync {
			name = "fsync"
		}
		b.Run(name, func(b *testing.B) { benchExchange(b, sync) })
	}
}

func benchExchange(b *testing.B, sync bool) {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	type job struct{ done chan time.Duration }
	jobs := make(chan job)
	writerDone := make(chan struct{})
	page := make([]byte, 4096)
	go func() {
		defer close(writerDone)
		for j := range jobs {
			start := time.Now()
			_, err := f.WriteAt(page, 0)
			if err == nil && sync {
				err = f.Sync()
			}
			if err != nil {
				b.Error(err)
			}
			j.done <- time.Since(start)
		}
	}()
	var waited atomic.Int64 // ns; the handler adds, the benchmark reads
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		j := job{done: make(chan time.Duration, 1)}
		jobs <- j
		waited.Add(int64(<-j.done))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keptnContext":"c","id":"i"}`))
	}))
	defer func() { srv.Close(); close(jobs); <-writerDone }()
	client := srv.Client()
	body := bytes.Repeat([]byte("x"), 512)
	post := func() {
		res, err := client.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	post() // the connection
	waited.Store(0)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		post()
	}
	total := time.Since(start)
	w := time.Duration(waited.Load())
	b.ReportMetric(float64(w.Nanoseconds())/float64(b.N), "wait-ns/op")
	b.ReportMetric(float64((total-w).Nanoseconds())/float64(b.N), "overhead-ns/op")
}
