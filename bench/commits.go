package bench

import (
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CommitStats are an embedded server's group-commit statistics, read from
// its metrics: how many group commits ran, how many write transactions each
// carried on average, and how long BEGIN..durable COMMIT took.
type CommitStats struct {
	Commits      int
	Transactions float64       // per group commit, mean
	Mean         time.Duration // per group commit
	Median       time.Duration // estimated from the histogram's buckets

	// Background checkpoints of SQLite's write-ahead log (none on
	// PostgreSQL): how many, their mean time and frames copied.
	Checkpoints      int
	CheckpointMean   time.Duration
	CheckpointFrames float64
}

// String formats the statistics as the benchmarks print them.
func (c CommitStats) String() string {
	s := fmt.Sprintf("%d group commits, %.1f transactions each, %s mean, %s median (BEGIN..durable COMMIT)",
		c.Commits, c.Transactions, round(c.Mean), round(c.Median))
	if c.Checkpoints > 0 {
		s += fmt.Sprintf("; %d background checkpoints, %s and %.0f frames each", c.Checkpoints, round(c.CheckpointMean), c.CheckpointFrames)
	}
	return s
}

// ReadCommitStats reads baton_store_commit_duration_seconds and
// baton_store_commit_transactions from g; ok is false when there were no
// commits.
func ReadCommitStats(g prometheus.Gatherer) (s CommitStats, ok bool) {
	mfs, err := g.Gather()
	if err != nil {
		return s, false
	}
	var txns float64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			if h == nil || h.GetSampleCount() == 0 {
				continue
			}
			switch mf.GetName() {
			case "baton_store_commit_duration_seconds":
				s.Commits = int(h.GetSampleCount())
				s.Mean = seconds(h.GetSampleSum() / float64(h.GetSampleCount()))
				s.Median = seconds(histogramQuantile(0.5, h.GetSampleCount(), h.GetBucket()))
			case "baton_store_commit_transactions":
				txns = h.GetSampleSum() / float64(h.GetSampleCount())
			case "baton_store_checkpoint_duration_seconds":
				s.Checkpoints = int(h.GetSampleCount())
				s.CheckpointMean = seconds(h.GetSampleSum() / float64(h.GetSampleCount()))
			case "baton_store_checkpoint_frames":
				s.CheckpointFrames = h.GetSampleSum() / float64(h.GetSampleCount())
			}
		}
	}
	s.Transactions = txns
	return s, s.Commits > 0
}

type bucket interface {
	GetUpperBound() float64
	GetCumulativeCount() uint64
}

// histogramQuantile estimates the q quantile of a cumulative histogram by
// linear interpolation within the bucket that holds it, as Prometheus's
// histogram_quantile does (the first bucket's lower bound is 0; a quantile
// past the last finite bound is that bound).
func histogramQuantile[B bucket](q float64, count uint64, buckets []B) float64 {
	rank := q * float64(count)
	lower, below := 0.0, uint64(0)
	for _, b := range buckets {
		upper, cum := b.GetUpperBound(), b.GetCumulativeCount()
		if math.IsInf(upper, 1) {
			break
		}
		if float64(cum) >= rank {
			in := cum - below
			if in == 0 {
				return upper
			}
			return lower + (upper-lower)*(rank-float64(below))/float64(in)
		}
		lower, below = upper, cum
	}
	return lower
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
