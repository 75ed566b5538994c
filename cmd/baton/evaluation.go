package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

func newTriggerEvaluationCmd() *cobra.Command {
	var project, stage, service, timeframe, start, end, commit string
	var labels []string
	var watch bool
	cmd := &cobra.Command{
		Use:   "evaluation",
		Short: "Evaluate a service's SLOs in a stage (the quality gate on its own)",
		Long: `Trigger the built-in evaluation sequence of a service in a stage, as "keptn trigger
evaluation" does. The timeframe ends now unless --start and --end (or --start and
--timeframe) give it; times are ISO 8601 (2021-01-02T15:00:00).`,
		Example: "  baton trigger evaluation --project demo --stage staging --service web --timeframe 10m --watch",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lbl, err := parseLabels(labels)
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			p := client.EvaluationParams{Start: start, End: end, Timeframe: timeframe, Labels: lbl, GitCommitID: commit}
			kc, err := c.TriggerEvaluation(cmd.Context(), project, stage, service, p)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Started to evaluate service %s in stage %s of project %s, keptnContext: %s\n", service, stage, project, kc)
			if !watch {
				return nil
			}
			if err := watchSequence(cmd.Context(), c, out, project, kc); err != nil {
				return err
			}
			return printEvaluations(cmd.Context(), c, out, url.Values{"keptnContext": {kc}, "project": {project}}, true)
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project")
	f.StringVar(&stage, "stage", "", "stage")
	f.StringVar(&service, "service", "", "service")
	f.StringVar(&timeframe, "timeframe", "", "length of the evaluated timeframe, such as 5m (default 5m)")
	f.StringVar(&start, "start", "", "start of the timeframe")
	f.StringVar(&end, "end", "", "end of the timeframe (needs --start)")
	f.StringVar(&commit, "git-commit-id", "", "commit the evaluation is for")
	f.StringArrayVar(&labels, "labels", nil, "label key=value (repeatable)")
	f.BoolVar(&watch, "watch", false, "wait for the result and show it")
	for _, n := range []string{"project", "stage", "service"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

func parseLabels(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range pairs {
		for _, part := range strings.Split(kv, ",") {
			k, v, ok := strings.Cut(part, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("--labels %q: want key=value", part)
			}
			out[k] = v
		}
	}
	return out, nil
}

func newGetEvaluationsCmd() *cobra.Command {
	var project, stage, service, kc string
	var limit int
	var details bool
	cmd := &cobra.Command{
		Use:     "evaluations",
		Aliases: []string{"evaluation"},
		Short:   "Show evaluation results, newest first",
		Example: "  baton get evaluations --project demo --stage staging --service web\n  baton get evaluation --project demo --keptn-context 0f2c… --details",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			q := url.Values{"project": {project}, "pageSize": {fmt.Sprint(limit)}}
			for k, v := range map[string]string{"stage": stage, "service": service, "keptnContext": kc} {
				if v != "" {
					q.Set(k, v)
				}
			}
			return printEvaluations(cmd.Context(), c, cmd.OutOrStdout(), q, details)
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project")
	f.StringVar(&stage, "stage", "", "only this stage")
	f.StringVar(&service, "service", "", "only this service")
	f.StringVar(&kc, "keptn-context", "", "only this keptnContext")
	f.IntVar(&limit, "limit", 20, "how many (1-100)")
	f.BoolVar(&details, "details", false, "show every objective")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

func printEvaluations(ctx context.Context, c *client.Client, out io.Writer, q url.Values, details bool) error {
	list, err := c.Evaluations(ctx, q)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errors.New("no evaluation results found")
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TIME\tSTAGE\tSERVICE\tRESULT\tSCORE\tKEPTN CONTEXT\tMESSAGE")
	for _, e := range list {
		d := e.Data
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.2f\t%s\t%.100s\n", e.Time, d.Stage, d.Service, d.Result, d.Evaluation.Score, e.Shkeptncontext, d.Message)
		if !details {
			continue
		}
		for _, r := range d.Evaluation.IndicatorResults {
			name := r.Value.Metric
			if r.DisplayName != "" {
				name = r.DisplayName
			}
			key := ""
			if r.KeySLI {
				key = " (key)"
			}
			val := fmt.Sprint(r.Value.Value)
			if !r.Value.Success {
				val = "error: " + r.Value.Message
			}
			fmt.Fprintf(w, "  %s%s\t\t\t%s\t%.2f\t%s\t\n", name, key, r.Status, r.Score, val)
		}
	}
	return w.Flush()
}

func newConfigureCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "configure", Short: "Configure integrations of a project"}
	var project, service string
	monitoring := &cobra.Command{
		Use:     "monitoring PROVIDER",
		Short:   "Set the SLI provider a project's evaluations ask (prometheus, or any provider you run)",
		Example: "  baton configure monitoring prometheus --project demo --service web",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.ConfigureMonitoring(cmd.Context(), project, service, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Evaluations of project %s now ask SLI provider %s\n", project, args[0])
			return nil
		},
	}
	monitoring.Flags().StringVar(&project, "project", "", "project")
	monitoring.Flags().StringVar(&service, "service", "", "service (recorded in the monitoring.configure event)")
	_ = monitoring.MarkFlagRequired("project")
	cmd.AddCommand(monitoring)
	return cmd
}

func newGetMonitoringCmd() *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "monitoring",
		Short: "Show the SLI provider of a project",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			m, err := c.Monitoring(cmd.Context(), project)
			if err != nil {
				return err
			}
			p := m.SLIProvider
			if p == "" {
				p = "(none: evaluations pass without asking a provider)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Project %s: SLI provider %s\n", project, p)
			return nil
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}
