package batontest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds ./cmd/baton once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		dir, err := os.MkdirTemp("", "baton-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "baton")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/baton")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// Process is baton serve running as a child process, for crash tests.
type Process struct {
	URL     string
	Token   string
	DataDir string
	Addr    string
	cmd     *exec.Cmd
	t       testing.TB
	output  lockedBuffer
	exited  chan struct{}
	err     error
}

// lockedBuffer collects the child's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Output returns what the process printed so far.
func (p *Process) Output() string { return p.output.String() }

// StartProcess runs "baton serve" on a free loopback port with dataDir and
// extra arguments, and waits until /healthz answers.
func StartProcess(t testing.TB, dataDir string, args ...string) *Process {
	t.Helper()
	return StartProcessAt(t, dataDir, freeAddr(t), args...)
}

// StartProcessAt is StartProcess on a given address (to restart on the same one).
func StartProcessAt(t testing.TB, dataDir, addr string, args ...string) *Process {
	t.Helper()
	bin := Binary(t)
	base := []string{"serve", "--addr", addr, "--data", dataDir}
	if u := databaseFor(t, dataDir); u != "" {
		base = append(base, "--database", u)
	}
	cmd := exec.Command(bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "BATON_TOKEN="+Token)
	p := &Process{URL: "http://" + addr, Token: Token, DataDir: dataDir, Addr: addr, cmd: cmd, t: t, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.output, &p.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("output of baton on %s:\n%s", addr, p.output.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("baton exited at start (%v):\n%s", p.err, p.output.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("baton did not become healthy on %s", addr)
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness with a deadline
	}
}

// Kill sends SIGKILL and waits for the process to exit. It is safe to call
// more than once and concurrently.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop sends SIGTERM (graceful shutdown), waits, and returns the exit error.
func (p *Process) Stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	return p.err
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// AWSKeys creates an AWS access key through the process's admin API.
func (p *Process) AWSKeys() (id, secret string) {
	p.t.Helper()
	return awsKeys(p.t, p.URL, p.Token)
}
