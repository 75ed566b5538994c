// Package lighthouse is baton's quality-gate engine: Keptn v1's
// lighthouse-service built in.
//
// An evaluation task (sh.keptn.event.evaluation.triggered) is answered with
// .started; the engine reads the service's slo.yaml in the stage, asks the
// project's SLI provider for the indicator values with
// sh.keptn.event.get-sli.triggered and, when the provider answers with
// get-sli.finished, scores the values against the SLO and earlier
// evaluations and emits sh.keptn.event.evaluation.finished.
//
// Scoring (Score) is a pure function of the SLO, the values and the earlier
// results, written to Keptn's lighthouse semantics. The Evaluator is a
// keptn.EventHook: what it decides on evaluation.triggered commits with the
// event. Scoring runs as an outbox job and the wait for the provider has a
// durable outbox timeout; both end in an evaluation.finished whose id is
// derived from the evaluation, so an evaluation finishes exactly once even
// across crashes and retries.
//
// docs/quality-gates.md describes the files, the events and every deliberate
// deviation from Keptn.
package lighthouse
