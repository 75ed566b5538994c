package webhook

import (
	"context"

	"github.com/batonhq/baton/keptn"
)

// OnDelete implements keptn.DeleteHook: webhook calls still pending for
// events of a deleted project (or service) are ended, recorded as dead with
// the reason, instead of calling out for something that no longer exists.
// Calls already under way finish.
func (s *Service) OnDelete(ctx context.Context, tx keptn.Tx, project, service string) error {
	reason := "cancelled: project " + project + " was deleted"
	if service != "" {
		reason = "cancelled: service " + service + " was deleted from project " + project
	}
	n, err := tx.EndJobs(Kind, project, service, reason)
	if err != nil {
		return err
	}
	if n > 0 && s.log != nil {
		s.log.Info("webhook calls cancelled", "project", project, "service", service, "calls", n)
	}
	return nil
}
