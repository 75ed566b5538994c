package server

import (
	"errors"
	"fmt"
	"github.com/batonhq/baton/extension"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/awsauth"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sequence"
)

// Config is everything baton serve can be told. Zero values take the defaults
// from DefaultConfig.
type Config struct {
	// Addr is the listen address.
	Addr string `yaml:"addr"`
	// DataDir holds the database and the secret key.
	DataDir string `yaml:"data"`
	// Database, when set, is a PostgreSQL URL (postgres://…): state lives
	// there, shared by every replica started with the same URL and
	// BATON_SECRET_KEY, instead of in SQLite in DataDir.
	Database string `yaml:"database"`
	// Token is the admin API token. Empty: use the stored one, or generate one
	// on first start and print it once.
	Token string `yaml:"token"`
	// Sync is the durability of a commit: FULL (survives power loss) or NORMAL.
	Sync string `yaml:"sync"`
	// MaxBody caps request bodies, in bytes.
	MaxBody int64 `yaml:"maxBody"`
	// PreAuthReadTimeout bounds reading the body of a request that is not yet
	// authenticated (default 10s); BodyReadTimeout that of an authenticated
	// one (default 2m).
	PreAuthReadTimeout time.Duration `yaml:"preAuthReadTimeout"`
	BodyReadTimeout    time.Duration `yaml:"bodyReadTimeout"`
	// StrictEvents turns on Keptn's optional event validation.
	StrictEvents bool `yaml:"strictEvents"`
	// TimeScale speeds baton's clock up (2 = twice as fast) for local work.
	TimeScale float64 `yaml:"timeScale"`
	// TaskStartedTimeout ends a sequence timedOut when a task gets no
	// .started or .finished within it (Keptn's TASK_STARTED_WAIT_DURATION; 0 means 10m).
	TaskStartedTimeout time.Duration `yaml:"taskStartedTimeout"`
	// TaskFinishedTimeout ends a sequence timedOut when a started task does
	// not finish within it (shipyard tasks override it with finishedTimeout).
	// 0 means the default, 1h (sequence.DefaultFinishedTimeout); a negative
	// value turns it off, as in Keptn.
	TaskFinishedTimeout time.Duration `yaml:"taskFinishedTimeout"`
	// AllowWebhookTargets opens hosts, host:ports, IPs or CIDR ranges that
	// webhooks may call although they are loopback, private or link-local.
	AllowWebhookTargets []string `yaml:"allowWebhookTargets"`
	// WebhookTimeout is the default timeout of one webhook request.
	WebhookTimeout time.Duration `yaml:"webhookTimeout"`
	// SLITimeout fails an evaluation whose SLI provider does not answer
	// within it (0 means 10m).
	SLITimeout time.Duration `yaml:"sliTimeout"`
	// SLIProvider is the SLI provider of projects without one (Keptn's
	// lighthouse-config); empty means their evaluations pass unevaluated.
	SLIProvider string `yaml:"sliProvider"`
	// ExternalEvaluator leaves evaluation tasks to an external evaluator (a
	// lighthouse of your own, as a remote integration): the built-in one
	// stays off. The Prometheus SLI provider still answers get-sli.
	ExternalEvaluator bool `yaml:"externalEvaluator"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"logLevel"`
	// LogFormat is json or text.
	LogFormat string `yaml:"logFormat"`
	// AWSAuth is how the AWS faces authenticate: "sigv4" (signatures checked
	// against baton's access keys) or "any" (development: any credentials).
	AWSAuth string `yaml:"awsAuth"`
	// AWSAccount is the account id in queue URLs and ARNs.
	AWSAccount string `yaml:"awsAccount"`
	// AWSRegion is the region in ARNs.
	AWSRegion string `yaml:"awsRegion"`
	// AWSAccessKeyID and AWSSecretAccessKey, when both are set, declare an
	// access key pair of the AWS faces at start (BATON_AWS_ACCESS_KEY_ID,
	// BATON_AWS_SECRET_ACCESS_KEY), so scripts and CI can use a known pair.
	AWSAccessKeyID     string `yaml:"awsAccessKeyId"`
	AWSSecretAccessKey string `yaml:"awsSecretAccessKey"`
	// SQSMaxMessageSize caps SQS message size (bytes, 1024 to 1048576).
	SQSMaxMessageSize int `yaml:"sqsMaxMessageSize"`
	// ExtensionsSQS is the SQS endpoint (Amazon SQS) that extension messages
	// to queues baton does not host go to; without a Region or Endpoint such
	// deliveries are recorded as failed. BATON_EXTENSIONS_SQS_* fill it.
	ExtensionsSQS extension.AmazonConfig `yaml:"extensionsSQS"`

	// FullCheckAbove is the database size above which the full integrity
	// check runs in the background after start (0: sqlite's default, 64 MiB).
	FullCheckAbove int64 `yaml:"-"`

	// Clock overrides the clock (tests). Not configurable from files.
	Clock clock.Clock `yaml:"-"`
	// Out receives the one-time token announcement (default stderr).
	Out io.Writer `yaml:"-"`
	// Logger overrides the logger (tests).
	Logger *slog.Logger `yaml:"-"`
}

