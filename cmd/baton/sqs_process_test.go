package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// batonBinary builds the real binary once per test run.
func batonBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "baton-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "baton")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("go build: %s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build baton: %v", buildErr)
	}
	return builtPath
}

// proc is a baton serve subprocess.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

const processToken = "process-test-token"

var addrRE = regexp.MustCompile(`msg="baton serving" addr=(\S+)`)

// serve starts "baton serve" on a free port with data dir and extra args, and
// waits until it listens.
func serve(t *testing.T, data string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(batonBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--token", processToken}, args...)...)
	cmd.Env = append(os.Environ(), "BATON_SECRET_KEY=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	select {
	case addr := <-found:
		p.url = "http://" + addr
	case <-p.done:
		t.Fatal("baton serve exited before listening")
	case <-time.After(30 * time.Second):
		t.Fatal("baton serve did not start")
	}
	return p
}

// kill sends SIGKILL and waits for the process to go.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
	<-p.done
}

// runTool runs a command with env added and returns its combined output.
func runTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
