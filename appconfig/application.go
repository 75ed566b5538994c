package appconfig

import (
	"context"
	"unicode/utf8"
)

// CreateApplication creates an application.
func (s *Service) CreateApplication(ctx context.Context, a *Application, tags map[string]string) error {
	if err := checkName("Name", a.Name, 64); err != nil {
		return err
	}
	if err := checkDescription(a.Description); err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	a.ID = NewID()
	return s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.Count(ctx, KindApplication, "")
		if err != nil {
			return err
		}
		if n >= MaxApplications {
			return Errorf(CodeQuotaExceeded, "the maximum number of applications (%d) has been reached", MaxApplications)
		}
		if err := tx.Put(KindApplication, a.ID, "", a.Name, a); err != nil {
			return err
		}
		return tx.SetTags(ApplicationKey(a.ID), tags)
	})
}

// Application returns application id.
func (s *Service) Application(ctx context.Context, id string) (*Application, error) {
	a := &Application{}
	return a, s.store.Get(ctx, KindApplication, id, a)
}

// Applications lists applications.
func (s *Service) Applications(ctx context.Context, p Page) ([]*Application, int64, error) {
	return list[Application](ctx, s.store, KindApplication, "", p)
}

// UpdateApplication changes the name and/or description of application id.
func (s *Service) UpdateApplication(ctx context.Context, id string, name, desc *string) (*Application, error) {
	a := &Application{}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindApplication, id, a); err != nil {
			return err
		}
		if name != nil {
			if err := checkName("Name", *name, 64); err != nil {
				return err
			}
			a.Name = *name
		}
		if desc != nil {
			if err := checkDescription(*desc); err != nil {
				return err
			}
			a.Description = *desc
		}
		return tx.Put(KindApplication, a.ID, "", a.Name, a)
	})
	return a, err
}

// DeleteApplication deletes application id, which must have no environments
// and no configuration profiles left.
func (s *Service) DeleteApplication(ctx context.Context, id string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindApplication, id, &Application{}); err != nil {
			return err
		}
		envs, err := tx.Count(ctx, KindEnvironment, id)
		if err != nil {
			return err
		}
		profiles, err := tx.Count(ctx, KindProfile, id)
		if err != nil {
			return err
		}
		if envs+profiles > 0 {
			return Errorf(CodeBadRequest, "application %s still has environments or configuration profiles; delete them first", id)
		}
		if err := untagAll(ctx, tx, ApplicationKey(id)); err != nil {
			return err
		}
		return tx.Delete(KindApplication, id)
	})
}

func checkDescription(d string) error {
	if utf8.RuneCountInString(d) > 1024 {
		return Errorf(CodeBadRequest, "Description must be at most 1024 characters")
	}
	return nil
}
