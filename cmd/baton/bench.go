package main

import "github.com/spf13/cobra"

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a face of baton (or of a compatible server)",
	}
	cmd.AddCommand(newBenchSQSCmd())
	return cmd
}
