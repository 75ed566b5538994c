package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/sequence"
	"github.com/batonhq/baton/server"
)

// envSettings maps environment variables to serve flags. Precedence:
// flags > environment > config file > defaults.
var envSettings = []struct{ env, flag string }{
	{"BATON_ADDR", "addr"},
	{"BATON_DATA", "data"},
	{"BATON_DATABASE_URL", "database"},
	{"BATON_TOKEN", "token"},
	{"BATON_SYNC", "sync"},
	{"BATON_MAX_BODY", "max-body"},
	{"BATON_STRICT_EVENTS", "strict-events"},
	{"BATON_TIME_SCALE", "time-scale"},
	{"BATON_TASK_STARTED_TIMEOUT", "task-started-timeout"},
	{"BATON_TASK_FINISHED_TIMEOUT", "task-finished-timeout"},
	{"BATON_ALLOW_WEBHOOK_TARGETS", "allow-webhook-target"},
	{"BATON_WEBHOOK_TIMEOUT", "webhook-timeout"},
	{"BATON_LOG_LEVEL", "log-level"},
	{"BATON_LOG_FORMAT", "log-format"},
	{"BATON_AWS_AUTH", "aws-auth"},
	{"BATON_AWS_ACCOUNT", "aws-account"},
	{"BATON_AWS_REGION", "aws-region"},
	{"BATON_SQS_MAX_MESSAGE_SIZE", "sqs-max-message-size"},
}

