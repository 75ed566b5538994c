package main

import "github.com/spf13/cobra"

// addClientCommands adds the commands that talk to a running baton.
func addClientCommands(root *cobra.Command) {
	root.AddCommand(newDeployCmd(), newAlarmCmd(), newBenchCmd())
}
