package appconfig

// stateOf maps the deployment events that change its state to that state.
var stateOf = map[string]string{
	EventDeploymentStarted: StateDeploying, EventBakeTimeStarted: StateBaking, EventDeploymentComplete: StateComplete,
	EventRollbackCompleted: StateRolledBack, EventRevertCompleted: StateReverted,
}

// logStateChange logs at info one line per state a deployment reached in
// this step (DEPLOYING, BAKING, COMPLETE, ROLLED_BACK, REVERTED), after the
// transaction commits. Percentage steps are not logged.
func (s *Service) logStateChange(tx Tx, d *Deployment, st Step) {
	if s.log == nil {
		return
	}
	for i := st.NewEvents - 1; i >= 0; i-- { // oldest new event first
		ev := d.EventLog[i]
		state, ok := stateOf[ev.EventType]
		if !ok {
			continue
		}
		args := []any{"application", d.ApplicationID, "environment", d.EnvironmentID, "deployment", d.DeploymentNumber,
			"state", state, "percentage", d.PercentageComplete, "by", ev.TriggeredBy}
		why := ev.Description
		if i+1 < len(d.EventLog) && d.EventLog[i+1].EventType == EventRollbackStarted {
			why = d.EventLog[i+1].Description // who stopped it and why
		}
		if state == StateRolledBack || state == StateReverted {
			args = append(args, "description", why)
		}
		tx.AfterCommit(func() { s.log.Info("deployment state changed", args...) })
	}
}