// DefaultConfig returns the defaults of baton serve.
func DefaultConfig() Config {
	return Config{
		Addr:           "127.0.0.1:8080",
		DataDir:        "baton-data",
		Sync:           "FULL",
		MaxBody:        5 << 20,
		TimeScale:      1,
		WebhookTimeout: 30 * time.Second,
		LogLevel:       "info",
		LogFormat:      "text",

		AWSAuth:           "sigv4",
		AWSAccount:        "000000000000",
		AWSRegion:         "us-east-1",
		SQSMaxMessageSize: 1 << 20,
	}
}

// LoadFile overlays the YAML file at path onto c. Unknown keys are an error.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q: must be host:port", c.Addr)
	}
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	c.DataDir = abs
	if c.Database != "" && !isDatabaseURL(c.Database) {
		return fmt.Errorf("database must be a postgres:// URL")
	}
	if c.Sync == "" {
		c.Sync = d.Sync
	}
	if c.Sync != "FULL" && c.Sync != "NORMAL" {
		return fmt.Errorf("sync must be FULL or NORMAL, not %q", c.Sync)
	}
	if c.MaxBody == 0 {
		c.MaxBody = d.MaxBody
	}
	if c.MaxBody < 1024 {
		return fmt.Errorf("max body must be at least 1024 bytes")
	}
	if c.PreAuthReadTimeout == 0 {
		c.PreAuthReadTimeout = defaultPreAuthReadTimeout
	}
	if c.BodyReadTimeout == 0 {
		c.BodyReadTimeout = defaultBodyReadTimeout
	}
	if c.PreAuthReadTimeout < 0 || c.BodyReadTimeout < 0 {
		return fmt.Errorf("read timeouts must be positive")
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.TimeScale < 0 {
		return fmt.Errorf("time scale must be positive")
	}
	if c.TaskStartedTimeout < 0 {
		return fmt.Errorf("task started timeout must not be negative")
	}
	if c.TaskFinishedTimeout == 0 {
		c.TaskFinishedTimeout = sequence.DefaultFinishedTimeout
	}
	if c.WebhookTimeout == 0 {
		c.WebhookTimeout = d.WebhookTimeout
	}
	if c.WebhookTimeout < 0 {
		return fmt.Errorf("webhook timeout must be positive")
	}
	if c.LogLevel == "" {
		c.LogLevel = d.LogLevel
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat == "" {
		c.LogFormat = d.LogFormat
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("log format must be json or text, not %q", c.LogFormat)
	}
	return c.validateAWS(d)
}

func (c *Config) validateAWS(d Config) error {
	if c.AWSAuth == "" {
		c.AWSAuth = d.AWSAuth
	}
	if c.AWSAuth != "sigv4" && c.AWSAuth != "any" {
		return fmt.Errorf("aws auth must be sigv4 or any, not %q", c.AWSAuth)
	}
	if c.AWSAccount == "" {
		c.AWSAccount = d.AWSAccount
	}
	if len(c.AWSAccount) != 12 || strings.Trim(c.AWSAccount, "0123456789") != "" {
		return fmt.Errorf("aws account must be 12 digits, not %q", c.AWSAccount)
	}
	if c.AWSRegion == "" {
		c.AWSRegion = d.AWSRegion
	}
	if c.SQSMaxMessageSize == 0 {
		c.SQSMaxMessageSize = d.SQSMaxMessageSize
	}
	if c.SQSMaxMessageSize < 1024 || c.SQSMaxMessageSize > 1<<20 {
		return fmt.Errorf("sqs max message size must be 1024 to 1048576 bytes")
	}
	if (c.AWSAccessKeyID == "") != (c.AWSSecretAccessKey == "") {
		return fmt.Errorf("declare an AWS key pair with both BATON_AWS_ACCESS_KEY_ID and BATON_AWS_SECRET_ACCESS_KEY")
	}
	if c.AWSAccessKeyID != "" {
		if err := awsauth.ValidateKeyPair(c.AWSAccessKeyID, c.AWSSecretAccessKey); err != nil {
			return fmt.Errorf("BATON_AWS_ACCESS_KEY_ID/BATON_AWS_SECRET_ACCESS_KEY: %w", err)
		}
	}
	return nil
}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
