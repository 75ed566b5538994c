package lighthouse

import (
	"errors"
	"fmt"
	"time"
)

// TimeFormat is how evaluation times are written (Keptn's ISO 8601 form).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// DefaultTimeframe is the timeframe of an evaluation given neither a
// timeframe nor an end.
const DefaultTimeframe = "5m"

// ParseTime reads a time as Keptn did: ISO 8601 with milliseconds, RFC 3339,
// or "2006-01-02T15:04:05" (UTC).
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{TimeFormat, time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not ISO 8601, such as 2021-01-02T15:00:00.000Z", s)
}

// CheckTimeframe applies Keptn's rules to an evaluation's start, end and
// timeframe before any time is parsed.
func CheckTimeframe(start, end, timeframe string) error {
	switch {
	case timeframe != "" && end != "":
		return errors.New("timeframe and end time specifications cannot be set together")
	case start != "" && timeframe == "" && end == "":
		return errors.New("timeframe or end time specifications need to be specified when using start parameter")
	case start == "" && end != "":
		return errors.New("end time specifications cannot be set without start parameter")
	}
	return nil
}

// Timeframe computes an evaluation's start and end as Keptn did: the
// timeframe (default 5m) up to now, or from start, or start to end; the end
// must be at least a minute after the start.
func Timeframe(start, end, timeframe string, now time.Time) (from, to time.Time, err error) {
	if err := CheckTimeframe(start, end, timeframe); err != nil {
		return from, to, err
	}
	tf := timeframe
	if tf == "" {
		tf = DefaultTimeframe
	}
	d, err := time.ParseDuration(tf)
	if err != nil {
		return from, to, fmt.Errorf("could not parse provided timeframe: %v", err)
	}
	to = now.UTC()
	from = to.Add(-d)
	if start != "" {
		if from, err = ParseTime(start); err != nil {
			return from, to, err
		}
		if end == "" && timeframe != "" {
			to = from.Add(d)
		}
	}
	if end != "" {
		if to, err = ParseTime(end); err != nil {
			return from, to, err
		}
	}
	if to.Sub(from) < time.Minute {
		return from, to, errors.New("end date must be at least 1 minute after start date")
	}
	return from, to, nil
}

// FormatTime writes t as evaluation times are written.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }
