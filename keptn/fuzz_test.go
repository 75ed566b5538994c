package keptn

import (
	"encoding/json"
	"testing"
)

// FuzzEventDecode feeds POST /api/v1/event bodies through decoding, strict
// validation and the helpers that read an event; none may panic, and an
// event that validates has a type within the limit.
func FuzzEventDecode(f *testing.F) {
	for _, seed := range []string{
		`{"type":"sh.keptn.event.dev.delivery.triggered","source":"cli","specversion":"1.0","data":{"project":"p","stage":"dev","service":"s"}}`,
		`{"type":"sh.keptn.event.deployment.finished","source":"x","triggeredid":"t","shkeptncontext":"not-a-uuid","data":{"project":"p","stage":"dev","service":"s","result":"pass","status":"succeeded"}}`,
		`{"type":"sh.keptn.event.evaluation.started","id":"client-id","source":"::bad uri","data":{"evaluation":{"score":1e309}}}`,
		`{"type":"sh.keptn.log.error","source":"s","data":{}}`,
		`{"type":"","data":null}`,
		`{"type":"sh.keptn.event.a.b.c.d.e.triggered","source":"s","data":[1]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var ev Event
		if json.Unmarshal(body, &ev) != nil {
			return
		}
		for _, strict := range []bool{false, true} {
			s := &Events{Strict: strict}
			if err := s.validate(&ev); err == nil && len(ev.Type) > MaxEventType {
				t.Fatalf("validated a type of %d bytes", len(ev.Type))
			}
		}
		ParseType(ev.Type)
		ev.Scope()
		ev.ParsedData()
		ContextFor(ev.Shkeptncontext)
		NormalizeSource(ev.Source)
	})
}

// FuzzShipyard parses and validates shipyard files; neither may panic.
func FuzzShipyard(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nmetadata: {name: s}\nspec:\n  stages:\n    - name: dev\n      sequences:\n        - name: delivery\n          tasks:\n            - name: deployment\n              properties: {deploymentstrategy: direct}\n            - name: test\n    - name: prod\n      sequences:\n        - name: delivery\n          triggeredOn:\n            - event: dev.delivery.finished\n              selector: {match: {result: pass}}\n          tasks: [{name: approval, triggeredAfter: 10m}]\n",
		"apiVersion: spec.keptn.sh/0.2.0\nkind: Shipyard\nspec: {stages: []}\n",
		"kind: Shipyard\nspec:\n  stages:\n    - name: a.b\n",
		"- [a, b]\n",
		"&a [*a]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseShipyard(raw)
		if err != nil {
			return
		}
		s.Validate()
		s.ParentStages()
		for _, st := range s.Spec.Stages {
			s.Stage(st.Name)
		}
	})
}
