package appconfig

import (
	"context"
	"strconv"
)

// ResolveStart turns the names or ids of a StartInput's application,
// environment, configuration profile and strategy into ids, and an empty
// ConfigurationVersion into the profile's latest hosted version.
func (s *Service) ResolveStart(ctx context.Context, in *StartInput) error {
	var err error
	if in.Application, err = idOrName(ctx, s.store, KindApplication, "", in.Application); err != nil {
		return err
	}
	if in.Environment, err = idOrName(ctx, s.store, KindEnvironment, in.Application, in.Environment); err != nil {
		return err
	}
	if in.ProfileID, err = idOrName(ctx, s.store, KindProfile, in.Application, in.ProfileID); err != nil {
		return err
	}
	if _, ok := PredefinedStrategy(in.StrategyID); !ok {
		if in.StrategyID, err = idOrName(ctx, s.store, KindStrategy, "", in.StrategyID); err != nil {
			return err
		}
	}
	if in.ConfigurationVersion != "" {
		return nil
	}
	n, err := s.store.LatestVersion(ctx, in.ProfileID)
	if err != nil {
		return err
	}
	if n == 0 {
		return Errorf(CodeBadRequest, "configuration profile %s has no hosted configuration version", in.ProfileID)
	}
	in.ConfigurationVersion = strconv.Itoa(n)
	return nil
}

// RollBackTx rolls the active deployment d back inside tx, as a stop does;
// t says who asked and why. It does nothing when d has ended.
func (s *Service) RollBackTx(ctx context.Context, tx Tx, d *Deployment, t Trigger) error {
	if !d.Active() {
		return nil
	}
	env, err := getEnvironment(ctx, tx, d.ApplicationID, d.EnvironmentID)
	if err != nil {
		return err
	}
	return s.apply(tx, d, env, Advance(d, Input{Rollback: &t}, s.now()))
}
