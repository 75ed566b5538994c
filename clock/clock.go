// Package clock provides the time source that baton's engines and workers use.
//
// Engines never call time.Now directly: they take a Clock, so tests can run in
// virtual time (Fake) and users can speed deployments up (Scaled).
package clock

import (
	"sync"
	"time"
)

// Clock tells the time and waits for it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives once d has elapsed on this clock.
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scaled runs Factor times faster than the wall clock from the moment it was made.
// A Factor of 60 turns a 20-minute canary into 20 seconds.
type Scaled struct {
	start  time.Time
	factor float64
}

// NewScaled returns a clock that runs factor times faster than real time.
// A factor <= 0 is treated as 1.
func NewScaled(factor float64) *Scaled {
	if factor <= 0 {
		factor = 1
	}
	return &Scaled{start: time.Now(), factor: factor}
}

// Now returns the scaled time.
func (s *Scaled) Now() time.Time {
	real := time.Since(s.start)
	return s.start.Add(time.Duration(float64(real) * s.factor))
}

// After waits d of scaled time, that is d/Factor of real time.
func (s *Scaled) After(d time.Duration) <-chan time.Time {
	return time.After(time.Duration(float64(d) / s.factor))
}

// Fake is a clock that only moves when told to. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that fires when the fake time reaches now+d.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := f.now.Add(d)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.waiters = append(f.waiters, fakeWaiter{at: at, ch: ch})
	return ch
}

// Advance moves the fake time forward by d and fires every waiter that is due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	now := f.now
	kept := f.waiters[:0]
	var due []fakeWaiter
	for _, w := range f.waiters {
		if !w.at.After(now) {
			due = append(due, w)
		} else {
			kept = append(kept, w)
		}
	}
	f.waiters = kept
	f.mu.Unlock()
	for _, w := range due {
		w.ch <- now
	}
}
