package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newAlarmCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "alarm", Short: "Set the alarms that AppConfig environment monitors watch"}
	var reason string
	set := &cobra.Command{
		Use:   "set NAME OK|ALARM|INSUFFICIENT_DATA",
		Short: "Set an alarm's state; ALARM rolls back deployments whose environment monitors it",
		Long: `Set the state of alarm NAME. An environment monitor refers to it as
arn:aws:cloudwatch:us-east-1:000000000000:alarm:NAME. Setting it to ALARM rolls
back, at once, every deployment in progress in an environment that monitors it.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			state := strings.ToUpper(args[1])
			if err := c.Do(cmd.Context(), "PUT", "/baton/v1/alarms/"+url.PathEscape(args[0]),
				map[string]string{"State": state, "Reason": reason}, nil); err != nil {
				return fmt.Errorf("set alarm: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "alarm %s is %s\n", args[0], state)
			return nil
		},
	}
	set.Flags().StringVar(&reason, "reason", "", "why the alarm changed")
	cmd.AddCommand(set)
	return cmd
}
