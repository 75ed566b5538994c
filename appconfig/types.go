package appconfig

import "time"

// Application is an AppConfig application.
type Application struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	Description string `json:"Description,omitempty"`
}

// Environment states. baton spells them the way the SDK waiters and the
// real service do ("ReadyForDeployment"), not the way the model's enum does
// ("READY_FOR_DEPLOYMENT"); docs/appconfig.md explains why.
const (
	EnvReady       = "ReadyForDeployment"
	EnvDeploying   = "Deploying"
	EnvRollingBack = "RollingBack"
	EnvRolledBack  = "RolledBack"
	EnvReverted    = "Reverted"
)

// Environment is a deployment target of an application.
type Environment struct {
	ApplicationID string    `json:"ApplicationId"`
	ID            string    `json:"Id"`
	Name          string    `json:"Name"`
	Description   string    `json:"Description,omitempty"`
	State         string    `json:"State"`
	Monitors      []Monitor `json:"Monitors"`
}

// Monitor is an alarm that rolls a deployment back while it is in ALARM.
type Monitor struct {
	AlarmArn     string `json:"AlarmArn"`
	AlarmRoleArn string `json:"AlarmRoleArn,omitempty"`
}

// Configuration profile types.
const (
	TypeFreeform     = "AWS.Freeform"
	TypeFeatureFlags = "AWS.AppConfig.FeatureFlags"
)

// ConfigurationProfile says where a configuration lives and how it is validated.
type ConfigurationProfile struct {
	ApplicationID    string      `json:"ApplicationId"`
	ID               string      `json:"Id"`
	Name             string      `json:"Name"`
	Description      string      `json:"Description,omitempty"`
	LocationURI      string      `json:"LocationUri"`
	RetrievalRoleArn string      `json:"RetrievalRoleArn,omitempty"`
	Validators       []Validator `json:"Validators,omitempty"`
	Type             string      `json:"Type"`
	KmsKeyIdentifier string      `json:"KmsKeyIdentifier,omitempty"`
}

// Validator checks configuration content before it is stored or deployed.
type Validator struct {
	Type    string `json:"Type"`
	Content string `json:"Content"`
}

// HostedVersion is a hosted configuration version.
type HostedVersion struct {
	ApplicationID          string
	ConfigurationProfileID string
	VersionNumber          int
	Description            string
	ContentType            string
	VersionLabel           string
	Content                []byte
}

// Growth types of a deployment strategy.
const (
	GrowthLinear      = "LINEAR"
	GrowthExponential = "EXPONENTIAL"
)

// DeploymentStrategy says how fast a deployment grows and how long it bakes.
type DeploymentStrategy struct {
	ID                          string  `json:"Id"`
	Name                        string  `json:"Name"`
	Description                 string  `json:"Description,omitempty"`
	DeploymentDurationInMinutes int     `json:"DeploymentDurationInMinutes"`
	GrowthType                  string  `json:"GrowthType"`
	GrowthFactor                float64 `json:"GrowthFactor"`
	FinalBakeTimeInMinutes      int     `json:"FinalBakeTimeInMinutes"`
	ReplicateTo                 string  `json:"ReplicateTo"`
}

// Deployment states.
const (
	StateBaking      = "BAKING"
	StateValidating  = "VALIDATING"
	StateDeploying   = "DEPLOYING"
	StateComplete    = "COMPLETE"
	StateRollingBack = "ROLLING_BACK"
	StateRolledBack  = "ROLLED_BACK"
	StateReverted    = "REVERTED"
)

// Deployment event types.
const (
	EventPercentageUpdated  = "PERCENTAGE_UPDATED"
	EventRollbackStarted    = "ROLLBACK_STARTED"
	EventRollbackCompleted  = "ROLLBACK_COMPLETED"
	EventBakeTimeStarted    = "BAKE_TIME_STARTED"
	EventDeploymentStarted  = "DEPLOYMENT_STARTED"
	EventDeploymentComplete = "DEPLOYMENT_COMPLETED"
	EventRevertCompleted    = "REVERT_COMPLETED"
)

// What triggered a deployment event.
const (
	ByUser          = "USER"
	ByAppConfig     = "APPCONFIG"
	ByAlarm         = "CLOUDWATCH_ALARM"
	ByInternalError = "INTERNAL_ERROR"
)

