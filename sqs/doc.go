// Package sqs is the domain of baton's embedded, durable, SQS-compatible
// queue: queues and their attributes, messages and message attributes with
// their MD5 digests, visibility timeouts and receipt handles, delays,
// retention, redrive to dead-letter queues, FIFO ordering and deduplication,
// and queue policies.
//
// Service holds the semantics; a storage engine implements Store and Tx. The
// HTTP face (package sqsapi) decodes both SQS wire protocols into the inputs
// here and encodes the results. The package imports no transport and no
// storage package.
package sqs
