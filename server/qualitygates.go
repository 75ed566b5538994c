package server

import (
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/promsli"
)

// buildQualityGates wires the evaluator (Keptn's lighthouse) and the
// built-in Prometheus SLI provider, and validates SLO and SLI files at upload.
func (s *Server) buildQualityGates(store keptn.Store, resources *keptn.Resources, secrets *keptn.Secrets, guard *netguard.Guard) {
	s.Evaluations = lighthouse.New(s.Keptn, store, s.clock, s.log, lighthouse.Config{
		SLITimeout: s.cfg.SLITimeout, DefaultProvider: s.cfg.SLIProvider, OnOpen: s.Sequences.SignalOpen,
		External: s.cfg.ExternalEvaluator,
	})
	s.Keptn.AddHook(s.Evaluations)
	s.outbox.Handle(lighthouse.ScoreKind, s.Evaluations.HandleScore, nil)
	s.outbox.Handle(lighthouse.TimeoutKind, s.Evaluations.HandleTimeout, nil)
	resources.Validate(lighthouse.SLOURI, lighthouse.ValidateSLO)

	prom := promsli.New(s.Keptn, store, secrets, promsli.Options{Guard: guard, Timeout: s.cfg.WebhookTimeout, Log: s.log, Clock: s.clock})
	s.Keptn.AddHook(prom)
	s.outbox.Handle(promsli.Kind, prom.Handle, nil)
	resources.Validate(promsli.SLIURI, lighthouse.ValidateSLIFile)
	resources.Validate(promsli.PlainSLIURI, lighthouse.ValidateSLIFile)
}
