package sqs

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Policy is a parsed queue access policy (an IAM policy document).
type Policy struct {
	Statements []Statement
}

// Statement is one statement of a policy. Principals hold "*" or
// "<kind>:<value>" (kind AWS, Service, Federated, CanonicalUser).
type Statement struct {
	Effect     string
	Principals []string
	Actions    []string
	Resources  []string
	// Conditions maps operator to key to values.
	Conditions map[string]map[string][]string
}

// Request is what a policy is asked about.
type Request struct {
	// Principal is "<kind>:<value>", e.g. "Service:appconfig.amazonaws.com".
	Principal string
	// Action is e.g. "sqs:SendMessage".
	Action string
	// Resource is the queue ARN.
	Resource string
	// Context holds condition keys such as aws:SourceArn and aws:SourceAccount.
	Context map[string]string
}

// ServiceAppConfig is the principal AWS AppConfig sends queue messages as.
const ServiceAppConfig = "Service:appconfig.amazonaws.com"

// ParsePolicy parses a policy document.
func ParsePolicy(doc string) (*Policy, error) {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, errors.New("policy is not a valid JSON document")
	}
	var stmts []json.RawMessage
	if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		stmts = []json.RawMessage{raw.Statement}
	}
	p := &Policy{}
	for i, s := range stmts {
		st, err := parseStatement(s)
		if err != nil {
			return nil, fmt.Errorf("policy statement %d: %w", i+1, err)
		}
		p.Statements = append(p.Statements, st)
	}
	if len(p.Statements) == 0 {
		return nil, errors.New("policy has no statements")
	}
	return p, nil
}

func parseStatement(b json.RawMessage) (Statement, error) {
	var raw struct {
		Effect    string
		Principal json.RawMessage
		Action    json.RawMessage
		Resource  json.RawMessage
		Condition map[string]map[string]json.RawMessage
	}
	var st Statement
	if err := json.Unmarshal(b, &raw); err != nil {
		return st, errors.New("not a JSON object")
	}
	if raw.Effect != "Allow" && raw.Effect != "Deny" {
		return st, errors.New("the Effect must be Allow or Deny")
	}
	st.Effect = raw.Effect
	st.Actions = stringOrList(raw.Action)
	st.Resources = stringOrList(raw.Resource)
	if len(st.Actions) == 0 {
		return st, errors.New("the Action is required")
	}
	var star string
	var byKind map[string]json.RawMessage
	switch {
	case json.Unmarshal(raw.Principal, &star) == nil && star == "*":
		st.Principals = []string{"*"}
	case json.Unmarshal(raw.Principal, &byKind) == nil:
		for kind, v := range byKind {
			for _, p := range stringOrList(v) {
				st.Principals = append(st.Principals, kind+":"+p)
			}
		}
	default:
		return st, errors.New("the Principal must be \"*\" or an object")
	}
	st.Conditions = map[string]map[string][]string{}
	for op, keys := range raw.Condition {
		st.Conditions[op] = map[string][]string{}
		for k, v := range keys {
			st.Conditions[op][k] = stringOrList(v)
		}
	}
	return st, nil
}

func stringOrList(b json.RawMessage) []string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return []string{s}
	}
	var l []string
	_ = json.Unmarshal(b, &l)
	return l
}

// Allows evaluates the policy for r the IAM way: an explicit Deny wins, else
// an Allow is needed. Statements with a condition operator baton does not
// know never match, so an unknown condition cannot widen access.
func (p *Policy) Allows(r Request) bool {
	allowed := false
	for _, st := range p.Statements {
		if !st.matches(r) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (st Statement) matches(r Request) bool {
	action := strings.ToLower(r.Action)
	if single, ok := batchActions[action]; ok {
		action = single
	}
	return anyMatch(st.Principals, r.Principal, principalMatch) &&
		anyMatch(st.Actions, action, func(pat, v string) bool { return globMatch(strings.ToLower(pat), v) }) &&
		(len(st.Resources) == 0 || anyMatch(st.Resources, r.Resource, globMatch)) &&
		st.conditionsHold(r.Context)
}

func principalMatch(pat, v string) bool {
	if pat == "*" || pat == "AWS:*" {
		return true
	}
	return canonicalPrincipal(pat) == canonicalPrincipal(v)
}

// canonicalPrincipal writes an account's root principal, which IAM accepts
// as "123456789012" or "arn:aws:iam::123456789012:root", as the account id.
func canonicalPrincipal(p string) string {
	if rest, ok := strings.CutPrefix(p, "AWS:arn:aws:iam::"); ok {
		if account, ok := strings.CutSuffix(rest, ":root"); ok {
			return "AWS:" + account
		}
	}
	return p
}

// batchActions maps batch actions to the action whose permission covers them.
var batchActions = map[string]string{
	"sqs:sendmessagebatch":             "sqs:sendmessage",
	"sqs:deletemessagebatch":           "sqs:deletemessage",
	"sqs:changemessagevisibilitybatch": "sqs:changemessagevisibility",
}

func anyMatch(pats []string, v string, match func(pat, v string) bool) bool {
	for _, p := range pats {
		if match(p, v) {
			return true
		}
	}
	return false
}

// globMatch matches IAM wildcards: * any run, ? one character.
func globMatch(pat, v string) bool {
	if pat == "*" {
		return true
	}
	// path.Match treats / specially and knows [ ]; ARNs and actions contain
	// neither / nor [ in practice, so escape brackets and use it.
	pat = strings.NewReplacer("[", `\[`, "]", `\]`, "/", "\x00").Replace(pat)
	ok, err := path.Match(pat, strings.ReplaceAll(v, "/", "\x00"))
	return err == nil && ok
}

func (st Statement) conditionsHold(ctx map[string]string) bool {
	for op, keys := range st.Conditions {
		for key, vals := range keys {
			got, present := ctx[key]
			if !conditionHolds(op, got, present, vals) {
				return false
			}
		}
	}
	return true
}

func conditionHolds(op, got string, present bool, vals []string) bool {
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if !present {
		return ifExists
	}
	var match func(pat, v string) bool
	switch op {
	case "StringEquals", "ArnEquals":
		match = func(p, v string) bool { return p == v }
	case "StringEqualsIgnoreCase":
		match = strings.EqualFold
	case "StringLike", "ArnLike":
		match = globMatch
	case "StringNotEquals", "ArnNotEquals":
		return !anyMatch(vals, got, func(p, v string) bool { return p == v })
	case "StringNotLike", "ArnNotLike":
		return !anyMatch(vals, got, globMatch)
	default:
		return false
	}
	return anyMatch(vals, got, match)
}
