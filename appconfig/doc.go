// Package appconfig is baton's AWS AppConfig compatible domain: applications,
// environments with monitors, configuration profiles with validators, hosted
// configuration versions, deployment strategies (including the predefined
// AppConfig.* ones), deployments and the alarms that monitors watch.
//
// The deployment engine is deterministic: Advance takes a deployment, its
// inputs (alarm state, tick directives) and the time, and returns the new
// state and the events it caused. Deployments are timers stored in the
// database (outbox items with a future due time), so a restart continues them.
//
// Extension modules plug in at the action points through the Hooks interface.
//
// The domain types carry the JSON names of the AppConfig wire format; the
// appconfigapi package serves them as they are.
package appconfig