func newServeCmd() *cobra.Command {
	d := server.DefaultConfig()
	var cfgFile string
	var cfg server.Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run baton",
		Long: `Run baton: every API on one port, state in an embedded SQLite database, or
with --database in PostgreSQL shared by any number of replicas (they must
share BATON_SECRET_KEY; see docs/scale-out.md).

With no flags baton listens on 127.0.0.1:8080 and keeps its data in ./baton-data.
On first start without BATON_TOKEN it generates an admin API token, prints it
once and stores only its hash.

Settings come from flags, then environment variables, then the YAML config
file (--config), then defaults:

  flag              env                  config key     default
  --addr            BATON_ADDR           addr           127.0.0.1:8080
  --data            BATON_DATA           data           ./baton-data
  --database        BATON_DATABASE_URL   database       (none: SQLite in --data)
  --token           BATON_TOKEN          token          (generated)
  --sync            BATON_SYNC           sync           FULL
  --max-body        BATON_MAX_BODY       maxBody        5242880
  --strict-events   BATON_STRICT_EVENTS  strictEvents   false
  --time-scale      BATON_TIME_SCALE     timeScale      1
  --task-started-timeout   BATON_TASK_STARTED_TIMEOUT   taskStartedTimeout   10m
  --task-finished-timeout  BATON_TASK_FINISHED_TIMEOUT  taskFinishedTimeout  1h (0 flag/env, <0 file: never)
  --allow-webhook-target  BATON_ALLOW_WEBHOOK_TARGETS  allowWebhookTargets  (none)
  --webhook-timeout BATON_WEBHOOK_TIMEOUT webhookTimeout 30s
  --log-level       BATON_LOG_LEVEL      logLevel       info
  --log-format      BATON_LOG_FORMAT     logFormat      text
  --aws-auth        BATON_AWS_AUTH       awsAuth        sigv4
  --aws-account     BATON_AWS_ACCOUNT    awsAccount     000000000000
  --aws-region      BATON_AWS_REGION     awsRegion      us-east-1
  --sqs-max-message-size BATON_SQS_MAX_MESSAGE_SIZE sqsMaxMessageSize 1048576
  (secret key)      BATON_SECRET_KEY     -              <data>/secret.key
  (AWS key pair)    BATON_AWS_ACCESS_KEY_ID, BATON_AWS_SECRET_ACCESS_KEY
                                         awsAccessKeyId, awsSecretAccessKey
                                                        (one generated on first start)

BATON_AWS_ACCESS_KEY_ID and BATON_AWS_SECRET_ACCESS_KEY declare an access key
pair of the SQS and AppConfig APIs at start (created, or its secret replaced),
so scripts and CI can use a pair they know.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneProcess()
			final := server.DefaultConfig()
			if cfgFile != "" {
				if err := final.LoadFile(cfgFile); err != nil {
					return err
				}
			}
			flags := cmd.Flags()
			for _, s := range envSettings {
				if v, ok := os.LookupEnv(s.env); ok && !flags.Changed(s.flag) {
					if err := flags.Set(s.flag, v); err != nil {
						return fmt.Errorf("%s: %w", s.env, err)
					}
				}
			}
			overlay(flags.Changed, &final, &cfg)
			// The declared AWS key pair comes from the environment only, never
			// from flags, so the secret does not show in the process list.
			if v := os.Getenv("BATON_AWS_ACCESS_KEY_ID"); v != "" {
				final.AWSAccessKeyID = v
			}
			if v := os.Getenv("BATON_AWS_SECRET_ACCESS_KEY"); v != "" {
				final.AWSSecretAccessKey = v
			}
			srv, err := server.Open(cmd.Context(), final)
			if err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgFile, "config", "", "YAML config file")
	f.StringVar(&cfg.Addr, "addr", d.Addr, "listen address host:port")
	f.StringVar(&cfg.DataDir, "data", d.DataDir, "data directory (database and secret key)")
	f.StringVar(&cfg.Database, "database", "", "PostgreSQL URL (postgres://…) shared by replicas, instead of SQLite in --data")
	f.StringVar(&cfg.Token, "token", "", "admin API token (default: stored, or generated on first start)")
	f.StringVar(&cfg.Sync, "sync", d.Sync, "commit durability: FULL (survives power loss) or NORMAL (survives a crash)")
	f.Int64Var(&cfg.MaxBody, "max-body", d.MaxBody, "maximum request body in bytes")
	f.BoolVar(&cfg.StrictEvents, "strict-events", false, "validate events as Keptn's EVENT_VALIDATION_ENABLED did")
	f.Float64Var(&cfg.TimeScale, "time-scale", d.TimeScale, "run baton's clock this many times faster (deployments, timeouts)")
	f.DurationVar(&cfg.TaskStartedTimeout, "task-started-timeout", 10*time.Minute, "end a sequence timedOut when a task gets no .started/.finished within this")
	f.DurationVar(&cfg.TaskFinishedTimeout, "task-finished-timeout", sequence.DefaultFinishedTimeout,
		"end a sequence timedOut when a started task does not finish within this (0: never; shipyard tasks override it with finishedTimeout)")
	f.StringSliceVar(&cfg.AllowWebhookTargets, "allow-webhook-target", nil,
		"host, host:port, IP or CIDR that webhooks may call although it is loopback/private/link-local (repeatable, comma-separated)")
	f.DurationVar(&cfg.WebhookTimeout, "webhook-timeout", d.WebhookTimeout, "default timeout of one webhook request")
	f.StringVar(&cfg.LogLevel, "log-level", d.LogLevel, "log level: debug, info, warn, error")
	f.StringVar(&cfg.LogFormat, "log-format", d.LogFormat, "log format: text or json")
	f.StringVar(&cfg.AWSAuth, "aws-auth", d.AWSAuth, "AWS API authentication: sigv4 (baton's access keys) or any (development only)")
	f.StringVar(&cfg.AWSAccount, "aws-account", d.AWSAccount, "AWS account id in queue URLs and ARNs")
	f.StringVar(&cfg.AWSRegion, "aws-region", d.AWSRegion, "AWS region in ARNs")
	f.IntVar(&cfg.SQSMaxMessageSize, "sqs-max-message-size", d.SQSMaxMessageSize, "largest SQS message in bytes (1024 to 1048576)")
	return cmd
}

// overlay copies the flags that were set (directly or from the environment)
// from src onto dst, which holds file values and defaults.
func overlay(changed func(string) bool, dst, src *server.Config) {
	if changed("addr") {
		dst.Addr = src.Addr
	}
	if changed("data") {
		dst.DataDir = src.DataDir
	}
	if changed("database") {
		dst.Database = src.Database
	}
	if changed("token") {
		dst.Token = src.Token
	}
	if changed("sync") {
		dst.Sync = src.Sync
	}
	if changed("max-body") {
		dst.MaxBody = src.MaxBody
	}
	if changed("strict-events") {
		dst.StrictEvents = src.StrictEvents
	}
	if changed("time-scale") {
		dst.TimeScale = src.TimeScale
	}
	if changed("task-started-timeout") {
		dst.TaskStartedTimeout = src.TaskStartedTimeout
	}
	if changed("task-finished-timeout") {
		dst.TaskFinishedTimeout = src.TaskFinishedTimeout
		if dst.TaskFinishedTimeout == 0 {
			dst.TaskFinishedTimeout = -1 // 0 on the command line: never
		}
	}
	if changed("allow-webhook-target") {
		dst.AllowWebhookTargets = src.AllowWebhookTargets
	}
	if changed("webhook-timeout") {
		dst.WebhookTimeout = src.WebhookTimeout
	}
	if changed("log-level") {
		dst.LogLevel = src.LogLevel
	}
	if changed("log-format") {
		dst.LogFormat = src.LogFormat
	}
	overlayAWS(changed, dst, src)
}

func overlayAWS(changed func(string) bool, dst, src *server.Config) {
	if changed("aws-auth") {
		dst.AWSAuth = src.AWSAuth
	}
	if changed("aws-account") {
		dst.AWSAccount = src.AWSAccount
	}
	if changed("aws-region") {
		dst.AWSRegion = src.AWSRegion
	}
	if changed("sqs-max-message-size") {
		dst.SQSMaxMessageSize = src.SQSMaxMessageSize
	}
}
