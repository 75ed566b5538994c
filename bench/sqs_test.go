package bench_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/bench"
	"github.com/batonhq/baton/postgres/pgtest"
	"github.com/batonhq/baton/server"
)

func TestRunSQS(t *testing.T) {
	in := batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard})
	ceiling, err := bench.StartCeilingSQS(64)
	if err != nil {
		t.Fatal(err)
	}
	defer ceiling.Close()
	for name, url := range map[string]string{"baton": in.URL, "ceiling": ceiling.URL()} {
		for _, batch := range []int{1, 10} {
			res, err := bench.RunSQS(context.Background(), bench.SQSConfig{Endpoint: url, Concurrency: 4, Batch: batch, Messages: 200, BodySize: 64}, io.Discard)
			if err != nil {
				t.Fatalf("%s batch %d: %v", name, batch, err)
			}
			if len(res) != 2 || res[0].Messages < 200 || res[1].Messages < 200 || res[0].P99 < res[0].P50 {
				t.Errorf("%s batch %d: %+v", name, batch, res)
			}
		}
	}
}

// TestRunSQSAcrossReplicas: with two replicas on one PostgreSQL database,
// the workers send through one and receive through the other, and every
// message sent is received.
func TestRunSQSAcrossReplicas(t *testing.T) {
	db := pgtest.URL(t)
	key := make([]byte, 32)
	rand.Read(key)
	t.Setenv("BATON_SECRET_KEY", base64.StdEncoding.EncodeToString(key)) // replicas share it
	a := batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard, Database: db})
	b := batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard, Database: db})
	res, err := bench.RunSQS(context.Background(), bench.SQSConfig{Endpoint: a.URL + "," + b.URL, Concurrency: 4, Messages: 200, BodySize: 64}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Messages < 200 || res[1].Messages < 200 {
		t.Errorf("sent and received: %+v", res)
	}
}

// TestRunSQSServerCPU: with ServerPID, each phase reports the CPU time that
// process used (here this test's own process, which runs the server).
func TestRunSQSServerCPU(t *testing.T) {
	in := batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard})
	res, err := bench.RunSQS(context.Background(), bench.SQSConfig{Endpoint: in.URL, Concurrency: 4, Messages: 2000, BodySize: 64, ServerPID: os.Getpid()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.ServerCPU <= 0 || !strings.Contains(r.String(), "server cpu") {
			t.Errorf("%s: server cpu %v in %q", r.Phase, r.ServerCPU, r)
		}
	}
}
