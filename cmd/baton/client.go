package main

import "github.com/spf13/cobra"

// addClientCommands adds the commands that talk to a running baton.
func addClientCommands(root *cobra.Command) {
	root.AddCommand(newDeployCmd(), newAlarmCmd(), newBenchCmd())
}

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure baton on this machine"}
	cmd.AddCommand(newBenchAppConfigCmd())
	return cmd
}
