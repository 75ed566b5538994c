package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// Cluster is a PostgreSQL server of a test's own (for tests that restart
// the database), stopped when the test ends.
type Cluster struct {
	URL  string
	t    testing.TB
	bin  string
	data string
	log  string // server output: pg_ctl must not hand the server its own stdout
	port int
}

// StartCluster initialises and starts a throw-away cluster on a free
// loopback port with Debian's PostgreSQL binaries, running them as user
// postgres when the test runs as root. Without the binaries the test skips
// (fails in CI).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	if len(dirs) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("no PostgreSQL binaries in /usr/lib/postgresql; .ci/run installs them")
		}
		t.Skip("no PostgreSQL binaries in /usr/lib/postgresql")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "baton-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: dirs[len(dirs)-1], data: filepath.Join(dir, "data"), log: filepath.Join(dir, "log"), port: port,
		URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", port)}
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", "postgres", dir).Run(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		c.run("pg_ctl", "-D", c.data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	c.must("initdb", "-D", c.data, "-U", "postgres", "-A", "trust")
	c.must("pg_ctl", "-D", c.data, "-l", c.log, "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir), "start")
	return c
}

// Restart stops the server (fast: connections are cut) and starts it again.
func (c *Cluster) Restart() {
	c.t.Helper()
	c.must("pg_ctl", "-D", c.data, "-l", c.log, "-m", "fast", "-w", "restart")
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, name)}, args...)...)
	}
	cmd.Dir = os.TempDir()
	return cmd.CombinedOutput()
}

func (c *Cluster) must(name string, args ...string) {
	c.t.Helper()
	if out, err := c.run(name, args...); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}
