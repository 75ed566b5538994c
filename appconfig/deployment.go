package appconfig

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// StartInput is a StartDeployment request.
type StartInput struct {
	Application            string
	Environment            string
	StrategyID             string
	ProfileID              string
	ConfigurationVersion   string // version number or VersionLabel
	Description            string
	KmsKeyIdentifier       string
	Tags                   map[string]string
	DynamicParameters      map[string]string
	LatestDeploymentNumber *int // optimistic lock
	// Task, when set, is the shipyard task the deployment runs.
	Task *TaskOrigin
}

// checkStart checks StartDeployment's own fields (botocore model limits).
func checkStart(in StartInput) error {
	if in.StrategyID == "" || in.ProfileID == "" || in.ConfigurationVersion == "" {
		return Errorf(CodeBadRequest, "DeploymentStrategyId, ConfigurationProfileId and ConfigurationVersion are required")
	}
	if err := checkTags(in.Tags); err != nil {
		return err
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	if in.KmsKeyIdentifier != "" {
		if err := checkKmsKey(in.KmsKeyIdentifier, false); err != nil {
			return err
		}
	}
	if len(in.ConfigurationVersion) > 1024 {
		return Errorf(CodeBadRequest, "ConfigurationVersion must be 1 to 1024 characters")
	}
	if in.DynamicParameters != nil && (len(in.DynamicParameters) < 1 || len(in.DynamicParameters) > 10) {
		return Errorf(CodeBadRequest, "DynamicExtensionParameters must have 1 to 10 entries")
	}
	return nil
}

// deployContext is everything a deployment is made from.
type deployContext struct {
	app     *Application
	env     *Environment
	profile *ConfigurationProfile
	strat   *DeploymentStrategy
	version *HostedVersion
}

func (s *Service) loadDeployContext(ctx context.Context, in StartInput) (*deployContext, error) {
	var c deployContext
	var err error
	if c.app, err = s.Application(ctx, in.Application); err != nil {
		return nil, err
	}
	if c.env, err = s.Environment(ctx, in.Application, in.Environment); err != nil {
		return nil, err
	}
	if c.profile, err = s.Profile(ctx, in.Application, in.ProfileID); err != nil {
		return nil, err
	}
	if err := hostedOnly(c.profile); err != nil {
		return nil, err
	}
	if c.strat, err = s.Strategy(ctx, in.StrategyID); err != nil {
		return nil, err
	}
	if in.ConfigurationVersion == "" {
		return nil, Errorf(CodeBadRequest, "ConfigurationVersion is required")
	}
	if c.version, err = resolveVersion(ctx, s.store, c.profile.ID, in.ConfigurationVersion); err != nil {
		return nil, err
	}
	return &c, ValidateContent(c.profile, c.version.Content)
}

func newDeployment(c *deployContext, in StartInput, number int, now time.Time) *Deployment {
	d := &Deployment{
		ApplicationID: c.app.ID, EnvironmentID: c.env.ID, DeploymentStrategyID: c.strat.ID,
		ConfigurationProfileID: c.profile.ID, DeploymentNumber: number, ConfigurationName: c.profile.Name,
		ConfigurationLocationURI: c.profile.LocationURI, ConfigurationVersion: fmt.Sprint(c.version.VersionNumber),
		Description: in.Description, DeploymentDurationInMinutes: c.strat.DeploymentDurationInMinutes,
		GrowthType: c.strat.GrowthType, GrowthFactor: c.strat.GrowthFactor,
		FinalBakeTimeInMinutes: c.strat.FinalBakeTimeInMinutes, State: StateDeploying,
		StartedAt: now, VersionLabel: c.version.VersionLabel, KmsKeyIdentifier: in.KmsKeyIdentifier,
		AppliedExtensions: []AppliedExtension{},
	}
	d.Engine.HostedVersion = c.version.VersionNumber
	d.Engine.Task = in.Task
	d.Engine.ContentType = c.version.ContentType
	d.log(now, EventDeploymentStarted, ByUser, "Deployment started")
	return d
}

// StartDeployment starts rolling a configuration version out to an
// environment. Only one deployment per environment may be active
// (ConflictException otherwise).
func (s *Service) StartDeployment(ctx context.Context, in StartInput) (*Deployment, error) {
	p, err := s.Prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	var d *Deployment
	err = s.store.Update(ctx, func(tx Tx) error {
		d, err = s.StartPrepared(ctx, tx, p)
		return err
	})
	return d, err
}

// Prepared is a deployment ready to start: its resources are resolved and
// PRE_START_DEPLOYMENT has run. StartPrepared starts it inside a transaction.
type Prepared struct {
	in  StartInput
	c   *deployContext
	pre *PreStartInput
}

// Prepare resolves in and runs PRE_START_DEPLOYMENT, outside any
// transaction, so that the deployment can start in a write transaction that
// also holds another domain's writes (StartPrepared).
func (s *Service) Prepare(ctx context.Context, in StartInput) (*Prepared, error) {
	if err := checkStart(in); err != nil {
		return nil, err
	}
	c, err := s.loadDeployContext(ctx, in)
	if err != nil {
		return nil, err
	}
	latest, _, err := s.store.Deployments(ctx, c.env.ID, Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	next := 1
	if len(latest) > 0 {
		next = latest[0].DeploymentNumber + 1
	}
	pre := &PreStartInput{Application: c.app, Environment: c.env, Profile: c.profile,
		Deployment: newDeployment(c, in, next, s.now()), Content: c.version.Content, DynamicParameters: in.DynamicParameters}
	if err := s.hooks.PreStartDeployment(ctx, pre); err != nil {
		return nil, err
	}
	if !bytes.Equal(pre.Content, c.version.Content) {
		if len(pre.Content) > MaxContent {
			return nil, &Error{Code: CodePayloadTooLarge, Message: "content from PRE_START_DEPLOYMENT is larger than 2 MB"}
		}
		if err := ValidateContent(c.profile, pre.Content); err != nil {
			return nil, err
		}
	}
	return &Prepared{in: in, c: c, pre: pre}, nil
}

// StartPrepared starts p inside tx.
func (s *Service) StartPrepared(ctx context.Context, tx Tx, p *Prepared) (*Deployment, error) {
	return s.startTx(ctx, tx, p.c, p.in, p.pre)
}

func (s *Service) startTx(ctx context.Context, tx Tx, c *deployContext, in StartInput, pre *PreStartInput) (*Deployment, error) {
	env, err := getEnvironment(ctx, tx, c.app.ID, c.env.ID)
	if err != nil {
		return nil, err
	}
	prev, _, err := tx.Deployments(ctx, env.ID, Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	number := 1
	if len(prev) > 0 {
		if prev[0].Active() {
			return nil, Errorf(CodeConflict, "Deployment number %d is in progress in environment %s; only one deployment per environment may run at a time",
				prev[0].DeploymentNumber, env.ID)
		}
		number = prev[0].DeploymentNumber + 1
	}
	if in.LatestDeploymentNumber != nil && *in.LatestDeploymentNumber != number-1 {
		return nil, Errorf(CodeConflict, "LatestDeploymentNumber %d does not match the latest deployment %d", *in.LatestDeploymentNumber, number-1)
	}
	now := s.now()
	d := newDeployment(c, in, number, now)
	d.EventLog[0].ActionInvocations = append(d.EventLog[0].ActionInvocations, pre.Invocations...)
	if !bytes.Equal(pre.Content, c.version.Content) {
		d.Engine.Content = pre.Content
	}
	if d.AppliedExtensions, err = s.hooks.AppliedExtensions(tx, c.app.ID, env.ID, c.profile.ID); err != nil {
		return nil, err
	}
	if err := tx.SetTags(DeploymentKey(c.app.ID, env.ID, number), in.Tags); err != nil {
		return nil, err
	}
	var in2 Input
	if in2.Rollback, err = firingAlarm(ctx, tx, env); err != nil {
		return nil, err
	}
	step := Step{NewEvents: 1, Next: d.stepAt(1, len(Percentages(d.GrowthType, d.GrowthFactor)))}
	if in2.Rollback != nil {
		step = Advance(d, in2, now)
		step.NewEvents++
	}
	return d, s.apply(tx, d, env, step)
}

// apply persists an engine step: ON_* hooks for the new events, the
// environment state, the next timer.
func (s *Service) apply(tx Tx, d *Deployment, env *Environment, st Step) error {
	s.logStateChange(tx, d, st)
	for i := st.NewEvents - 1; i >= 0; i-- { // oldest new event first
		ev := &d.EventLog[i]
		if p := PointOf(ev.EventType); p != "" {
			if err := s.hooks.OnDeployment(tx, p, d, ev); err != nil {
				return err
			}
		}
	}
	if !st.Next.IsZero() {
		d.Engine.TimerGen++
		t := StepTimer{Env: d.EnvironmentID, Number: d.DeploymentNumber, Gen: d.Engine.TimerGen}
		if err := tx.ScheduleStep(t, st.Next); err != nil {
			return err
		}
		if !st.Next.After(s.now()) {
			// Due already (a zero-duration strategy): run the step as soon
			// as this commits rather than after the outbox has claimed the
			// timer. The durable timer stays as the fallback; whichever
			// runs second finds its generation stale and does nothing.
			tx.AfterCommit(func() {
				s.running.Add(1)
				go s.stepNow(t)
			})
		}
	}
	if st := EnvironmentState(d); env.State != st {
		env.State = st
		if err := tx.Put(KindEnvironment, env.ID, env.ApplicationID, env.Name, env); err != nil {
			return err
		}
	}
	s.changed(tx)
	return tx.PutDeployment(d)
}

// firingAlarm returns a rollback trigger when one of env's monitors is in ALARM.
func firingAlarm(ctx context.Context, r Reader, env *Environment) (*Trigger, error) {
	for _, m := range env.Monitors {
		name, err := AlarmName(m.AlarmArn)
		if err != nil {
			continue
		}
		a, err := r.Alarm(ctx, name)
		if ErrorCode(err) == CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if a.State == AlarmAlarm {
			return &Trigger{By: ByAlarm, Description: fmt.Sprintf("Rollback initiated by alarm %s", m.AlarmArn)}, nil
		}
	}
	return nil, nil
}

// Deployment returns deployment n of env of app.
func (s *Service) Deployment(ctx context.Context, app, env string, n int) (*Deployment, error) {
	if _, err := s.Environment(ctx, app, env); err != nil {
		return nil, err
	}
	return s.store.Deployment(ctx, env, n)
}

// Deployments lists the deployments of env of app, newest first.
func (s *Service) Deployments(ctx context.Context, app, env string, p Page) ([]*Deployment, int64, error) {
	if _, err := s.Environment(ctx, app, env); err != nil {
		return nil, 0, err
	}
	return s.store.Deployments(ctx, env, p)
}
