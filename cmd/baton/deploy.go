package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// awsFlags are the credentials CLI commands sign AWS requests with; the
// endpoint is baton's, found like every other command's.
type awsFlags struct {
	accessKey, secretKey, region string
}

func (f *awsFlags) add(flags *pflag.FlagSet) {
	flags.StringVar(&f.accessKey, "access-key", os.Getenv("AWS_ACCESS_KEY_ID"), "AWS access key id to sign with (env AWS_ACCESS_KEY_ID; see baton aws-credentials)")
	flags.StringVar(&f.secretKey, "secret-key", os.Getenv("AWS_SECRET_ACCESS_KEY"), "AWS secret access key (env AWS_SECRET_ACCESS_KEY)")
	flags.StringVar(&f.region, "region", envOr("AWS_REGION", "us-east-1"), "region to sign for (env AWS_REGION)")
}

// endpoint returns baton's URL and the credentials provider.
func (f *awsFlags) endpoint() (string, aws.CredentialsProvider, error) {
	c, err := newClient()
	if err != nil {
		return "", nil, err
	}
	if f.accessKey == "" || f.secretKey == "" {
		return "", nil, errors.New("AWS credentials needed: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --access-key/--secret-key); create a pair with baton aws-credentials create")
	}
	return c.Endpoint, credentials.NewStaticCredentialsProvider(f.accessKey, f.secretKey, ""), nil
}

func (f *awsFlags) appconfig() (*appconfig.Client, error) {
	url, creds, err := f.endpoint()
	if err != nil {
		return nil, err
	}
	return appconfig.New(appconfig.Options{BaseEndpoint: aws.String(url), Region: f.region, Credentials: creds}), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newDeployCmd() *cobra.Command {
	var af awsFlags
	var in appconfig.StartDeploymentInput
	var app, env, profile, strategy, version, desc string
	var wait bool
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Start an AppConfig deployment and follow it to COMPLETE or ROLLED_BACK",
		Long: `Start an AppConfig deployment and show a live progress bar through growth and
bake until the deployment is COMPLETE (exit 0) or ROLLED_BACK/REVERTED (exit 1).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in = appconfig.StartDeploymentInput{ApplicationId: &app, EnvironmentId: &env, ConfigurationProfileId: &profile,
				DeploymentStrategyId: &strategy, ConfigurationVersion: &version}
			if desc != "" {
				in.Description = &desc
			}
			c, err := af.appconfig()
			if err != nil {
				return err
			}
			d, err := c.StartDeployment(cmd.Context(), &in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "deployment %d of %s (version %s, strategy %s) started\n", d.DeploymentNumber,
				aws.ToString(d.ConfigurationName), aws.ToString(d.ConfigurationVersion), strategy)
			if !wait {
				return nil
			}
			return follow(cmd.Context(), c, out, app, env, d.DeploymentNumber)
		},
	}
	af.add(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&app, "application", "", "application id (required)")
	f.StringVar(&env, "environment", "", "environment id (required)")
	f.StringVar(&profile, "profile", "", "configuration profile id (required)")
	f.StringVar(&strategy, "strategy", "AppConfig.AllAtOnce", "deployment strategy id")
	f.StringVar(&version, "version", "", "hosted configuration version number or label (required)")
	f.StringVar(&desc, "description", "", "deployment description")
	f.BoolVar(&wait, "wait", true, "follow the deployment until it ends")
	for _, r := range []string{"application", "environment", "profile", "version"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

// errRolledBack makes baton deploy exit non-zero when a deployment did not complete.
var errRolledBack = errors.New("deployment did not complete")

// follow polls the deployment and draws its progress until it ends.
func follow(ctx context.Context, c *appconfig.Client, out io.Writer, app, env string, n int32) error {
	tty := false
	if f, ok := out.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	last := ""
	for {
		d, err := c.GetDeployment(ctx, &appconfig.GetDeploymentInput{ApplicationId: &app, EnvironmentId: &env, DeploymentNumber: &n})
		if err != nil {
			return err
		}
		line := progressLine(d)
		if tty {
			fmt.Fprintf(out, "\r\033[K%s", line)
		} else if line != last {
			fmt.Fprintln(out, line)
		}
		last = line
		switch d.State {
		case types.DeploymentStateComplete:
			if tty {
				fmt.Fprintln(out)
			}
			return nil
		case types.DeploymentStateRolledBack, types.DeploymentStateReverted:
			if tty {
				fmt.Fprintln(out)
			}
			for _, ev := range d.EventLog {
				if ev.EventType == types.DeploymentEventTypeRollbackStarted || ev.EventType == types.DeploymentEventTypeRevertCompleted {
					fmt.Fprintf(out, "%s by %s: %s\n", d.State, ev.TriggeredBy, aws.ToString(ev.Description))
					break
				}
			}
			return errRolledBack
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func progressLine(d *appconfig.GetDeploymentOutput) string {
	const width = 30
	p := aws.ToFloat32(d.PercentageComplete)
	filled := int(p / 100 * width)
	return fmt.Sprintf("[%s%s] %6.2f%% %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p, d.State)
}
