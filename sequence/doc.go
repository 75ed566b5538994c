// Package sequence is baton's shipyard engine: it runs the sequences a
// project's shipyard defines, the way Keptn v1's shipyard-controller did,
// without its polling ticks.
//
// The Engine is a keptn.EventHook. Every event baton stores passes through
// OnEvent inside the transaction that stores it, so the engine's state
// changes and the events it emits (task .triggered, sequence .finished, the
// next stage's .triggered) commit atomically with the event that caused them.
// A task is dispatched the moment its predecessor completes and a queued
// sequence starts the moment the one blocking it ends, in that same
// transaction. Timers (triggeredAfter delays, the started and finished
// timeouts) are outbox items with a due time, handled by FireTimer.
//
// docs/sequences.md describes the semantics and every deliberate deviation
// from Keptn.
package sequence
