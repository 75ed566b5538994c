package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/keptn"
)

// checkTarget checks, before a trigger is sent, that the project, stage,
// service and sequence exist, and says which one does not. An empty stage
// is the shipyard's first; the stage to use is returned.
func checkTarget(ctx context.Context, c *client.Client, project, stage, service, sequence string) (string, error) {
	p, err := c.Project(ctx, project)
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
		return "", fmt.Errorf("project %s does not exist (baton get projects lists them)", project)
	}
	if err != nil {
		return "", err
	}
	var names []string
	for _, st := range p.Stages {
		names = append(names, st.StageName)
	}
	if stage == "" {
		if len(names) == 0 {
			return "", fmt.Errorf("project %s has no stages", project)
		}
		stage = names[0]
	}
	i := slices.Index(names, stage)
	if i < 0 {
		return "", fmt.Errorf("stage %s does not exist in project %s (stages: %v)", stage, project, names)
	}
	if !slices.ContainsFunc(p.Stages[i].Services, func(s client.ProjectService) bool { return s.ServiceName == service }) {
		return "", fmt.Errorf("service %s does not exist in project %s (baton create service %s --project %s)", service, project, service, project)
	}
	if sequence == "evaluation" {
		return stage, nil // every stage can run an evaluation
	}
	sy, err := keptn.ParseShipyard([]byte(p.Shipyard))
	if err != nil {
		return stage, nil // the server decides; it keeps shipyards it accepted
	}
	var seqs []string
	for _, s := range sy.Stage(stage).Sequences {
		seqs = append(seqs, s.Name)
	}
	if !slices.Contains(seqs, sequence) {
		return "", fmt.Errorf("sequence %s does not exist in stage %s of project %s (sequences: %v)", sequence, stage, project, seqs)
	}
	return stage, nil
}
