package main

import "github.com/google/uuid"

// tuneProcess applies serve's and bench's process-wide tuning: the garbage
// collector's (tuneGC), and google/uuid's pool of random bytes. baton mints
// a version 4 UUID per SQS message and per AWS request (identifiers that
// every response shows, never secrets); from the pool each takes 16 bytes
// of a 256-byte read of the system's random source instead of a read of
// its own (160–225 ns a UUID instead of 330–600 ns on the 2-core
// development machine).
func tuneProcess() {
	tuneGC()
	uuid.EnableRandPool()
}
