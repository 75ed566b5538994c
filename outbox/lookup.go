package outbox

import "context"

// Lookup finds outbox items by the key their producer gave them. The Bridge
// uses it to show the webhook calls of a task beside the task.
type Lookup interface {
	// ByKeyPrefix returns the items of kind whose key starts with one of
	// prefixes followed by "-", oldest first, with their attempts (payloads
	// are left out). At most limit items are returned.
	ByKeyPrefix(ctx context.Context, kind string, prefixes []string, limit int) ([]Record, error)
}
