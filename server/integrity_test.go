package server_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
	"github.com/batonhq/baton/sqlite"
)

// withRows stops nothing: it adds a table of n rows of 1000 bytes to the
// database at path (closed), so the file has many b-tree pages.
func withRows(t *testing.T, path string, n int, extra ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := append([]string{`CREATE TABLE filler (a TEXT, b TEXT)`, `CREATE INDEX filler_a ON filler (a)`}, extra...)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tx, _ := db.Begin()
	for i := range n {
		tx.Exec(`INSERT INTO filler (a, b) VALUES (?, ?)`, strings.Repeat(string(rune('a'+i%26)), 500)+string(rune(i)), strings.Repeat("x", 500))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func stoppedInstance(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	batontest.Start(t, server.Config{DataDir: dir, Out: io.Discard}).Stop()
	return dir
}

// 4 KiB of random bytes in the middle of baton.db: baton refuses to start
// and says what to do, instead of serving from (and writing into) the
// damaged file.
func TestCorruptDatabaseRefusedAtStart(t *testing.T) {
	dir := stoppedInstance(t)
	path := filepath.Join(dir, "baton.db")
	withRows(t, path, 3000)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	damage(t, path, fi.Size()/2/4096*4096, 4096)
	refused(t, dir)
}

// Damage to the schema (the b-tree on page 1, after the file header) is met
// when the first connection opens, before the integrity check: the answer
// is the same.
func TestDamagedSchemaRefusedAtStart(t *testing.T) {
	dir := stoppedInstance(t)
	damage(t, filepath.Join(dir, "baton.db"), 100, 4096-100)
	refused(t, dir)
}

// damage overwrites n bytes at off in the file at path with random bytes.
func damage(t *testing.T, path string, off int64, n int) {
	t.Helper()
	junk := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(junk, off); err != nil {
		t.Fatal(err)
	}
}

// refused checks that baton does not start on the damaged database in dir
// and says what to do.
func refused(t *testing.T, dir string) {
	t.Helper()
	err := openErr(t, dir)
	if !errors.Is(err, sqlite.ErrIntegrity) || !strings.Contains(err.Error(), "restore the data directory from a backup") {
		t.Fatalf("start on a damaged database: %v", err)
	}
}

// Damage that only the full integrity check finds (an index that disagrees
// with its table) is found in the background for a large database: /readyz
// turns 503, and writes are refused with 503 instead of landing in the file.
func TestBackgroundIntegrityCheckStopsWrites(t *testing.T) {
	batontest.SQLiteOnly(t)
	dir := stoppedInstance(t)
	path := filepath.Join(dir, "baton.db")
	// The index claims to cover column b, but its entries are those of a.
	withRows(t, path, 200, `PRAGMA writable_schema = ON`)
	db, _ := sql.Open("sqlite", "file:"+path)
	if _, err := db.Exec(`PRAGMA writable_schema = ON`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE sqlite_schema SET sql = 'CREATE INDEX filler_a ON filler (b)' WHERE name = 'filler_a'`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	in := batontest.Start(t, server.Config{DataDir: dir, Out: io.Discard, FullCheckAbove: 1})
	var body readyBody
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, b := in.DoWith("GET", "/readyz", nil, nil)
		json.Unmarshal(b, &body)
		if st == http.StatusServiceUnavailable {
			break
		}
		if st != 200 || time.Now().After(deadline) {
			t.Fatalf("readyz: %d %s; want 503 once the background check finds the damage", st, b)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	if body.Status != "unavailable" || len(body.Problems) != 1 || !strings.HasPrefix(body.Problems[0], "database:") ||
		strings.Contains(strings.Join(body.Problems, " "), dir) {
		t.Errorf("readyz body: %+v", body)
	}
	st, b := in.Do("POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"s","data":{}}`)
	if st != http.StatusServiceUnavailable || !strings.Contains(string(b), "restored from a backup") {
		t.Errorf("write into a damaged database: %d %s", st, b)
	}
	if st, _ := in.DoWith("GET", "/healthz", nil, nil); st != 200 {
		t.Errorf("healthz (liveness) should stay 200: %d", st)
	}
}

type readyBody struct {
	Status         string   `json:"status"`
	IntegrityCheck string   `json:"integrityCheck"`
	Problems       []string `json:"problems"`
}

// A healthy instance is ready and the readiness route needs no token.
func TestReadyz(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, b := in.DoWith("GET", "/readyz", nil, nil)
	var body readyBody
	json.Unmarshal(b, &body)
	if st != 200 || body.Status != "ready" || body.IntegrityCheck != "done" || len(body.Problems) != 0 {
		t.Fatalf("readyz: %d %s", st, b)
	}
}
