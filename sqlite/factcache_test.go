package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
)

func factShipyard(stage string) string {
	return "apiVersion: spec.keptn.sh/0.2.3\nkind: Shipyard\nmetadata:\n  name: s\nspec:\n  stages:\n    - name: " + stage +
		"\n      sequences:\n        - name: delivery\n          tasks:\n            - name: deployment\n"
}

// facts is what one transaction reads of the fact cache's subjects.
type facts struct {
	stage          string // the shipyard's only stage
	web, api       bool   // services that exist
	paused, pauseX bool   // context k paused in dev; context x paused
}

func readFacts(t *testing.T, tx keptn.Tx) facts {
	t.Helper()
	var f facts
	sy, err := tx.Shipyard("p")
	if err != nil {
		t.Errorf("shipyard: %v", err)
		return f
	}
	f.stage = sy.Spec.Stages[0].Name
	for _, c := range []struct {
		name string
		to   *bool
	}{{"web", &f.web}, {"api", &f.api}} {
		if *c.to, err = tx.ServiceExists("p", c.name); err != nil {
			t.Errorf("service %s: %v", c.name, err)
		}
	}
	if f.paused, err = tx.Paused("k", "dev"); err != nil {
		t.Errorf("paused: %v", err)
	}
	if f.pauseX, err = tx.Paused("x", "dev"); err != nil {
		t.Errorf("paused: %v", err)
	}
	return f
}

// The fact cache answers only with committed facts: a change committed is
// seen by the next transaction, and a change rolled back is seen by no one,
// not even the transaction after it in the same group. Every read is made
// twice in a row, so the second comes from the cache.
func TestFactCache(t *testing.T) {
	db := openTest(t)
	ks := NewKeptnStore(db)
	ctx := context.Background()
	update := func(fn func(keptn.Tx) error) {
		t.Helper()
		if err := ks.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	mustRead := func(want facts) {
		t.Helper()
		for range 2 {
			var got facts
			update(func(tx keptn.Tx) error { got = readFacts(t, tx); return nil })
			if got != want {
				t.Fatalf("read %+v, want %+v", got, want)
			}
		}
	}
	t0 := time.Unix(1e9, 0)
	update(func(tx keptn.Tx) error {
		if err := tx.CreateProject(&keptn.NewProject{Name: "p", Shipyard: factShipyard("dev"), Created: t0,
			Stages: []keptn.ProjectStage{{Name: "dev"}}}); err != nil {
			return err
		}
		return tx.CreateService("p", "web", t0)
	})
	mustRead(facts{stage: "dev", web: true})

	// Committed changes, one kind at a time.
	update(func(tx keptn.Tx) error {
		return tx.UpdateProject(&keptn.NewProject{Name: "p", Shipyard: factShipyard("qa"), Stages: []keptn.ProjectStage{{Name: "qa"}}})
	})
	mustRead(facts{stage: "qa", web: true})
	update(func(tx keptn.Tx) error { return tx.CreateService("p", "api", t0) })
	mustRead(facts{stage: "qa", web: true, api: true})
	update(func(tx keptn.Tx) error { return tx.DeleteService("p", "web") })
	mustRead(facts{stage: "qa", api: true})
	update(func(tx keptn.Tx) error { return tx.SetPaused("x", "", true) })
	mustRead(facts{stage: "qa", api: true, pauseX: true})
	update(func(tx keptn.Tx) error { return tx.SetPaused("k", "dev", true) })
	mustRead(facts{stage: "qa", api: true, paused: true, pauseX: true})
	update(func(tx keptn.Tx) error {
		if err := tx.SetPaused("k", "", false); err != nil {
			return err
		}
		return tx.SetPaused("x", "", false)
	})
	committed := facts{stage: "qa", api: true}
	mustRead(committed)

	// One group: the first transaction changes every fact, reads its own
	// changes and fails; the second reads what is committed.
	release := holdWriter(t, db)
	boom := errors.New("boom")
	failed := make(chan error, 1)
	go func() {
		failed <- ks.Update(ctx, func(tx keptn.Tx) error {
			if err := tx.UpdateProject(&keptn.NewProject{Name: "p", Shipyard: factShipyard("prod"), Stages: []keptn.ProjectStage{{Name: "prod"}}}); err != nil {
				return err
			}
			if err := tx.CreateService("p", "web", t0); err != nil {
				return err
			}
			if err := tx.DeleteService("p", "api"); err != nil {
				return err
			}
			if err := tx.SetPaused("k", "", true); err != nil {
				return err
			}
			want := facts{stage: "prod", web: true, paused: true}
			if got := readFacts(t, tx); got != want {
				t.Errorf("the failing transaction reads %+v after its changes, want %+v", got, want)
			}
			return boom
		})
	}()
	waitQueued(t, db, 1)
	second := make(chan facts, 1)
	go func() {
		var got facts
		_ = ks.Update(ctx, func(tx keptn.Tx) error { got = readFacts(t, tx); return nil })
		second <- got
	}()
	waitQueued(t, db, 2)
	release()
	if err := <-failed; !errors.Is(err, boom) {
		t.Fatalf("the failing transaction: %v", err)
	}
	if got := <-second; got != committed {
		t.Fatalf("the next transaction of the group read %+v, want %+v", got, committed)
	}
	mustRead(committed)

	// A deleted project's shipyard is gone with it.
	update(func(tx keptn.Tx) error { return tx.DeleteProject("p") })
	update(func(tx keptn.Tx) error {
		if _, err := tx.Shipyard("p"); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("shipyard of a deleted project: %v, want not found", err)
		}
		if ok, err := tx.ServiceExists("p", "api"); ok || err != nil {
			t.Errorf("service of a deleted project: %v %v", ok, err)
		}
		return nil
	})
}
