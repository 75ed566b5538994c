package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/bench"
)

// newBenchExtensionsCmd is "baton bench extensions".
func newBenchExtensionsCmd() *cobra.Command {
	var opts bench.ExtensionsOptions
	cmd := &cobra.Command{
		Use:   "extensions",
		Short: "Time from a deployment step to its SQS extension messages being receivable, on an embedded baton",
		Long: `Start an embedded baton on loopback (temporary data directory), associate the
AWS-authored SQS extension (AWS.AppConfig.DeploymentNotificationsToSqs) with an
application N times (one queue), and time, with aws-sdk-go-v2 clients, from
the request that makes a deployment step (StartDeployment, StopDeployment) to
the moment all N messages of that step have been received from the queue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := bench.Extensions(cmd.Context(), opts)
			if err != nil {
				return err
			}
			for _, s := range r.Summaries {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d steps, p50 %v, p99 %v, max %v\n",
					s.Name, s.Ops, s.P50, s.P99, s.Max)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&opts.Associations, "associations", []int{1, 100}, "association counts to measure")
	f.IntVar(&opts.Steps, "steps", 200, "deployment steps timed per association count")
	f.StringVar(&opts.Sync, "sync", "FULL", "commit durability of the embedded baton: FULL or NORMAL")
	return cmd
}
