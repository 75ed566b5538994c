// Package extension is baton's AppConfig extensions module: extensions and
// their associations (the control-plane resources), the AWS-authored
// extensions, and the appconfig.Hooks implementation that runs their actions
// at the deployment action points.
//
// ON_* actions are asynchronous: an SQS target that baton hosts gets its
// message in the same transaction as the deployment step; any other target
// (Amazon SQS, an HTTP function) is enqueued in the transactional outbox and
// delivered with retries. PRE_* and AT_DEPLOYMENT_TICK actions call an HTTP
// function synchronously (see docs/extensions.md for the contract).
//
// The package is free of transport and storage: it stores its documents
// through appconfig.Tx and reaches queues and the outbox through Deliverer.
package extension
