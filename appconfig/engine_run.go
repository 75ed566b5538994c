package appconfig

import (
	"context"
	"fmt"
	"time"
)

// RevertWindow is how long after completion a deployment can be reverted.
const RevertWindow = 72 * time.Hour

// StopDeployment stops deployment n of env: an active one is rolled back
// (ROLLED_BACK); a completed one is reverted (REVERTED) when allowRevert is
// set, it is the environment's latest deployment and it completed within
// RevertWindow.
func (s *Service) StopDeployment(ctx context.Context, app, envID string, n int, allowRevert bool) (*Deployment, error) {
	var d *Deployment
	err := s.store.Update(ctx, func(tx Tx) error {
		env, err := getEnvironment(ctx, tx, app, envID)
		if err != nil {
			return err
		}
		if d, err = tx.Deployment(ctx, envID, n); err != nil {
			return err
		}
		now := s.now()
		switch {
		case d.Active():
			st := Advance(d, Input{Rollback: &Trigger{By: ByUser, Description: "Rollback initiated by user"}}, now)
			return s.apply(tx, d, env, st)
		case d.State == StateComplete && allowRevert:
			if err := checkRevertable(ctx, tx, d, now); err != nil {
				return err
			}
			Revert(d, now)
			return s.apply(tx, d, env, Step{NewEvents: 1})
		case d.State == StateComplete:
			return Errorf(CodeBadRequest, "deployment %d is COMPLETE; set Allow-Revert to revert it", n)
		}
		return Errorf(CodeBadRequest, "deployment %d has already ended (%s)", n, d.State)
	})
	return d, err
}

func checkRevertable(ctx context.Context, r Reader, d *Deployment, now time.Time) error {
	latest, _, err := r.Deployments(ctx, d.EnvironmentID, Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(latest) == 0 || latest[0].DeploymentNumber != d.DeploymentNumber {
		return Errorf(CodeBadRequest, "only the latest deployment of an environment can be reverted")
	}
	if d.CompletedAt != nil && now.Sub(*d.CompletedAt) > RevertWindow {
		return Errorf(CodeBadRequest, "deployment %d completed more than 72 hours ago and can no longer be reverted", d.DeploymentNumber)
	}
	return nil
}

// Step runs the engine for the deployment a timer names. Timers of an older
// generation (superseded by a stop or a later step) are ignored, so a timer
// delivered twice does no harm.
func (s *Service) Step(ctx context.Context, t StepTimer) error {
	d, err := s.store.Deployment(ctx, t.Env, t.Number)
	if ErrorCode(err) == CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !d.Active() || d.Engine.TimerGen != t.Gen {
		return nil
	}
	in := Input{}
	dir, err := s.hooks.AtDeploymentTick(ctx, d)
	switch {
	case err != nil:
		in.Rollback = &Trigger{By: ByInternalError, Description: fmt.Sprintf("AT_DEPLOYMENT_TICK failed: %v", err)}
	case dir.RollBack:
		in.Rollback = &Trigger{By: ByAppConfig, Description: dir.Description}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		d, err := tx.Deployment(ctx, t.Env, t.Number)
		if err != nil {
			return err
		}
		if !d.Active() || d.Engine.TimerGen != t.Gen {
			return nil
		}
		env, err := getEnvironment(ctx, tx, d.ApplicationID, d.EnvironmentID)
		if err != nil {
			return err
		}
		if in.Rollback == nil {
			if in.Rollback, err = firingAlarm(ctx, tx, env); err != nil {
				return err
			}
		}
		st := Advance(d, in, s.now())
		if in.Rollback != nil && in.Rollback.By != ByAlarm && st.NewEvents > 0 && len(dir.Invocations) > 0 {
			first := &d.EventLog[st.NewEvents-1] // oldest new event: ROLLBACK_STARTED
			first.ActionInvocations = append(first.ActionInvocations, dir.Invocations...)
		}
		return s.apply(tx, d, env, st)
	})
}

func (s *Service) stepNow(t StepTimer) {
	defer s.running.Done()
	if err := s.Step(context.Background(), t); err != nil && s.log != nil {
		s.log.Warn("immediate deployment step failed; the durable timer will retry", "env", t.Env, "deployment", t.Number, "err", err)
	}
}

// Wait waits for the immediate steps already started; the server calls it
// before closing the store.
func (s *Service) Wait() { s.running.Wait() }

// SetAlarm sets the state of alarm name (creating it). An alarm going into
// ALARM rolls back, in the same transaction, every active deployment whose
// environment monitors it.
func (s *Service) SetAlarm(ctx context.Context, name, state, reason string) (*Alarm, error) {
	if name == "" || len(name) > 255 {
		return nil, Errorf(CodeBadRequest, "alarm name must be 1 to 255 characters")
	}
	if state != AlarmOK && state != AlarmAlarm && state != AlarmInsufficientData {
		return nil, Errorf(CodeBadRequest, "alarm state must be OK, ALARM or INSUFFICIENT_DATA")
	}
	a := &Alarm{Name: name, Arn: s.arns.Alarm(name), State: state, Reason: reason, UpdatedAt: s.now()}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutAlarm(a); err != nil {
			return err
		}
		if state != AlarmAlarm {
			return nil
		}
		return s.rollBackWatching(ctx, tx, name)
	})
	return a, err
}

func (s *Service) rollBackWatching(ctx context.Context, tx Tx, alarm string) error {
	active, err := tx.ActiveDeployments(ctx)
	if err != nil {
		return err
	}
	for _, d := range active {
		env, err := getEnvironment(ctx, tx, d.ApplicationID, d.EnvironmentID)
		if err != nil {
			return err
		}
		for _, m := range env.Monitors {
			if name, _ := AlarmName(m.AlarmArn); name == alarm {
				st := Advance(d, Input{Rollback: &Trigger{By: ByAlarm, Description: "Rollback initiated by alarm " + m.AlarmArn}}, s.now())
				if err := s.apply(tx, d, env, st); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// Alarm returns alarm name.
func (s *Service) Alarm(ctx context.Context, name string) (*Alarm, error) {
	a, err := s.store.Alarm(ctx, name)
	if err != nil {
		return nil, err
	}
	a.Arn = s.arns.Alarm(a.Name)
	return a, nil
}

// Alarms lists the alarms baton knows.
func (s *Service) Alarms(ctx context.Context) ([]*Alarm, error) {
	list, err := s.store.Alarms(ctx)
	for _, a := range list {
		a.Arn = s.arns.Alarm(a.Name)
	}
	return list, err
}
