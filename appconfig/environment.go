package appconfig

import "context"

// CreateEnvironment creates an environment of application e.ApplicationID.
func (s *Service) CreateEnvironment(ctx context.Context, e *Environment, tags map[string]string) error {
	if err := checkName("Name", e.Name, 64); err != nil {
		return err
	}
	if err := checkDescription(e.Description); err != nil {
		return err
	}
	if err := checkMonitors(e.Monitors); err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	if e.Monitors == nil {
		e.Monitors = []Monitor{}
	}
	e.ID, e.State = NewID(), EnvReady
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindApplication, e.ApplicationID, &Application{}); err != nil {
			return err
		}
		n, err := tx.Count(ctx, KindEnvironment, e.ApplicationID)
		if err != nil {
			return err
		}
		if n >= MaxEnvironments {
			return Errorf(CodeQuotaExceeded, "the maximum number of environments per application (%d) has been reached", MaxEnvironments)
		}
		if err := tx.Put(KindEnvironment, e.ID, e.ApplicationID, e.Name, e); err != nil {
			return err
		}
		return tx.SetTags(EnvironmentKey(e.ApplicationID, e.ID), tags)
	})
}

func checkMonitors(ms []Monitor) error {
	if len(ms) > MaxMonitors {
		return Errorf(CodeBadRequest, "at most %d monitors are allowed", MaxMonitors)
	}
	for _, m := range ms {
		if _, err := AlarmName(m.AlarmArn); err != nil {
			return err
		}
		if len(m.AlarmArn) > 2048 {
			return Errorf(CodeBadRequest, "AlarmArn must be at most 2048 characters")
		}
		if err := checkRoleArn("AlarmRoleArn", m.AlarmRoleArn); err != nil {
			return err
		}
	}
	return nil
}

// Environment returns environment id of app.
func (s *Service) Environment(ctx context.Context, app, id string) (*Environment, error) {
	return getEnvironment(ctx, s.store, app, id)
}

func getEnvironment(ctx context.Context, r Reader, app, id string) (*Environment, error) {
	if err := r.Get(ctx, KindApplication, app, &Application{}); err != nil {
		return nil, err
	}
	e := &Environment{}
	if err := r.Get(ctx, KindEnvironment, id, e); err != nil {
		return nil, err
	}
	if e.ApplicationID != app {
		return nil, NotFound("Environment", id)
	}
	return e, nil
}

// Environments lists the environments of app.
func (s *Service) Environments(ctx context.Context, app string, p Page) ([]*Environment, int64, error) {
	if err := s.store.Get(ctx, KindApplication, app, &Application{}); err != nil {
		return nil, 0, err
	}
	return list[Environment](ctx, s.store, KindEnvironment, app, p)
}

// EnvironmentUpdate is what UpdateEnvironment may change; nil fields stay.
type EnvironmentUpdate struct {
	Name        *string
	Description *string
	Monitors    *[]Monitor
}

// UpdateEnvironment changes environment id of app.
func (s *Service) UpdateEnvironment(ctx context.Context, app, id string, u EnvironmentUpdate) (*Environment, error) {
	var e *Environment
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if e, err = getEnvironment(ctx, tx, app, id); err != nil {
			return err
		}
		if u.Name != nil {
			if err := checkName("Name", *u.Name, 64); err != nil {
				return err
			}
			e.Name = *u.Name
		}
		if u.Description != nil {
			if err := checkDescription(*u.Description); err != nil {
				return err
			}
			e.Description = *u.Description
		}
		if u.Monitors != nil {
			if err := checkMonitors(*u.Monitors); err != nil {
				return err
			}
			e.Monitors = *u.Monitors
		}
		return tx.Put(KindEnvironment, e.ID, app, e.Name, e)
	})
	return e, err
}

// DeleteEnvironment deletes environment id of app; not while it is deploying.
func (s *Service) DeleteEnvironment(ctx context.Context, app, id string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		e, err := getEnvironment(ctx, tx, app, id)
		if err != nil {
			return err
		}
		if e.State == EnvDeploying || e.State == EnvRollingBack {
			return Errorf(CodeConflict, "environment %s has a deployment in progress", id)
		}
		if err := untagAll(ctx, tx, EnvironmentKey(app, id)); err != nil {
			return err
		}
		s.changed(tx)
		return tx.Delete(KindEnvironment, id)
	})
}
