package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
)

// batonBinary builds the real binary once per test run.
func batonBinary(t *testing.T) string { return batontest.Binary(t) }

// proc is a baton serve subprocess.
type proc struct {
	*batontest.Process
	url string
}

const processToken = batontest.Token

// serve starts "baton serve" on a free port with data dir and extra args, and
// waits until it answers.
func serve(t *testing.T, data string, args ...string) *proc {
	t.Helper()
	p := batontest.StartProcess(t, data, args...)
	return &proc{Process: p, url: p.URL}
}

// kill sends SIGKILL and waits for the process to go.
func (p *proc) kill() { p.Kill() }

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
