package appconfig

import (
	"fmt"
	"math"
	"time"
)

// Input is what the engine is told besides the time.
type Input struct {
	// Rollback, when set, stops an active deployment: ROLLBACK_STARTED and
	// ROLLBACK_COMPLETED are logged and the deployment ends ROLLED_BACK.
	Rollback *Trigger
}

// Trigger says who rolled a deployment back and why.
type Trigger struct {
	By          string // USER, CLOUDWATCH_ALARM, APPCONFIG, INTERNAL_ERROR
	Description string
}

// Step is the engine's answer: how many events it prepended to the log and
// when it wants to be woken next (zero when the deployment has ended).
type Step struct {
	NewEvents int
	Next      time.Time
}

// Percentages returns the share of clients reached after each growth step:
// LINEAR adds factor each step, EXPONENTIAL doubles from factor; the last
// step is always 100.
func Percentages(growthType string, factor float64) []float64 {
	if factor <= 0 {
		factor = 100
	}
	var out []float64
	for k := 0; ; k++ {
		var p float64
		if growthType == GrowthExponential {
			p = factor * math.Pow(2, float64(k))
		} else {
			p = factor * float64(k+1)
		}
		if p >= 100 || k >= 1000 {
			return append(out, 100)
		}
		out = append(out, p)
	}
}

// stepAt returns when growth step k (1-based) of n is due: the steps are
// spread evenly over the deployment duration, the last one at its end.
func (d *Deployment) stepAt(k, n int) time.Time {
	dur := time.Duration(d.DeploymentDurationInMinutes) * time.Minute
	return d.StartedAt.Add(dur * time.Duration(k) / time.Duration(n))
}

func (d *Deployment) bakeEnd() time.Time {
	return d.Engine.BakeStart.Add(time.Duration(d.FinalBakeTimeInMinutes) * time.Minute)
}

// Advance moves d forward to now: growth steps that are due, the start of
// the final bake, completion; or a rollback when in asks for one. It is a
// pure function of (d, in, now).
func Advance(d *Deployment, in Input, now time.Time) Step {
	before := len(d.EventLog)
	if !d.Active() {
		return Step{}
	}
	if in.Rollback != nil {
		rollBack(d, *in.Rollback, now)
		return Step{NewEvents: len(d.EventLog) - before}
	}
	pcts := Percentages(d.GrowthType, d.GrowthFactor)
	n := len(pcts)
	if d.State == StateDeploying {
		for d.Engine.StepsDone < n && !now.Before(d.stepAt(d.Engine.StepsDone+1, n)) {
			d.Engine.StepsDone++
			d.PercentageComplete = pcts[d.Engine.StepsDone-1]
			d.log(now, EventPercentageUpdated, ByAppConfig,
				fmt.Sprintf("Configuration available to %.2f%% of clients", d.PercentageComplete))
		}
		if d.Engine.StepsDone == n {
			d.State = StateBaking
			d.Engine.BakeStart = d.stepAt(n, n)
			d.log(now, EventBakeTimeStarted, ByAppConfig, "Deployment bake time started")
		}
	}
	if d.State == StateBaking && !now.Before(d.bakeEnd()) {
		d.State = StateComplete
		t := now
		d.CompletedAt = &t
		d.log(now, EventDeploymentComplete, ByAppConfig, "Deployment completed")
	}
	st := Step{NewEvents: len(d.EventLog) - before}
	switch d.State {
	case StateDeploying:
		st.Next = d.stepAt(d.Engine.StepsDone+1, n)
	case StateBaking:
		st.Next = d.bakeEnd()
	}
	return st
}

func rollBack(d *Deployment, t Trigger, now time.Time) {
	d.log(now, EventRollbackStarted, t.By, t.Description)
	d.State = StateRolledBack
	d.log(now, EventRollbackCompleted, t.By, "Rollback completed")
	c := now
	d.CompletedAt = &c
}

// Revert marks a completed deployment REVERTED: clients go back to the
// configuration they had before it.
func Revert(d *Deployment, now time.Time) {
	d.State = StateReverted
	d.log(now, EventRevertCompleted, ByUser, "Configuration reverted to the previously deployed version")
}

// log prepends an event: the event log is newest first.
func (d *Deployment) log(now time.Time, typ, by, desc string) {
	ev := DeploymentEvent{EventType: typ, TriggeredBy: by, Description: desc,
		ActionInvocations: []ActionInvocation{}, OccurredAt: now}
	d.EventLog = append([]DeploymentEvent{ev}, d.EventLog...)
}

// EnvironmentState returns the environment state that follows d's state.
func EnvironmentState(d *Deployment) string {
	switch d.State {
	case StateDeploying, StateBaking, StateValidating:
		return EnvDeploying
	case StateRollingBack:
		return EnvRollingBack
	case StateRolledBack:
		return EnvRolledBack
	case StateReverted:
		return EnvReverted
	}
	return EnvReady
}
