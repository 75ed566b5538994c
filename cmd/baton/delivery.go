package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newGetDeliveriesCmd() *cobra.Command {
	var kind, state, output string
	var limit int
	cmd := &cobra.Command{
		Use:     "deliveries [ID]",
		Aliases: []string{"delivery"},
		Short:   "Show webhook calls and message deliveries with their attempts",
		Example: "  baton get deliveries --state dead\n  baton get delivery 42",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return fmt.Errorf("delivery id must be a number")
				}
				d, err := c.Delivery(cmd.Context(), id)
				if err != nil {
					return err
				}
				return printJSON(cmd, d)
			}
			list, err := c.Deliveries(cmd.Context(), kind, state, limit)
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd, list)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tKIND\tSTATE\tATTEMPTS\tUPDATED\tLAST ERROR")
			for _, d := range list {
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%.80s\n", d.ID, d.Kind, d.State, d.Attempts, d.Updated.Format("2006-01-02T15:04:05Z"), d.LastError)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind (webhook, sequence.timer, appconfig.step, …)")
	cmd.Flags().StringVar(&state, "state", "", "only this state: pending, running, done or dead")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many (1-1000)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func newReplayCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "replay ID",
		Short: "Retry a dead delivery (a webhook call or message that kept failing)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("delivery id must be a number")
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.ReplayDelivery(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Delivery %d is pending again\n", id)
			return nil
		},
	}
}
