package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/bench"
	"github.com/batonhq/baton/server"
)

// benchTarget holds the flags every "baton bench" command shares. The
// target is the global --endpoint/--api-token (or $BATON_TOKEN); without
// --endpoint an embedded baton is started.
type benchTarget struct {
	sync     string
	database string
}

func (b *benchTarget) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.sync, "sync", "FULL", "embedded server's commit durability: FULL or NORMAL")
	cmd.Flags().StringVar(&b.database, "database", "", "embedded server's PostgreSQL URL (default: SQLite in a temporary directory)")
}

func (b *benchTarget) open(cmd *cobra.Command) (*bench.Target, error) {
	return b.openWith(cmd, server.Config{})
}

// openWith opens the target; an embedded server starts with cfg.
func (b *benchTarget) openWith(cmd *cobra.Command, cfg server.Config) (*bench.Target, error) {
	if globalFlags.endpoint != "" {
		token := globalFlags.token
		if token == "" {
			token = os.Getenv("BATON_TOKEN")
		}
		urls := strings.Split(globalFlags.endpoint, ",") // replicas: events and sequences go round robin
		for i := range urls {
			urls[i] = strings.TrimRight(strings.TrimSpace(urls[i]), "/")
		}
		return &bench.Target{URL: urls[0], Replicas: urls[1:], Token: token}, nil
	}
	store := "SQLite, sync=" + b.sync
	if b.database != "" {
		store = "PostgreSQL"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "starting an embedded baton (%s, GOMAXPROCS=%d)\n", store, runtime.GOMAXPROCS(0))
	cfg.Sync, cfg.Database = b.sync, b.database
	return bench.Embedded(cmd.Context(), cfg)
}

// printCommits prints an embedded target's group-commit statistics: with
// the latencies they show how many durable commits a request waited for.
func printCommits(cmd *cobra.Command, t *bench.Target) {
	if s, ok := t.CommitStats(); ok {
		fmt.Fprintf(cmd.OutOrStdout(), "bench: store: %s\n", s)
	}
}

// benchProfiles writes a CPU profile and an execution trace of the
// measured run (client and embedded server), when asked for.
type benchProfiles struct {
	cpu, trace string
}

func (p *benchProfiles) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the run (client and embedded server) to this file")
	cmd.Flags().StringVar(&p.trace, "trace", "", "write an execution trace of the run to this file (go tool trace: scheduler latency, blocking)")
}

// start starts what was asked for; stop ends it and closes the files.
func (p *benchProfiles) start() (stop func() error, err error) {
	var stops []func() error
	stop = func() error {
		var errs []error
		for _, f := range stops {
			errs = append(errs, f())
		}
		return errors.Join(errs...)
	}
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		stops = append(stops, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if p.trace != "" {
		f, err := os.Create(p.trace)
		if err == nil {
			if err = trace.Start(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			_ = stop()
			return nil, err
		}
		stops = append(stops, func() error { trace.Stop(); return f.Close() })
	}
	return stop, nil
}

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure throughput and latency of a baton over HTTP",
		Long: `Measure throughput and latency percentiles end to end over HTTP.

With --endpoint (and --api-token or $BATON_TOKEN) a running server is measured;
replicas on one database take a comma-separated list, over which the events,
sequences and SQS benchmarks spread their requests round robin.
Without --endpoint each benchmark starts an embedded baton with a temporary data
directory in this process (client and server then share the machine's cores, as
on any single host). Every write the server acknowledges is durable. The
embedded server runs with serve's garbage collector tuning (GOGC=400 with at
least 64 MiB of headroom over the live heap, unless GOGC is set).`,
		PersistentPreRun: func(*cobra.Command, []string) { tuneProcess() },
	}
	cmd.AddCommand(newBenchEventsCmd(), newBenchWebhooksCmd(), newBenchSQSCmd(), newBenchAppConfigCmd(), newBenchSequencesCmd(), newBenchExtensionsCmd())
	return cmd
}

func newBenchEventsCmd() *cobra.Command {
	var tgt benchTarget
	var prof benchProfiles
	var cfg bench.EventsConfig
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Durable event ingest: POST /api/v1/event",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := tgt.open(cmd)
			if err != nil {
				return err
			}
			defer t.Close()
			stop, err := prof.start()
			if err != nil {
				return err
			}
			s, err := bench.Events(cmd.Context(), t, cfg)
			if perr := stop(); err == nil {
				err = perr
			}
			if err != nil {
				return err
			}
			s.Print(cmd.OutOrStdout())
			printCommits(cmd, t)
			return nil
		},
	}
	tgt.flags(cmd)
	prof.flags(cmd)
	cmd.Flags().IntVar(&cfg.Concurrency, "concurrency", 64, "concurrent clients")
	cmd.Flags().IntVar(&cfg.Events, "events", 0, "events to send (default: run for --duration)")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to run when --events is 0")
	cmd.Flags().IntVar(&cfg.DataBytes, "data-bytes", 256, "approximate size of each event's data")
	cmd.Flags().BoolVar(&cfg.ClientIDs, "client-ids", false, "give every event a CloudEvent id of its own, as Keptn's go-utils clients do (baton then records each for retried POSTs)")
	return cmd
}

func newBenchWebhooksCmd() *cobra.Command {
	var tgt benchTarget
	var cfg bench.WebhooksConfig
	var prof benchProfiles
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "Webhook dispatch: calls/s and the latency baton adds per task",
		Long: `Post task events whose fire-and-forget webhook calls an endpoint in this
process, and report calls per second and the latency baton adds: event
committed → request at the endpoint, and, with --rate, endpoint answered →
.finished committed (observed through a second webhook on .finished).

At saturation (no --rate) the task's webhook is the only one, and the run
lasts until the history holds every task's .finished (counted through the
API once the last call has arrived).

Against --endpoint, the server must allow webhooks to 127.0.0.1
(--allow-webhook-target 127.0.0.1); an embedded server does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stopProfiles, err := prof.start()
			if err != nil {
				return err
			}
			defer stopProfiles()
			t, err := tgt.openWith(cmd, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
			if err != nil {
				return err
			}
			defer t.Close()
			r, err := bench.Webhooks(cmd.Context(), t, cfg)
			if err != nil {
				return err
			}
			r.Print(cmd.OutOrStdout())
			printCommits(cmd, t)
			return nil
		},
	}
	tgt.flags(cmd)
	cmd.Flags().IntVar(&cfg.Concurrency, "concurrency", 32, "concurrent clients posting events")
	cmd.Flags().IntVar(&cfg.Events, "events", 10000, "task events to post (one webhook call each)")
	prof.flags(cmd)
	cmd.Flags().Float64Var(&cfg.Rate, "rate", 0, "post this many events per second (0: as fast as possible); latencies below saturation show what baton adds")
	return cmd
}
