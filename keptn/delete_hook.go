package keptn

import "context"

// DeleteHook ends the work of a project or service that is being deleted:
// the sequence engine aborts its executions (and their timers), the webhook
// service ends its pending calls. It runs inside the deleting transaction,
// before the rows go, so either all of it happens or none.
type DeleteHook interface {
	// OnDelete ends what runs for project, or only for its service when
	// service is not empty.
	OnDelete(ctx context.Context, tx Tx, project, service string) error
}

// AddDeleteHook registers h to run, in registration order, when a project
// or service is deleted.
func (p *Projects) AddDeleteHook(h DeleteHook) { p.hooks = append(p.hooks, h) }

func (p *Projects) runDeleteHooks(ctx context.Context, tx Tx, project, service string) error {
	for _, h := range p.hooks {
		if err := h.OnDelete(ctx, tx, project, service); err != nil {
			return err
		}
	}
	return nil
}
