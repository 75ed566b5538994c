package appconfig

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentages(t *testing.T) {
	for _, tc := range []struct {
		typ    string
		factor float64
		want   []float64
	}{
		{GrowthLinear, 25, []float64{25, 50, 75, 100}},
		{GrowthLinear, 30, []float64{30, 60, 90, 100}},
		{GrowthLinear, 100, []float64{100}},
		{GrowthExponential, 10, []float64{10, 20, 40, 80, 100}},
		{GrowthExponential, 2, []float64{2, 4, 8, 16, 32, 64, 100}},
	} {
		if diff := cmp.Diff(Percentages(tc.typ, tc.factor), tc.want); diff != "" {
			t.Errorf("%s %v (-got +want):\n%s", tc.typ, tc.factor, diff)
		}
	}
}

func TestAdvanceTimeline(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &Deployment{State: StateDeploying, StartedAt: t0, DeploymentDurationInMinutes: 10,
		GrowthType: GrowthLinear, GrowthFactor: 50, FinalBakeTimeInMinutes: 3}
	steps := []struct {
		at      time.Duration
		state   string
		pct     float64
		next    time.Duration
		newEvts int
	}{
		{4 * time.Minute, StateDeploying, 0, 5 * time.Minute, 0},
		{5 * time.Minute, StateDeploying, 50, 10 * time.Minute, 1},
		{10 * time.Minute, StateBaking, 100, 13 * time.Minute, 2},
		{13 * time.Minute, StateComplete, 100, -1, 1},
	}
	for _, s := range steps {
		st := Advance(d, Input{}, t0.Add(s.at))
		if d.State != s.state || d.PercentageComplete != s.pct || st.NewEvents != s.newEvts {
			t.Fatalf("at %v: %s %.0f%% +%d events, want %s %.0f%% +%d", s.at, d.State, d.PercentageComplete, st.NewEvents, s.state, s.pct, s.newEvts)
		}
		if (s.next < 0) != st.Next.IsZero() || (s.next >= 0 && !st.Next.Equal(t0.Add(s.next))) {
			t.Fatalf("at %v: next %v, want +%v", s.at, st.Next, s.next)
		}
	}
	// Catching up after downtime logs every step, and an ended deployment stays put.
	d2 := &Deployment{State: StateDeploying, StartedAt: t0, DeploymentDurationInMinutes: 4, GrowthType: GrowthLinear, GrowthFactor: 25}
	if st := Advance(d2, Input{}, t0.Add(time.Hour)); st.NewEvents != 6 || d2.State != StateComplete {
		t.Fatalf("catch-up: %d events, state %s", st.NewEvents, d2.State)
	}
	if st := Advance(d2, Input{Rollback: &Trigger{By: ByUser}}, t0.Add(2*time.Hour)); st.NewEvents != 0 || d2.State != StateComplete {
		t.Fatal("a completed deployment was rolled back by the engine")
	}
}

func TestRollback(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &Deployment{State: StateBaking, StartedAt: t0, GrowthFactor: 100, FinalBakeTimeInMinutes: 10}
	st := Advance(d, Input{Rollback: &Trigger{By: ByAlarm, Description: "alarm"}}, t0.Add(time.Minute))
	if d.State != StateRolledBack || st.NewEvents != 2 || !st.Next.IsZero() ||
		d.EventLog[0].EventType != EventRollbackCompleted || d.EventLog[1].TriggeredBy != ByAlarm {
		t.Fatalf("rollback: %s %+v", d.State, d.EventLog)
	}
	if EnvironmentState(d) != EnvRolledBack {
		t.Fatal(EnvironmentState(d))
	}
}
