package appconfig

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Predefined returns the AppConfig.* deployment strategies every account has.
func Predefined() []DeploymentStrategy {
	return []DeploymentStrategy{
		{ID: "AppConfig.AllAtOnce", Name: "AppConfig.AllAtOnce", Description: "Quick",
			DeploymentDurationInMinutes: 0, GrowthType: GrowthLinear, GrowthFactor: 100, FinalBakeTimeInMinutes: 10, ReplicateTo: "NONE"},
		{ID: "AppConfig.Linear50PercentEvery30Seconds", Name: "AppConfig.Linear50PercentEvery30Seconds", Description: "Test/Demo",
			DeploymentDurationInMinutes: 1, GrowthType: GrowthLinear, GrowthFactor: 50, FinalBakeTimeInMinutes: 1, ReplicateTo: "NONE"},
		{ID: "AppConfig.Canary10Percent20Minutes", Name: "AppConfig.Canary10Percent20Minutes", Description: "AWS Recommended",
			DeploymentDurationInMinutes: 20, GrowthType: GrowthExponential, GrowthFactor: 10, FinalBakeTimeInMinutes: 10, ReplicateTo: "NONE"},
		{ID: "AppConfig.Linear20PercentEvery6Minutes", Name: "AppConfig.Linear20PercentEvery6Minutes", Description: "AWS Recommended",
			DeploymentDurationInMinutes: 30, GrowthType: GrowthLinear, GrowthFactor: 20, FinalBakeTimeInMinutes: 30, ReplicateTo: "NONE"},
	}
}

// PredefinedStrategy returns the predefined strategy id, if it is one.
func PredefinedStrategy(id string) (DeploymentStrategy, bool) {
	for _, s := range Predefined() {
		if s.ID == id {
			return s, true
		}
	}
	return DeploymentStrategy{}, false
}

// IsPredefined reports whether id names a predefined strategy (AppConfig.*).
func IsPredefined(id string) bool { return strings.HasPrefix(id, "AppConfig.") }

// Validate checks s and fills defaults.
func (s *DeploymentStrategy) Validate() error {
	if err := checkName("Name", s.Name, 64); err != nil {
		return err
	}
	if len(s.Description) > 1024 {
		return Errorf(CodeBadRequest, "Description must be at most 1024 characters")
	}
	if s.DeploymentDurationInMinutes < 0 || s.DeploymentDurationInMinutes > 1440 {
		return Errorf(CodeBadRequest, "DeploymentDurationInMinutes must be between 0 and 1440")
	}
	if s.FinalBakeTimeInMinutes < 0 || s.FinalBakeTimeInMinutes > 1440 {
		return Errorf(CodeBadRequest, "FinalBakeTimeInMinutes must be between 0 and 1440")
	}
	if s.GrowthFactor < 1 || s.GrowthFactor > 100 {
		return Errorf(CodeBadRequest, "GrowthFactor must be between 1.0 and 100.0")
	}
	if s.GrowthType == "" {
		s.GrowthType = GrowthLinear
	}
	if s.GrowthType != GrowthLinear && s.GrowthType != GrowthExponential {
		return Errorf(CodeBadRequest, "GrowthType must be LINEAR or EXPONENTIAL")
	}
	if s.ReplicateTo == "" {
		s.ReplicateTo = "NONE"
	}
	if s.ReplicateTo != "NONE" && s.ReplicateTo != "SSM_DOCUMENT" {
		return Errorf(CodeBadRequest, "ReplicateTo must be NONE or SSM_DOCUMENT")
	}
	return nil
}

func checkName(field, v string, max int) error {
	if v == "" || utf8.RuneCountInString(v) > max {
		return Errorf(CodeBadRequest, "%s must be 1 to %d characters", field, max)
	}
	return nil
}

// CreateStrategy creates a custom deployment strategy.
func (s *Service) CreateStrategy(ctx context.Context, st *DeploymentStrategy, tags map[string]string) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	st.ID = NewID()
	return s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.Count(ctx, KindStrategy, "")
		if err != nil {
			return err
		}
		if n >= MaxStrategies {
			return Errorf(CodeQuotaExceeded, "the maximum number of deployment strategies (%d) has been reached", MaxStrategies)
		}
		if err := tx.Put(KindStrategy, st.ID, "", st.Name, st); err != nil {
			return err
		}
		return tx.SetTags(StrategyKey(st.ID), tags)
	})
}

// Strategy returns deployment strategy id (predefined or custom).
func (s *Service) Strategy(ctx context.Context, id string) (*DeploymentStrategy, error) {
	return getStrategy(ctx, s.store, id)
}

func getStrategy(ctx context.Context, r Reader, id string) (*DeploymentStrategy, error) {
	if st, ok := PredefinedStrategy(id); ok {
		return &st, nil
	}
	st := &DeploymentStrategy{}
	return st, r.Get(ctx, KindStrategy, id, st)
}

// Strategies lists the predefined strategies, then the custom ones.
func (s *Service) Strategies(ctx context.Context, p Page) ([]*DeploymentStrategy, int64, error) {
	var out []*DeploymentStrategy
	if p.After == 0 {
		for _, st := range Predefined() {
			out = append(out, &st)
		}
		// The first page holds the predefined ones and fewer custom ones.
		p.Limit = max(1, p.Limit-len(out))
	}
	custom, next, err := list[DeploymentStrategy](ctx, s.store, KindStrategy, "", p)
	return append(out, custom...), next, err
}

// StrategyUpdate is what UpdateStrategy may change; nil fields stay.
type StrategyUpdate struct {
	Description                 *string
	DeploymentDurationInMinutes *int
	FinalBakeTimeInMinutes      *int
	GrowthFactor                *float64
	GrowthType                  *string
}

// UpdateStrategy changes custom deployment strategy id.
func (s *Service) UpdateStrategy(ctx context.Context, id string, u StrategyUpdate) (*DeploymentStrategy, error) {
	if IsPredefined(id) {
		return nil, Errorf(CodeBadRequest, "predefined deployment strategy %s cannot be changed", id)
	}
	st := &DeploymentStrategy{}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindStrategy, id, st); err != nil {
			return err
		}
		setIf(&st.Description, u.Description)
		setIf(&st.DeploymentDurationInMinutes, u.DeploymentDurationInMinutes)
		setIf(&st.FinalBakeTimeInMinutes, u.FinalBakeTimeInMinutes)
		setIf(&st.GrowthFactor, u.GrowthFactor)
		setIf(&st.GrowthType, u.GrowthType)
		if err := st.Validate(); err != nil {
			return err
		}
		return tx.Put(KindStrategy, st.ID, "", st.Name, st)
	})
	return st, err
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteStrategy deletes custom deployment strategy id.
func (s *Service) DeleteStrategy(ctx context.Context, id string) error {
	if IsPredefined(id) {
		return Errorf(CodeBadRequest, "predefined deployment strategy %s cannot be deleted", id)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindStrategy, id, &DeploymentStrategy{}); err != nil {
			return err
		}
		if err := untagAll(ctx, tx, StrategyKey(id)); err != nil {
			return err
		}
		return tx.Delete(KindStrategy, id)
	})
}
