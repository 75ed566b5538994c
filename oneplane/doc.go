// Package oneplane joins baton's two halves in one transaction log: a
// shipyard task can run as an AppConfig deployment (appconfig.yaml, kind
// AppConfigTasks), and every deployment state change is appended to the
// Keptn event history as sh.baton.appconfig.deployment.<phase>, so uniform
// subscriptions, webhooks, queues and the Bridge see rollouts like any other
// event. It holds no SQL: a Joiner gives it each domain's view of one write
// transaction. docs/one-plane.md describes the behaviour.
package oneplane
