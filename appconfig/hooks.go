package appconfig

import "context"

// ActionPoint is a point in a workflow where extensions run.
type ActionPoint string

// Action points, as AppConfig names them.
const (
	PreCreateHostedConfigurationVersion ActionPoint = "PRE_CREATE_HOSTED_CONFIGURATION_VERSION"
	PreStartDeployment                  ActionPoint = "PRE_START_DEPLOYMENT"
	AtDeploymentTick                    ActionPoint = "AT_DEPLOYMENT_TICK"
	OnDeploymentStart                   ActionPoint = "ON_DEPLOYMENT_START"
	OnDeploymentStep                    ActionPoint = "ON_DEPLOYMENT_STEP"
	OnDeploymentBaking                  ActionPoint = "ON_DEPLOYMENT_BAKING"
	OnDeploymentComplete                ActionPoint = "ON_DEPLOYMENT_COMPLETE"
	OnDeploymentRolledBack              ActionPoint = "ON_DEPLOYMENT_ROLLED_BACK"
)

// PointOf returns the ON_* action point an event log entry stands for, or "".
func PointOf(eventType string) ActionPoint {
	switch eventType {
	case EventDeploymentStarted:
		return OnDeploymentStart
	case EventPercentageUpdated:
		return OnDeploymentStep
	case EventBakeTimeStarted:
		return OnDeploymentBaking
	case EventDeploymentComplete:
		return OnDeploymentComplete
	case EventRollbackCompleted, EventRevertCompleted:
		return OnDeploymentRolledBack
	}
	return ""
}

// PreCreateInput is what PRE_CREATE_HOSTED_CONFIGURATION_VERSION actions see.
type PreCreateInput struct {
	Application *Application
	Profile     *ConfigurationProfile
	Version     *HostedVersion // Content may be replaced by the hook
	Previous    *HostedVersion // nil when this is the first version
}

// PreStartInput is what PRE_START_DEPLOYMENT actions see.
type PreStartInput struct {
	Application       *Application
	Environment       *Environment
	Profile           *ConfigurationProfile
	Deployment        *Deployment // as it will be created (DeploymentNumber is a forecast)
	Content           []byte      // the hook may replace it: the deployment then serves the replacement
	DynamicParameters map[string]string
	// Invocations are recorded on the deployment's DEPLOYMENT_STARTED event.
	Invocations []ActionInvocation
}

// Directive is an AT_DEPLOYMENT_TICK answer.
type Directive struct {
	RollBack    bool
	Description string
	// Invocations are recorded on the rollback's first event when the
	// directive (or the error returned with it) rolls the deployment back.
	Invocations []ActionInvocation
}

// Hooks is what an extension module implements to run actions at the action
// points. The deployment service calls:
//
//   - PreCreateHostedVersion and PreStartDeployment synchronously, before the
//     write transaction, with no transaction open; an error (an *Error is
//     shown to the caller) blocks the request, and PreCreateHostedVersion may
//     replace in.Version.Content.
//   - AtDeploymentTick before each engine step of an active deployment,
//     outside any transaction; a ROLL_BACK directive rolls the deployment back
//     (TriggeredBy APPCONFIG), an error too (INTERNAL_ERROR).
//   - AppliedExtensions inside StartDeployment's transaction, to snapshot the
//     associations in force into Deployment.AppliedExtensions.
//   - OnDeployment inside the transaction that logged ev, once per ON_* action
//     point reached; it records what it started in ev.ActionInvocations and
//     enqueues its work on tx. Its errors abort the transaction only when
//     they are internal: extension failures belong in ActionInvocations.
type Hooks interface {
	PreCreateHostedVersion(ctx context.Context, in *PreCreateInput) error
	PreStartDeployment(ctx context.Context, in *PreStartInput) error
	AtDeploymentTick(ctx context.Context, d *Deployment) (Directive, error)
	AppliedExtensions(tx Tx, app, env, profile string) ([]AppliedExtension, error)
	OnDeployment(tx Tx, point ActionPoint, d *Deployment, ev *DeploymentEvent) error
}

// NoHooks is the Hooks of a baton without extensions: every point is a no-op.
type NoHooks struct{}

// PreCreateHostedVersion implements Hooks.
func (NoHooks) PreCreateHostedVersion(context.Context, *PreCreateInput) error { return nil }

// PreStartDeployment implements Hooks.
func (NoHooks) PreStartDeployment(context.Context, *PreStartInput) error { return nil }

// AtDeploymentTick implements Hooks.
func (NoHooks) AtDeploymentTick(context.Context, *Deployment) (Directive, error) {
	return Directive{}, nil
}

// AppliedExtensions implements Hooks.
func (NoHooks) AppliedExtensions(Tx, string, string, string) ([]AppliedExtension, error) {
	return []AppliedExtension{}, nil
}

// OnDeployment implements Hooks.
func (NoHooks) OnDeployment(Tx, ActionPoint, *Deployment, *DeploymentEvent) error { return nil }
