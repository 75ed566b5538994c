package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/keptn"
)

// getLong is the help of "baton get": every kind of thing it shows.
const getLong = `Show what baton holds. Each subcommand lists one kind of thing:

  projects      projects with their stages (get project NAME for one)
  stages        a project's stages with their services and sequences
  services      a project's services per stage with the deployed image
  sequences     a project's sequences with state, result, duration and reason
  event         events from the history, as JSON
  deliveries    webhook calls and message deliveries with their attempts
  deployments   AppConfig deployments of an application's environment
  evaluations   quality-gate evaluation results
  monitoring    a project's SLI provider
  secrets       secrets (names and keys only)

Most take -o json for the full API answer.`

func newGetStagesCmd() *cobra.Command {
	var project, output string
	cmd := &cobra.Command{
		Use:     "stages --project P",
		Aliases: []string{"stage"},
		Short:   "List a project's stages with their services and sequences",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := getProject(cmd, project)
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd, p.Stages)
			}
			seqs := map[string][]string{}
			if sy, err := keptn.ParseShipyard([]byte(p.Shipyard)); err == nil {
				for _, st := range sy.Spec.Stages {
					for _, s := range st.Sequences {
						seqs[st.Name] = append(seqs[st.Name], s.Name)
					}
				}
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "STAGE\tSERVICES\tSEQUENCES")
			for _, st := range p.Stages {
				var svcs []string
				for _, s := range st.Services {
					svcs = append(svcs, s.ServiceName)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", st.StageName, orDash(strings.Join(svcs, ",")), orDash(strings.Join(seqs[st.StageName], ",")))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

func newGetServicesCmd() *cobra.Command {
	var project, stage, output string
	cmd := &cobra.Command{
		Use:     "services --project P [--stage S]",
		Aliases: []string{"service"},
		Short:   "List a project's services per stage with the image deployed there",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := getProject(cmd, project)
			if err != nil {
				return err
			}
			var stages []client.ProjectStage
			for _, st := range p.Stages {
				if stage == "" || st.StageName == stage {
					stages = append(stages, st)
				}
			}
			if stage != "" && len(stages) == 0 {
				return fmt.Errorf("stage %s does not exist in project %s", stage, project)
			}
			if output == "json" {
				return printJSON(cmd, stages)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SERVICE\tSTAGE\tDEPLOYED IMAGE\tCREATION DATE")
			for _, st := range stages {
				for _, s := range st.Services {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.ServiceName, st.StageName, orDash(s.DeployedImage), nanosToTime(s.CreationDate))
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project (required)")
	cmd.Flags().StringVar(&stage, "stage", "", "only this stage")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

func getProject(cmd *cobra.Command, name string) (client.Project, error) {
	c, err := newClient()
	if err != nil {
		return client.Project{}, err
	}
	return c.Project(cmd.Context(), name)
}

func newGetDeploymentsCmd() *cobra.Command {
	var af awsFlags
	var app, env, output string
	cmd := &cobra.Command{
		Use:     "deployments --application APP --environment ENV",
		Aliases: []string{"deployment"},
		Short:   "List the AppConfig deployments of an environment, newest first",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := af.appconfig()
			if err != nil {
				return err
			}
			var items []any
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NUMBER\tSTATE\tPERCENT\tCONFIGURATION\tVERSION\tSTARTED\tCOMPLETED")
			p := appconfig.NewListDeploymentsPaginator(c, &appconfig.ListDeploymentsInput{ApplicationId: &app, EnvironmentId: &env})
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return err
				}
				for _, d := range page.Items {
					items = append(items, d)
					fmt.Fprintf(w, "%d\t%s\t%.2f%%\t%s\t%s\t%s\t%s\n", d.DeploymentNumber, d.State, aws.ToFloat32(d.PercentageComplete),
						aws.ToString(d.ConfigurationName), aws.ToString(d.ConfigurationVersion), timeOrDash(d.StartedAt), timeOrDash(d.CompletedAt))
				}
			}
			if output == "json" {
				if items == nil {
					items = []any{}
				}
				return printJSON(cmd, items)
			}
			return w.Flush()
		},
	}
	af.add(cmd.Flags())
	cmd.Flags().StringVar(&app, "application", "", "application id (required)")
	cmd.Flags().StringVar(&env, "environment", "", "environment id (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.MarkFlagRequired("application")
	_ = cmd.MarkFlagRequired("environment")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
