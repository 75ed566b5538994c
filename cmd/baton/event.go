package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

func newSendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "send", Short: "Send events"}
	var file string
	event := &cobra.Command{
		Use:     "event --file FILE",
		Short:   "Send a CloudEvent from a JSON file (- for standard input)",
		Example: "  baton send event --file approval.finished.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var raw []byte
			var err error
			if file == "-" {
				raw, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 16<<20))
			} else {
				raw, err = os.ReadFile(file)
			}
			if err != nil {
				return err
			}
			if !json.Valid(raw) {
				return fmt.Errorf("%s is not valid JSON", file)
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			kc, err := c.SendEvent(cmd.Context(), raw)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Event sent, keptnContext: %s\n", kc)
			return nil
		},
	}
	event.Flags().StringVarP(&file, "file", "f", "", "event JSON file, or - for standard input")
	_ = event.MarkFlagRequired("file")
	cmd.AddCommand(event)
	return cmd
}

func newGetEventCmd() *cobra.Command {
	var project, stage, service, keptnContext string
	var limit int
	cmd := &cobra.Command{
		Use:   "event [TYPE]",
		Short: "Show events from the history, newest first, as JSON",
		Long: `Show events from the history, newest first, as JSON. TYPE may be a full
event type (sh.keptn.event.deployment.finished) or a short one (deployment.finished).`,
		Example: "  baton get event deployment.finished --project demo --keptn-context 1b0a…",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if len(args) == 1 {
				t := args[0]
				if !strings.HasPrefix(t, "sh.keptn.") {
					t = "sh.keptn.event." + t
				}
				q.Set("type", t)
			}
			for k, v := range map[string]string{"project": project, "stage": stage, "service": service, "keptnContext": keptnContext} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("pageSize", strconv.Itoa(min(max(limit, 1), 100)))
			c, err := newClient()
			if err != nil {
				return err
			}
			page, err := c.Events(cmd.Context(), q)
			if err != nil {
				return err
			}
			return printJSON(cmd, page.Events)
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project")
	cmd.Flags().StringVar(&stage, "stage", "", "stage")
	cmd.Flags().StringVar(&service, "service", "", "service")
	cmd.Flags().StringVar(&keptnContext, "keptn-context", "", "keptnContext")
	cmd.Flags().IntVar(&limit, "limit", 20, "how many events (1-100)")
	return cmd
}

func newAddResourceCmd() *cobra.Command {
	var project, stage, service, file, uri string
	cmd := &cobra.Command{
		Use:     "add-resource --project P [--stage S [--service V]] --resource FILE --resourceUri URI",
		Short:   "Store a file as a project, stage or service resource",
		Example: "  baton add-resource --project demo --stage dev --service web --resource webhook.yaml --resourceUri webhook/webhook.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if service != "" && stage == "" {
				return fmt.Errorf("--service needs --stage")
			}
			content, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			if uri == "" {
				uri = file
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			rev, warnings, err := c.AddResourceWarn(cmd.Context(), project, stage, service, uri, content)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Resource %s stored (revision %s)\n", uri, rev)
			for _, w := range warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "project")
	cmd.Flags().StringVar(&stage, "stage", "", "stage")
	cmd.Flags().StringVar(&service, "service", "", "service (needs --stage)")
	cmd.Flags().StringVar(&file, "resource", "", "local file")
	cmd.Flags().StringVar(&uri, "resourceUri", "", "where to store it (default: the file path)")
	_ = cmd.MarkFlagRequired("project")
	_ = cmd.MarkFlagRequired("resource")
	return cmd
}
