// Command baton is a small, self-hosted control plane for code and
// configuration delivery: Keptn v1 compatible orchestration, AWS AppConfig
// compatible configuration deployments and an SQS compatible queue, in one
// binary. "baton serve" runs it; the other commands are its CLI.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "baton:", err)
		os.Exit(1)
	}
}
