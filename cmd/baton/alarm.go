package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newAlarmCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "alarm", Short: "Set the alarms that AppConfig environment monitors watch"}
	var base, token, reason string
	set := &cobra.Command{
		Use:   "set NAME OK|ALARM|INSUFFICIENT_DATA",
		Short: "Set an alarm's state; ALARM rolls back deployments whose environment monitors it",
		Long: `Set the state of alarm NAME. An environment monitor refers to it as
arn:aws:cloudwatch:us-east-1:000000000000:alarm:NAME. Setting it to ALARM rolls
back, at once, every deployment in progress in an environment that monitors it.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, _ := json.Marshal(map[string]string{"State": strings.ToUpper(args[1]), "Reason": reason})
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPut,
				strings.TrimRight(base, "/")+"/baton/v1/alarms/"+url.PathEscape(args[0]), bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-token", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("set alarm: %s: %s", resp.Status, bytes.TrimSpace(out))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "alarm %s is %s\n", args[0], strings.ToUpper(args[1]))
			return nil
		},
	}
	set.Flags().StringVar(&base, "url", batonURL(), "baton URL (env BATON_ENDPOINT or BATON_URL)")
	set.Flags().StringVar(&token, "token", envOr("BATON_TOKEN", ""), "admin API token (env BATON_TOKEN)")
	set.Flags().StringVar(&reason, "reason", "", "why the alarm changed")
	cmd.AddCommand(set)
	return cmd
}
