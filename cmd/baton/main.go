// Command baton is a small, self-hosted control plane for code and
// configuration delivery: Keptn v1 compatible orchestration, AWS AppConfig
// compatible configuration deployments and an SQS compatible queue, in one
// binary. "baton serve" runs it; the other commands are its CLI.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/batonhq/baton/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "baton:", explain(err))
		os.Exit(1)
	}
}

// explain says in words an operator acts on that nothing listens at the
// endpoint, also for commands that talk through the AWS SDK (deploy, queue,
// get deployments); the API client says so itself.
func explain(err error) error {
	if !errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, client.ErrUnreachable) {
		return err
	}
	if c, cerr := newClient(); cerr == nil {
		return fmt.Errorf("%w at %s — is `baton serve` running? (%v)", client.ErrUnreachable, c.Endpoint, err)
	}
	return err
}
