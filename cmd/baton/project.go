package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

func newCreateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "create", Short: "Create a project, service or secret"}
	cmd.AddCommand(newCreateProjectCmd(), newCreateServiceCmd(), newCreateSecretCmd())
	return cmd
}

func newDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "delete", Short: "Delete a project, service or secret"}
	var project, scope string
	delProject := &cobra.Command{
		Use: "project NAME", Short: "Delete a project", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.DeleteProject(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Project %s deleted\n", args[0])
			return nil
		},
	}
	delService := &cobra.Command{
		Use: "service NAME --project PROJECT", Short: "Delete a service", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.DeleteService(cmd.Context(), project, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Service %s deleted from project %s\n", args[0], project)
			return nil
		},
	}
	delService.Flags().StringVar(&project, "project", "", "project of the service")
	_ = delService.MarkFlagRequired("project")
	delSecret := &cobra.Command{
		Use: "secret NAME", Short: "Delete a secret", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			return c.DeleteSecret(cmd.Context(), args[0], scope)
		},
	}
	delSecret.Flags().StringVar(&scope, "scope", "keptn-default", "secret scope")
	cmd.AddCommand(delProject, delService, delSecret)
	return cmd
}

func newCreateProjectCmd() *cobra.Command {
	var shipyard, remote, user, token string
	cmd := &cobra.Command{
		Use:     "project NAME --shipyard FILE",
		Short:   "Create a project from a shipyard file",
		Example: "  baton create project demo --shipyard ./shipyard.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := os.ReadFile(shipyard)
			if err != nil {
				return err
			}
			var git *client.GitCredentials
			if remote != "" {
				git = &client.GitCredentials{RemoteURL: remote, User: user}
				if token != "" {
					git.HTTPS = &struct {
						Token string `json:"token,omitempty"`
					}{Token: token}
				}
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.CreateProject(cmd.Context(), args[0], raw, git); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Project %s created\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&shipyard, "shipyard", "", "shipyard YAML file")
	cmd.Flags().StringVar(&remote, "git-remote-url", "", "optional git upstream URL (stored, credentials sealed)")
	cmd.Flags().StringVar(&user, "git-user", "", "git user")
	cmd.Flags().StringVar(&token, "git-token", "", "git token")
	_ = cmd.MarkFlagRequired("shipyard")
	return cmd
}

func newCreateServiceCmd() *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "service NAME --project PROJECT",
		Short: "Add a service to a project",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.CreateService(cmd.Context(), project, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Service %s created in project %s\n", args[0], project)
			return nil
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project to add the service to")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

func newCreateSecretCmd() *cobra.Command {
	var scope string
	var literals []string
	cmd := &cobra.Command{
		Use:     "secret NAME --from-literal KEY=VALUE ...",
		Short:   "Store a secret (sealed at rest; values are never shown again)",
		Example: "  baton create secret api-creds --scope keptn-webhook-service --from-literal token=abc",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data := map[string]string{}
			for _, l := range literals {
				k, v, ok := strings.Cut(l, "=")
				if !ok || k == "" {
					return fmt.Errorf("--from-literal %q: want KEY=VALUE", l)
				}
				data[k] = v
			}
			if len(data) == 0 {
				return errors.New("give at least one --from-literal KEY=VALUE")
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.CreateSecret(cmd.Context(), args[0], scope, data); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Secret %s created in scope %s\n", args[0], scope)
			return nil
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "keptn-default", "secret scope (webhooks read keptn-webhook-service)")
	cmd.Flags().StringArrayVar(&literals, "from-literal", nil, "KEY=VALUE, repeatable")
	return cmd
}

func newGetCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "get", Short: "Show projects, stages, services, sequences, events, evaluations, deliveries, deployments or secrets",
		Long: getLong}
	var output string
	projects := &cobra.Command{
		Use: "projects", Aliases: []string{"project"}, Short: "List projects (or one: get project NAME)",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			var ps []client.Project
			if len(args) == 1 {
				p, err := c.Project(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				ps = []client.Project{p}
			} else if ps, err = c.Projects(cmd.Context()); err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd, ps)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tCREATION DATE\tSHIPYARD VERSION\tSTAGES")
			for _, p := range ps {
				var stages []string
				for _, st := range p.Stages {
					stages = append(stages, st.StageName)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.ProjectName, nanosToTime(p.CreationDate), p.ShipyardVersion, strings.Join(stages, ","))
			}
			return w.Flush()
		},
	}
	projects.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	secrets := &cobra.Command{
		Use: "secrets", Aliases: []string{"secret"}, Short: "List secrets (names and keys only)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			list, err := c.Secrets(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSCOPE\tKEYS")
			for _, s := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, s.Scope, strings.Join(s.Keys, ","))
			}
			return w.Flush()
		},
	}
	cmd.AddCommand(projects, newGetEventCmd(), secrets, newGetSequencesCmd(), newGetDeliveriesCmd(),
		newGetStagesCmd(), newGetServicesCmd(), newGetDeploymentsCmd())
	cmd.AddCommand(newGetEvaluationsCmd(), newGetMonitoringCmd())
	return cmd
}

func nanosToTime(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	return time.Unix(0, n).UTC().Format(time.RFC3339)
}
