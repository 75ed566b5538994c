// Package keptn holds the domain of baton's Keptn v1 compatible control plane:
// the CloudEvents envelope with Keptn's extensions, the event type grammar,
// shipyards, projects, resources and secrets, and the Store interface the
// storage engines implement.
//
// It imports no transport and no storage package.
package keptn
