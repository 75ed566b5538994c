package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/bench"
)

func newBenchSequencesCmd() *cobra.Command {
	var tgt benchTarget
	var cfg bench.SequencesConfig
	var prof benchProfiles
	cmd := &cobra.Command{
		Use:   "sequences",
		Short: "Sequence orchestration: 3-task sequences answered by executors over HTTP",
		Long: `Trigger 3-task sequences (closed loop, one service per client) while executors
long-poll GET /api/controlPlane/v1/event/triggered/{type} and answer each task at
once with .started and .finished over HTTP. Reports sequences per second and the
latency from sending the trigger to the durable sequence .finished event.`,
		Args: cobra.NoArgs,
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
			s, err := bench.Sequences(cmd.Context(), t, cfg)
			if perr := stop(); err == nil {
				err = perr
			}
			s.Print(cmd.OutOrStdout())
			printCommits(cmd, t)
			return err
		},
	}
	tgt.flags(cmd)
	prof.flags(cmd)
	cmd.Flags().IntVar(&cfg.Concurrency, "concurrency", 32, "sequences in flight (one service each)")
	cmd.Flags().IntVar(&cfg.Sequences, "sequences", 0, "sequences to run (default: run for --duration)")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to run when --sequences is 0")
	cmd.Flags().BoolVar(&cfg.Started, "started", true, "executors send .started before .finished")
	return cmd
}
