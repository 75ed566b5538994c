// Package promsli is baton's built-in Prometheus SLI provider: the SLI part
// of Keptn's prometheus-service.
//
// It answers sh.keptn.event.get-sli.triggered events whose
// data.get-sli.sliProvider is "prometheus": .started in the event's
// transaction, then an outbox job reads the indicators' PromQL from the
// project's, stage's and service's prometheus/sli.yaml (or sli.yaml),
// substitutes Keptn's placeholders, queries the Prometheus HTTP API at the
// evaluation's end and emits get-sli.finished with the values. The
// Prometheus URL and optional basic-auth user and password come from the
// secret prometheus-credentials-<project>. Calls pass the same SSRF guard
// as webhooks and are retried by the outbox.
package promsli
