package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/bench"
	"github.com/batonhq/baton/server"
)

func newBenchSQSCmd() *cobra.Command {
	var cfg bench.SQSConfig
	var data, syncMode, database string
	var prof benchProfiles
	var ceiling bool
	cmd := &cobra.Command{
		Use:   "sqs",
		Short: "Measure SQS send and receive+delete throughput and latency",
		Long: `Measure SQS throughput with the aws-sdk-go-v2 client: create a queue, send
--messages messages with --concurrency workers (SendMessage, or
SendMessageBatch with --batch > 1), then receive and delete them all
(ReceiveMessage of up to --batch, DeleteMessage or DeleteMessageBatch).
Reports messages per second and p50/p99 call latency for both phases.

With --endpoint it measures any SQS-compatible server (credentials from
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); without, it starts an embedded
baton on a free loopback port with a temporary data directory (or --data),
SigV4 verification on and FULL durability: every send is committed durably
before its reply.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.AccessKey == "" {
				cfg.AccessKey, cfg.SecretKey = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
			}
			stopProfiles, err := prof.start()
			if err != nil {
				return err
			}
			defer stopProfiles()
			if ceiling {
				c, err := bench.StartCeilingSQS(cfg.BodySize)
				if err != nil {
					return err
				}
				defer c.Close()
				cfg.Endpoint = c.URL()
				fmt.Fprintln(cmd.ErrOrStderr(), "bench: measuring the ceiling: a stand-in endpoint that stores nothing")
			}
			if cfg.Endpoint == "" {
				stop, err := embeddedBaton(cmd.Context(), &cfg, server.Config{DataDir: data, Sync: syncMode, Database: database}, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				defer stop()
			}
			_, err = bench.RunSQS(cmd.Context(), cfg, cmd.OutOrStdout())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Endpoint, "endpoint", "", "SQS endpoint URL, or comma-separated replicas on one database (default: start an embedded baton)")
	f.StringVar(&cfg.Region, "region", "us-east-1", "region to sign requests for")
	f.StringVar(&cfg.Queue, "queue", "", "queue name (default: a new baton-bench-* queue)")
	f.IntVar(&cfg.Concurrency, "concurrency", 32, "workers")
	f.IntVar(&cfg.Batch, "batch", 1, "messages per call (1-10)")
	f.IntVar(&cfg.Messages, "messages", 100000, "messages to send and receive")
	f.IntVar(&cfg.BodySize, "body-size", 256, "message body bytes")
	f.IntVar(&cfg.ServerPID, "server-pid", 0, "process id of the server behind --endpoint on this machine: report its CPU time per message (Linux)")
	f.BoolVar(&ceiling, "ceiling", false, "measure against an in-process stand-in that stores nothing: the client, loopback HTTP and machine ceiling")
	f.StringVar(&syncMode, "sync", "FULL", "durability of the embedded baton: FULL or NORMAL (to measure the cost of fsync)")
	f.StringVar(&data, "data", "", "data directory of the embedded baton (default: a temporary one)")
	prof.flags(cmd)
	f.StringVar(&database, "database", "", "PostgreSQL URL of the embedded baton (default: SQLite in its data directory)")
	return cmd
}

// embeddedBaton starts baton in-process for the benchmark and points cfg at it
// with a fresh access key.
func embeddedBaton(ctx context.Context, cfg *bench.SQSConfig, scfg server.Config, log io.Writer) (func(), error) {
	data := scfg.DataDir
	if data == "" {
		dir, err := os.MkdirTemp("", "baton-bench-")
		if err != nil {
			return nil, err
		}
		data = dir
	}
	token := "bench-admin-token"
	srv, err := server.Open(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: data, Token: token, Sync: scfg.Sync,
		Database: scfg.Database, Out: io.Discard, LogLevel: "warn"})
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	stop := func() {
		reportCommits(srv, log)
		cancel()
		<-done
		if strings.Contains(data, "baton-bench-") {
			os.RemoveAll(data)
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/api/baton/v1/aws-credentials", strings.NewReader(`{"description":"bench"}`))
	req.Header.Set("x-token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		stop()
		return nil, fmt.Errorf("create bench access key: %w", err)
	}
	defer resp.Body.Close()
	var k struct{ AccessKeyID, SecretAccessKey string }
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || resp.StatusCode != http.StatusCreated {
		stop()
		return nil, fmt.Errorf("create bench access key: status %d: %v", resp.StatusCode, err)
	}
	cfg.Endpoint, cfg.AccessKey, cfg.SecretKey = srv.URL(), k.AccessKeyID, k.SecretAccessKey
	fmt.Fprintf(log, "bench: embedded baton at %s, data %s\n", srv.URL(), data)
	return stop, nil
}

// reportCommits prints the embedded store's group-commit statistics.
func reportCommits(srv *server.Server, out io.Writer) {
	if s, ok := bench.ReadCommitStats(srv.Registry()); ok {
		fmt.Fprintf(out, "bench: store: %s\n", s)
	}
}
