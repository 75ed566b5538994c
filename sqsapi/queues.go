package sqsapi

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sqs"
)

// optInt is an optional integer that the query protocol sends as a string
// and the JSON protocol as a number. A value that is not an integer is kept
// in bad and refused by check, which the operations call once the queue is
// found (SQS reports a missing queue first).
type optInt struct {
	set bool
	v   int
	bad string
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *optInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		o.set, o.bad = true, s
		return nil
	}
	o.set, o.v = true, n
	return nil
}

// checkInts refuses the first parameter whose value is not an integer.
func checkInts(params map[string]optInt) error {
	for _, name := range sqs.SortedNames(params) {
		if err := checkInt(name, params[name]); err != nil {
			return err
		}
	}
	return nil
}

// checkInt is checkInts for one parameter.
func checkInt(name string, v optInt) error {
	if v.bad != "" {
		return sqs.Errorf(sqs.CodeInvalidParameterValue, "Value %s for parameter %s is invalid. Reason: Must be an integer.", v.bad, name)
	}
	return nil
}

func (o optInt) ptr() *int {
	if !o.set {
		return nil
	}
	return &o.v
}

// queueURL returns the URL of q as seen by the client of c.
func queueURL(c *call, q *sqs.Queue) string {
	return c.scheme + "://" + c.host + "/" + q.Account + "/" + q.Name
}

// queue resolves a QueueUrl parameter (or, without one, the queue URL the
// request was posted to).
func (a *API) queue(c *call, raw string) (*sqs.Queue, error) {
	account, name := c.pathAccount, c.pathQueue
	if raw != "" {
		u, err := url.Parse(raw)
		ok := false
		if err == nil {
			account, name, ok = strings.Cut(strings.Trim(u.Path, "/"), "/")
		}
		if !ok || name == "" || strings.Contains(name, "/") {
			return nil, sqs.Errorf(sqs.CodeInvalidAddress, "The address %s is not valid for this endpoint.", raw)
		}
	}
	if name == "" {
		return nil, sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameter QueueUrl.")
	}
	return a.Queues.Queue(c.ctx, account, name)
}

type queueURLOutput struct {
	QueueURL string `json:"QueueUrl" xml:"QueueUrl"`
}

func (a *API) createQueue(c *call) (any, error) {
	var in struct {
		QueueName  string
		Attributes map[string]string
		Tags       map[string]string `json:"tags"`
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.Queues.CreateQueue(c.ctx, in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return nil, err
	}
	return queueURLOutput{queueURL(c, q)}, nil
}

func (a *API) getQueueURL(c *call) (any, error) {
	var in struct {
		QueueName              string
		QueueOwnerAWSAccountID string `json:"QueueOwnerAWSAccountId"`
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameter QueueName.")
	}
	account := in.QueueOwnerAWSAccountID
	if account == "" {
		account = a.Queues.Account()
	}
	q, err := a.Queues.Queue(c.ctx, account, in.QueueName)
	if err != nil {
		return nil, err
	}
	return queueURLOutput{queueURL(c, q)}, nil
}

type listOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty" xml:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func (a *API) listQueues(c *call) (any, error) {
	var in struct {
		QueueNamePrefix string
		MaxResults      optInt
		NextToken       string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	if err := checkInts(map[string]optInt{"MaxResults": in.MaxResults}); err != nil {
		return nil, err
	}
	if in.MaxResults.set && in.MaxResults.v == 0 {
		in.MaxResults.v = -1 // explicitly 0 is out of range
	}
	qs, next, err := a.Queues.ListQueues(c.ctx, in.QueueNamePrefix, in.MaxResults.v, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listOutput{QueueUrls: urls(c, qs), NextToken: next}, nil
}

func urls(c *call, qs []*sqs.Queue) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = queueURL(c, q)
	}
	return out
}

type queueInput struct {
	QueueURL string `json:"QueueUrl"`
}

func (a *API) deleteQueue(c *call) (any, error) {
	var in queueInput
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.DeleteQueue(c.ctx, q)
}

func (a *API) purgeQueue(c *call) (any, error) {
	var in queueInput
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.Purge(c.ctx, q)
}

func (a *API) getQueueAttributes(c *call) (any, error) {
	var in struct {
		QueueURL       string `json:"QueueUrl"`
		AttributeNames []string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	attrs, err := a.Queues.Attributes(c.ctx, q, in.AttributeNames)
	if err != nil {
		return nil, err
	}
	return struct {
		Attributes attrMap `json:"Attributes,omitempty" xml:"Attribute"`
	}{attrs}, nil
}

func (a *API) setQueueAttributes(c *call) (any, error) {
	var in struct {
		QueueURL   string `json:"QueueUrl"`
		Attributes map[string]string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.SetAttributes(c.ctx, q, in.Attributes)
}

func (a *API) tagQueue(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Tags     map[string]string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.Tag(c.ctx, q, in.Tags)
}

func (a *API) untagQueue(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		TagKeys  []string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.Untag(c.ctx, q, in.TagKeys)
}

func (a *API) listQueueTags(c *call) (any, error) {
	var in queueInput
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags tagMap `json:"Tags,omitempty" xml:"Tag"`
	}{q.Tags}, nil
}

func (a *API) listDeadLetterSourceQueues(c *call) (any, error) {
	var in struct {
		QueueURL   string `json:"QueueUrl"`
		MaxResults optInt
		NextToken  string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkInts(map[string]optInt{"MaxResults": in.MaxResults}); err != nil {
		return nil, err
	}
	if in.MaxResults.set && in.MaxResults.v == 0 {
		in.MaxResults.v = -1
	}
	qs, next, err := a.Queues.DeadLetterSources(c.ctx, q, in.MaxResults.v, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		QueueUrls []string `json:"queueUrls" xml:"QueueUrl"`
		NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
	}{urls(c, qs), next}, nil
}

func (a *API) addPermission(c *call) (any, error) {
	var in struct {
		QueueURL      string `json:"QueueUrl"`
		Label         string
		AWSAccountIDs []string `json:"AWSAccountIds"`
		Actions       []string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.AddPermission(c.ctx, q, in.Label, in.AWSAccountIDs, in.Actions)
}

func (a *API) removePermission(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Label    string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, a.Queues.RemovePermission(c.ctx, q, in.Label)
}
