package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batonhq/baton/client"
)

// printSequences writes the table of "baton get sequences": a sequence
// refused at trigger time shows as finished, fail, with its reason.
func printSequences(w io.Writer, states []client.SequenceState, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEPTN CONTEXT\tSEQUENCE\tSERVICE\tSTATE\tRESULT\tDURATION\tSTAGES\tTIME\tMESSAGE")
	for _, s := range states {
		var stages []string
		for _, st := range s.Stages {
			stages = append(stages, st.Name+":"+st.State)
		}
		result := s.Result
		if result == "" {
			result = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.100s\n", s.Shkeptncontext, s.Name, s.Service, s.State, result,
			duration(s, now), strings.Join(stages, " "), s.Time, s.Message)
	}
	return tw.Flush()
}

// duration is how long s ran, rounded for reading.
func duration(s client.SequenceState, now time.Time) string {
	d, ok := s.Duration(now)
	if !ok || d < 0 {
		return "-"
	}
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
