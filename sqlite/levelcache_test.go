package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
)

// The level cache answers only with committed files: a change committed is
// seen by the next transaction, and a change rolled back is seen by no one,
// not even the transaction after it in the same group.
func TestLevelCache(t *testing.T) {
	db := openTest(t)
	ks := NewKeptnStore(db)
	ctx := context.Background()
	put := func(tx keptn.Tx, v string) error {
		return tx.PutResources(keptn.ResourceKey{Project: "p"}, []keptn.Resource{{URI: "a.yaml", Content: []byte(v)}}, "r-"+v, time.Now())
	}
	read := func(tx keptn.Tx) string {
		lv, err := tx.LevelResources("p", "dev", "s", "a.yaml")
		if err != nil || len(lv) != 1 {
			t.Errorf("level resources: %v %+v", err, lv)
			return ""
		}
		return string(lv[0].Content)
	}
	mustRead := func(want string) {
		t.Helper()
		var got string
		if err := ks.Update(ctx, func(tx keptn.Tx) error { got = read(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("read %q, want %q", got, want)
		}
	}
	for _, v := range []string{"v1", "v2"} {
		if err := ks.Update(ctx, func(tx keptn.Tx) error { return put(tx, v) }); err != nil {
			t.Fatal(err)
		}
		mustRead(v)
		mustRead(v) // from the cache
	}

	// Hold the writer so that the next two transactions share a group: the
	// first writes v3, reads it and fails; the second reads.
	release := holdWriter(t, db)
	boom := errors.New("boom")
	failed := make(chan error, 1)
	go func() {
		failed <- ks.Update(ctx, func(tx keptn.Tx) error {
			if err := put(tx, "v3"); err != nil {
				return err
			}
			if got := read(tx); got != "v3" {
				t.Errorf("a transaction reads %q after writing v3", got)
			}
			return boom
		})
	}()
	waitQueued(t, db, 1)
	second := make(chan string, 1)
	go func() {
		var got string
		_ = ks.Update(ctx, func(tx keptn.Tx) error { got = read(tx); return nil })
		second <- got
	}()
	waitQueued(t, db, 2)
	release()
	if err := <-failed; !errors.Is(err, boom) {
		t.Fatalf("the failing transaction: %v", err)
	}
	if got := <-second; got != "v2" {
		t.Fatalf("the next transaction of the group read %q, want v2", got)
	}
	mustRead("v2")
}
