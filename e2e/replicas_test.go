package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/postgres/pgtest"
)

// cluster is several baton serve processes on one PostgreSQL database.
type cluster struct {
	t     *testing.T
	dirs  []string
	addrs []string
	args  []string
	mu    sync.Mutex
	procs []*batontest.Process
	sqs   []*sqs.Client
	ac    []*appconfig.Client
	next  atomic.Uint64
}

func startCluster(t *testing.T, n int) *cluster {
	key := make([]byte, 32)
	rand.Read(key)
	t.Setenv("BATON_SECRET_KEY", base64.StdEncoding.EncodeToString(key))
	c := &cluster{t: t, args: []string{"--database", pgtest.URL(t), "--aws-auth", "any", "--log-level", "warn",
		"--allow-webhook-target", "127.0.0.1"}}
	creds := credentials.NewStaticCredentialsProvider("AKIDREPLICAS", "secret", "")
	for range n {
		dir := t.TempDir()
		p := batontest.StartProcess(t, dir, c.args...)
		c.dirs, c.addrs, c.procs = append(c.dirs, dir), append(c.addrs, p.Addr), append(c.procs, p)
		c.sqs = append(c.sqs, sqs.New(sqs.Options{BaseEndpoint: aws.String(p.URL), Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1}))
		c.ac = append(c.ac, appconfig.New(appconfig.Options{BaseEndpoint: aws.String(p.URL), Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1}))
	}
	return c
}

// pick returns the index of the next replica, round robin.
func (c *cluster) pick() int { return int(c.next.Add(1) % uint64(len(c.addrs))) }

func (c *cluster) url(i int) string { return "http://" + c.addrs[i] }

// kill SIGKILLs replica i; restart starts it again on its address and directory.
func (c *cluster) kill(i int) {
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	p.Kill()
}

func (c *cluster) restart(i int) {
	p := batontest.StartProcessAt(c.t, c.dirs[i], c.addrs[i], c.args...)
	c.mu.Lock()
	c.procs[i] = p
	c.mu.Unlock()
}

// retry runs f on replicas round robin until it succeeds or the deadline.
func retry[T any](c *cluster, what string, f func(i int) (T, error)) T {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := f(c.pick())
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %v", what, err)
		}
	}
}

type reply struct {
	status int
	body   []byte
}

func (c *cluster) do(method, path, body string) (int, []byte) {
	r := retry(c, method+" "+path, func(i int) (reply, error) {
		st, b := do(c.t, c.url(i), method, path, body)
		if st == 0 || st >= 500 {
			return reply{}, fmt.Errorf("%d %s", st, b)
		}
		return reply{st, b}, nil
	})
	return r.status, r.body
}

// TestThreeReplicasOneDatabase spreads clients round robin over three
// replicas on one PostgreSQL: Keptn sequences whose executor polls and
// answers through other replicas, SQS standard and FIFO sends on one replica
// and receives on the others, AppConfig deployments with SQS extension
// messages. One replica is SIGKILLed mid-load and restarted. Nothing
// acknowledged is lost, no task is dispatched twice, no message is received
// twice within its visibility timeout, FIFO groups stay in order and every
// deployment completes.
func TestThreeReplicasOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("three processes and a database")
	}
	pgtest.BaseURL(t)
	c := startCluster(t, 3)
	ctx := context.Background()

	keptn := newKeptnLoad(c)
	queues := newQueueLoad(c, ctx)
	deploys := newDeployLoad(c, ctx)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	keptn.run(&wg, stop)
	queues.run(&wg, stop)
	deploys.run(&wg)

	// Mid-load: SIGKILL replica 1, then bring it back.
	for queues.acked.Load() < 300 {
		time.Sleep(10 * time.Millisecond) // polling progress with the checks' deadline below
	}
	keptn.mu.Lock()
	keptn.killedAt = time.Now()
	keptn.mu.Unlock()
	c.kill(1)
	t.Log("replica 1 killed after", queues.acked.Load(), "acknowledged sends")
	c.restart(1)

	deploys.wait()
	keptn.wait()
	queues.finish()
	close(stop)
	wg.Wait()

	keptn.check()
	queues.check()
	deploys.check()
}

// TestReplicasSurviveDatabaseRestart restarts PostgreSQL under two replicas
// while clients send: clients see errors and retry, nothing acknowledged is
// lost, and the replicas serve again without being restarted.
func TestReplicasSurviveDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("a database of its own")
	}
	db := pgtest.StartCluster(t)
	key := make([]byte, 32)
	rand.Read(key)
	t.Setenv("BATON_SECRET_KEY", base64.StdEncoding.EncodeToString(key))
	c := &cluster{t: t, args: []string{"--database", db.URL, "--aws-auth", "any", "--log-level", "error"}}
	for range 2 {
		dir := t.TempDir()
		p := batontest.StartProcess(t, dir, c.args...)
		c.dirs, c.addrs, c.procs = append(c.dirs, dir), append(c.addrs, p.Addr), append(c.procs, p)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	var failed atomic.Int64
	send := func(w, i int) {
		ev := fmt.Sprintf(`{"type":"sh.keptn.event.x.triggered","source":"pg-restart","shkeptncontext":"%08d-0000-4000-8000-%012d","data":{}}`, w, i)
		st, b := do(t, c.url(c.pick()), "POST", "/api/v1/event", ev)
		if st != 200 {
			failed.Add(1)
			return
		}
		var r struct{ KeptnContext string }
		json.Unmarshal(b, &r)
		mu.Lock()
		acked[r.KeptnContext] = true
		mu.Unlock()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	var wg sync.WaitGroup
	var atRestart atomic.Int64 // acknowledged events when the restart returned
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				send(w, i)
				if n := atRestart.Load(); n > 0 && count() > int(n)+200 {
					return
				}
			}
		}()
	}
	for count() < 200 {
		time.Sleep(5 * time.Millisecond) // polling progress
	}
	db.Restart()
	atRestart.Store(int64(count()))
	t.Log("database restarted after", count(), "acknowledged events;", failed.Load(), "requests failed so far")
	wg.Wait()
	t.Log(count(), "acknowledged,", failed.Load(), "failed during the restart")

	missing := 0
	for kc := range acked {
		st, b := do(t, c.url(c.pick()), "GET", "/api/mongodb-datastore/event?keptnContext="+kc, "")
		if st != 200 || !strings.Contains(string(b), `"totalCount":1`) {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged events lost", missing, len(acked))
	}
}
