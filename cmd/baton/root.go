package main

import (
	"github.com/spf13/cobra"

	"github.com/batonhq/baton/server"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "baton",
		Short: "A small control plane for code and configuration delivery",
		Long: `baton orchestrates delivery sequences the way Keptn v1 did, rolls configuration
out gradually the way AWS AppConfig does, and delivers every step as an event,
a webhook call or a queue message.

Run "baton serve" to start it; the other commands talk to a running baton.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       server.Version,
	}
	root.AddCommand(newServeCmd(), newBenchCmd(), newQueueCmd(), newAWSCredentialsCmd(), newStoreCmd())
	addClientCommands(root)
	return root
}
