package main

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target for serve and bench
// when GOGC is not set. baton's live heap is small (bodies are capped, state
// is in the store), so letting the heap grow to five times it before a
// collection costs little memory and saves most of the collector's CPU on
// the request paths (10–25 % of the CPU per SQS send in our profiles).
const serverGCPercent = 400

// tuneGC applies serverGCPercent unless the operator set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}
