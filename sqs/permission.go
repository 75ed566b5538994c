package sqs

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// permissionActions are the actions AddPermission may grant ("*" grants
// every one). SendMessage, DeleteMessage and ChangeMessageVisibility also
// grant their batch versions, as in SQS.
var permissionActions = map[string]bool{
	"*": true, "SendMessage": true, "ReceiveMessage": true, "DeleteMessage": true,
	"ChangeMessageVisibility": true, "GetQueueAttributes": true, "GetQueueUrl": true,
	"ListDeadLetterSourceQueues": true, "PurgeQueue": true, "ListQueueTags": true,
}

// maxPermissionActions is SQS's limit of actions in one statement.
const maxPermissionActions = 7

var (
	labelRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// policyDoc is a queue policy as AddPermission and RemovePermission edit it:
// statements are kept as written, new ones are appended.
type policyDoc struct {
	Version   string            `json:"Version,omitempty"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

// permissionStatement is the statement AddPermission writes, in the field
// order SQS uses.
type permissionStatement struct {
	Sid       string
	Effect    string
	Principal struct {
		AWS any `json:"AWS"`
	}
	Action   any
	Resource string
}

// AddPermission adds a statement labelled label to q's Policy that allows the
// accounts the actions on q (AddPermission). It creates the policy SQS
// creates when q has none.
func (s *Service) AddPermission(ctx context.Context, q *Queue, label string, accounts, actions []string) error {
	if err := checkPermission(label, accounts, actions); err != nil {
		return err
	}
	st := permissionStatement{Sid: label, Effect: "Allow", Resource: s.ARN(q)}
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	grants := make([]string, len(actions))
	for i, a := range actions {
		grants[i] = "SQS:" + a
	}
	st.Principal.AWS, st.Action = oneOrMany(principals), oneOrMany(grants)
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.modify(ctx, q, func(cur *Queue) error {
		doc, err := s.policyDoc(cur)
		if err != nil {
			return err
		}
		if statementIndex(doc, label) >= 0 {
			return invalidParam(label, "Label", "Already exists.")
		}
		doc.Statement = append(doc.Statement, raw)
		return setPolicyDoc(cur, doc)
	})
}

// RemovePermission removes the statement labelled label from q's Policy, and
// the Policy itself with its last statement (RemovePermission).
func (s *Service) RemovePermission(ctx context.Context, q *Queue, label string) error {
	if label == "" {
		return Errorf(CodeMissingParameter, "The request must contain the parameter Label.")
	}
	return s.modify(ctx, q, func(cur *Queue) error {
		doc, err := s.policyDoc(cur)
		if err != nil {
			return err
		}
		i := statementIndex(doc, label)
		if i < 0 {
			return invalidParam(label, "Label", "can't find label.")
		}
		doc.Statement = append(doc.Statement[:i], doc.Statement[i+1:]...)
		if len(doc.Statement) == 0 {
			delete(cur.Attributes, AttrPolicy)
			return nil
		}
		return setPolicyDoc(cur, doc)
	})
}

func checkPermission(label string, accounts, actions []string) error {
	switch {
	case label == "":
		return Errorf(CodeMissingParameter, "The request must contain the parameter Label.")
	case !labelRE.MatchString(label):
		return invalidParam(label, "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	case len(accounts) == 0:
		return Errorf(CodeMissingParameter, "The request must contain the parameter AWSAccountIds.")
	case len(actions) == 0:
		return Errorf(CodeMissingParameter, "The request must contain the parameter Actions.")
	case len(actions) > maxPermissionActions:
		return Errorf(CodeOverLimit, "%d actions were found, maximum allowed is %d.", len(actions), maxPermissionActions)
	}
	for _, a := range accounts {
		if !accountRE.MatchString(a) {
			return invalidParam(a, "AWSAccountIds", "An AWS account id is 12 digits.")
		}
	}
	for _, a := range actions {
		if !permissionActions[a] {
			return invalidParam(a, "ActionName", "Only the queue actions "+strings.Join(SortedNames(permissionActions), ", ")+" can be shared.")
		}
	}
	return nil
}

// policyDoc returns q's policy for editing, or a new one named as SQS names
// the policies it creates.
func (s *Service) policyDoc(q *Queue) (*policyDoc, error) {
	doc := &policyDoc{Version: "2008-10-17", ID: s.ARN(q) + "/SQSDefaultPolicy"}
	cur := q.Policy()
	if cur == "" {
		return doc, nil
	}
	var raw struct {
		Version   string
		ID        string `json:"Id"`
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(cur), &raw); err != nil {
		return nil, invalidParam("Policy", "Policy", "The queue's policy is not a JSON object.")
	}
	doc.Version, doc.ID = raw.Version, raw.ID
	if err := json.Unmarshal(raw.Statement, &doc.Statement); err != nil {
		doc.Statement = []json.RawMessage{raw.Statement} // a single statement object
	}
	return doc, nil
}

func setPolicyDoc(q *Queue, doc *policyDoc) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	q.Attributes[AttrPolicy] = string(b)
	return nil
}

// statementIndex returns the index of the statement whose Sid is label, or -1.
func statementIndex(doc *policyDoc, label string) int {
	for i, raw := range doc.Statement {
		var st struct{ Sid string }
		if json.Unmarshal(raw, &st) == nil && st.Sid == label {
			return i
		}
	}
	return -1
}

// oneOrMany is a policy value: a string for one item, else a list.
func oneOrMany(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}