// Deployment is one rollout of a configuration version to an environment.
type Deployment struct {
	ApplicationID               string             `json:"ApplicationId"`
	EnvironmentID               string             `json:"EnvironmentId"`
	DeploymentStrategyID        string             `json:"DeploymentStrategyId"`
	ConfigurationProfileID      string             `json:"ConfigurationProfileId"`
	DeploymentNumber            int                `json:"DeploymentNumber"`
	ConfigurationName           string             `json:"ConfigurationName"`
	ConfigurationLocationURI    string             `json:"ConfigurationLocationUri"`
	ConfigurationVersion        string             `json:"ConfigurationVersion"`
	Description                 string             `json:"Description,omitempty"`
	DeploymentDurationInMinutes int                `json:"DeploymentDurationInMinutes"`
	GrowthType                  string             `json:"GrowthType"`
	GrowthFactor                float64            `json:"GrowthFactor"`
	FinalBakeTimeInMinutes      int                `json:"FinalBakeTimeInMinutes"`
	State                       string             `json:"State"`
	EventLog                    []DeploymentEvent  `json:"EventLog"`
	PercentageComplete          float64            `json:"PercentageComplete"`
	StartedAt                   time.Time          `json:"StartedAt"`
	CompletedAt                 *time.Time         `json:"CompletedAt,omitempty"`
	AppliedExtensions           []AppliedExtension `json:"AppliedExtensions"`
	VersionLabel                string             `json:"VersionLabel,omitempty"`
	KmsKeyIdentifier            string             `json:"KmsKeyIdentifier,omitempty"`

	// Engine is the engine's bookkeeping; stores keep it, the wire does not.
	Engine EngineState `json:"-"`
}

// EngineState is what the deployment engine remembers between steps.
type EngineState struct {
	StepsDone     int       `json:"StepsDone"`
	BakeStart     time.Time `json:"BakeStart"`
	TimerGen      int       `json:"TimerGen"`
	HostedVersion int       `json:"HostedVersion"`
	ContentType   string    `json:"ContentType"`
	// Content, when set, replaces the hosted version's content (a
	// PRE_START_DEPLOYMENT extension rewrote it).
	Content []byte `json:"Content,omitempty"`
	// Task is the shipyard task that started the deployment, if any.
	Task *TaskOrigin `json:"Task,omitempty"`
}

// TaskOrigin names the Keptn task a deployment runs: its .triggered event
// and the scope the deployment's lifecycle events are reported in.
type TaskOrigin struct {
	Task         string `json:"task"`
	TriggeredID  string `json:"triggeredid"`
	KeptnContext string `json:"shkeptncontext"`
	Project      string `json:"project"`
	Stage        string `json:"stage"`
	Service      string `json:"service"`
	GitCommitID  string `json:"gitcommitid,omitempty"`
}

// DeploymentEvent is one entry of a deployment's event log.
type DeploymentEvent struct {
	EventType         string             `json:"EventType"`
	TriggeredBy       string             `json:"TriggeredBy"`
	Description       string             `json:"Description"`
	ActionInvocations []ActionInvocation `json:"ActionInvocations"`
	OccurredAt        time.Time          `json:"OccurredAt"`
}

// ActionInvocation records an extension action run at an action point.
type ActionInvocation struct {
	ExtensionIdentifier string `json:"ExtensionIdentifier,omitempty"`
	ActionName          string `json:"ActionName,omitempty"`
	URI                 string `json:"Uri,omitempty"`
	RoleArn             string `json:"RoleArn,omitempty"`
	ErrorMessage        string `json:"ErrorMessage,omitempty"`
	ErrorCode           string `json:"ErrorCode,omitempty"`
	InvocationID        string `json:"InvocationId,omitempty"`
}

// AppliedExtension is an extension association in force when a deployment started.
type AppliedExtension struct {
	ExtensionID            string            `json:"ExtensionId,omitempty"`
	ExtensionAssociationID string            `json:"ExtensionAssociationId,omitempty"`
	VersionNumber          int               `json:"VersionNumber,omitempty"`
	Parameters             map[string]string `json:"Parameters,omitempty"`
}

// Active reports whether d is still rolling out (deploying or baking).
func (d *Deployment) Active() bool {
	return d.State == StateDeploying || d.State == StateBaking || d.State == StateValidating
}

// Alarm states.
const (
	AlarmOK               = "OK"
	AlarmAlarm            = "ALARM"
	AlarmInsufficientData = "INSUFFICIENT_DATA"
)

// Alarm is a CloudWatch-like alarm that baton knows; monitors refer to it by ARN.
type Alarm struct {
	Name      string    `json:"Name"`
	Arn       string    `json:"Arn"`
	State     string    `json:"State"`
	Reason    string    `json:"Reason,omitempty"`
	UpdatedAt time.Time `json:"UpdatedAt"`
}
