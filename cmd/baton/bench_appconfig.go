package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/bench"
)

// newBenchAppConfigCmd is "baton bench appconfig".
func newBenchAppConfigCmd() *cobra.Command {
	var opts bench.AppConfigOptions
	var tgt benchTarget
	ac := &cobra.Command{
		Use:   "appconfig",
		Short: "GetLatestConfiguration requests/s and StartDeployment-to-COMPLETE time",
		Long: `Measure a baton (--endpoint, or an embedded one on loopback):

  - GetLatestConfiguration requests per second with aws-sdk-go-v2's appconfigdata
    client; each request redeems the initial token of its own session, so every
    request is a real poll that returns the configuration;
  - the time from StartDeployment to COMPLETE of a zero-duration, zero-bake
    deployment (observed by polling GetDeployment).

Requests are signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or with a key
the benchmark creates through the admin API.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := tgt.open(cmd)
			if err != nil {
				return err
			}
			defer t.Close()
			r, err := bench.AppConfig(cmd.Context(), t, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "GetLatestConfiguration (%s client): %d requests, %d workers, %.0f requests/s (p50 %v, p99 %v)\n",
				opts.Client, r.Requests, opts.Workers, r.RequestsPerSec, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
			fmt.Fprintf(out, "StartDeployment to COMPLETE (zero duration, zero bake): %d deployments, p50 %v, max %v\n",
				len(r.Deploys), r.DeployP50.Round(time.Microsecond), r.DeployMax.Round(time.Microsecond))
			return nil
		},
	}
	f := ac.Flags()
	f.IntVar(&opts.Sessions, "requests", 40000, "GetLatestConfiguration requests (one session each)")
	f.IntVar(&opts.Workers, "workers", 32, "concurrent clients")
	f.IntVar(&opts.Deployments, "deployments", 20, "zero-duration deployments to time")
	f.StringVar(&opts.Client, "client", "sdk", "GetLatestConfiguration client: sdk (aws-sdk-go-v2) or http (net/http + SigV4 signer)")
	tgt.flags(ac)
	return ac
}
