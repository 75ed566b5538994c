package bridge

import (
	"fmt"
	"strings"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/webhook"
)

func serviceCount(p *keptn.Project) int {
	seen := map[string]bool{}
	for _, st := range p.Stages {
		for _, s := range st.Services {
			seen[s.Name] = true
		}
	}
	return len(seen)
}

// execTone is the colour word of a grid cell: the result once finished,
// else the state.
func execTone(e *keptn.SequenceExecution) string {
	if e.Scope.Result != "" && e.Ended() {
		return e.Scope.Result
	}
	return e.Status.State
}

// deliveryState names an outbox item's state for people: a pending item
// that already failed is "retrying".
func deliveryState(r outbox.Record) string {
	if r.State == outbox.StatePending && r.Attempts > 0 {
		return "retrying"
	}
	return string(r.State)
}

func lastAttempt(r outbox.Record) *outbox.Attempt {
	if len(r.History) == 0 {
		return nil
	}
	return &r.History[len(r.History)-1]
}

// invocationWords says what an extension action did, in a sentence.
func invocationWords(a appconfig.ActionInvocation) string {
	what := a.ActionName
	if what == "" {
		what = "action"
	}
	target := a.URI
	if target == "" {
		target = a.ExtensionIdentifier
	}
	if a.ErrorCode != "" || a.ErrorMessage != "" {
		return fmt.Sprintf("Extension %s: %s to %s failed — %s: %s", a.ExtensionIdentifier, what, target, a.ErrorCode, a.ErrorMessage)
	}
	return fmt.Sprintf("Extension %s: %s to %s succeeded (invocation %s).", a.ExtensionIdentifier, what, target, a.InvocationID)
}

// eventOf returns the event id a webhook delivery is keyed by ("<id>-<n>"),
// or "" for other kinds.
func eventOf(r outbox.Record) string {
	if r.Kind != webhook.Kind {
		return ""
	}
	i := strings.LastIndex(r.Key, "-")
	if i <= 0 {
		return ""
	}
	return r.Key[:i]
}
