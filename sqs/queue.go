package sqs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Queue is a queue with its settable attributes and tags.
type Queue struct {
	ID      int64
	Account string
	Name    string
	// Attributes holds the attributes that were set, normalized, as strings.
	Attributes map[string]string
	Tags       map[string]string
	Created    time.Time
	Modified   time.Time
	// PurgedAt is when the queue was last purged (zero: never).
	PurgedAt time.Time

	settings
}

// settings is the parsed view of a queue's attributes that the hot paths use.
type settings struct {
	Fifo              bool
	ContentDedup      bool
	DedupPerGroup     bool
	VisibilityTimeout time.Duration
	Delay             time.Duration
	Retention         time.Duration
	WaitTime          time.Duration
	MaxMessageSize    int
	Redrive           *RedrivePolicy
}

// RedrivePolicy moves a message to DeadLetterTargetArn once it has been
// received MaxReceiveCount times without being deleted.
type RedrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// Queue attribute names.
const (
	AttrAll                      = "All"
	AttrPolicy                   = "Policy"
	AttrVisibilityTimeout        = "VisibilityTimeout"
	AttrMaximumMessageSize       = "MaximumMessageSize"
	AttrMessageRetentionPeriod   = "MessageRetentionPeriod"
	AttrApproxMessages           = "ApproximateNumberOfMessages"
	AttrApproxNotVisible         = "ApproximateNumberOfMessagesNotVisible"
	AttrApproxDelayed            = "ApproximateNumberOfMessagesDelayed"
	AttrCreatedTimestamp         = "CreatedTimestamp"
	AttrLastModifiedTimestamp    = "LastModifiedTimestamp"
	AttrQueueArn                 = "QueueArn"
	AttrDelaySeconds             = "DelaySeconds"
	AttrReceiveWaitTimeSeconds   = "ReceiveMessageWaitTimeSeconds"
	AttrRedrivePolicy            = "RedrivePolicy"
	AttrRedriveAllowPolicy       = "RedriveAllowPolicy"
	AttrFifoQueue                = "FifoQueue"
	AttrContentBasedDedup        = "ContentBasedDeduplication"
	AttrKmsMasterKeyID           = "KmsMasterKeyId"
	AttrKmsDataKeyReusePeriod    = "KmsDataKeyReusePeriodSeconds"
	AttrDeduplicationScope       = "DeduplicationScope"
	AttrFifoThroughputLimit      = "FifoThroughputLimit"
	AttrSqsManagedSseEnabled     = "SqsManagedSseEnabled"
	defaultVisibilityTimeout     = 30
	defaultRetention             = 345600
	maxQueueNameLen              = 80
	dedupWindow                  = 5 * time.Minute
	purgeWindow                  = 60 * time.Second
	maxTags                      = 50
	maxDeadLetterSourcesPageSize = 1000
)

// settable lists the attributes CreateQueue and SetQueueAttributes accept,
// with their validators. fifoOnly attributes are refused on standard queues.
var settable = map[string]struct {
	check    func(string) (string, string) // normalized value, or "" and a reason
	fifoOnly bool
}{
	AttrDelaySeconds:           {check: intRange(0, 900)},
	AttrMaximumMessageSize:     {check: intRange(1024, 1048576)},
	AttrMessageRetentionPeriod: {check: intRange(60, 1209600)},
	AttrReceiveWaitTimeSeconds: {check: intRange(0, 20)},
	AttrVisibilityTimeout:      {check: intRange(0, 43200)},
	AttrPolicy:                 {check: checkPolicy},
	AttrRedrivePolicy:          {check: checkRedrive},
	AttrRedriveAllowPolicy:     {check: checkJSONObject},
	AttrKmsMasterKeyID:         {check: anyValue},
	AttrKmsDataKeyReusePeriod:  {check: intRange(60, 86400)},
	AttrSqsManagedSseEnabled:   {check: boolValue},
	AttrFifoQueue:              {check: boolValue},
	AttrContentBasedDedup:      {check: boolValue, fifoOnly: true},
	AttrDeduplicationScope:     {check: oneOf("messageGroup", "queue"), fifoOnly: true},
	AttrFifoThroughputLimit:    {check: oneOf("perQueue", "perMessageGroupId"), fifoOnly: true},
}

// readOnly lists the attributes GetQueueAttributes computes.
var readOnly = map[string]bool{
	AttrApproxMessages: true, AttrApproxNotVisible: true, AttrApproxDelayed: true,
	AttrCreatedTimestamp: true, AttrLastModifiedTimestamp: true, AttrQueueArn: true,
}

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// ValidQueueName reports whether name is a valid queue name (fifo says
// whether it names a FIFO queue).
func validQueueName(name string) (ok, fifo bool) {
	base, fifo := strings.CutSuffix(name, ".fifo")
	return len(name) <= maxQueueNameLen && queueNameRE.MatchString(base), fifo
}

func intRange(lo, hi int) func(string) (string, string) {
	return func(v string) (string, string) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", "must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
		}
		return strconv.Itoa(n), ""
	}
}

func boolValue(v string) (string, string) {
	switch strings.ToLower(v) {
	case "true":
		return "true", ""
	case "false":
		return "false", ""
	}
	return "", "must be true or false"
}

func oneOf(vals ...string) func(string) (string, string) {
	return func(v string) (string, string) {
		for _, ok := range vals {
			if v == ok {
				return v, ""
			}
		}
		return "", "must be one of " + strings.Join(vals, ", ")
	}
}

func anyValue(v string) (string, string) { return v, "" }

func checkJSONObject(v string) (string, string) {
	if v == "" {
		return "", ""
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return "", "must be a JSON object"
	}
	return v, ""
}

func checkPolicy(v string) (string, string) {
	if v == "" {
		return "", ""
	}
	if _, err := ParsePolicy(v); err != nil {
		return "", err.Error()
	}
	return v, ""
}

// checkRedrive validates a RedrivePolicy ("" removes it); maxReceiveCount may
// be a number or a string, as the AWS tools send either. The policy is kept
// as written, so it reads back byte for byte.
func checkRedrive(v string) (string, string) {
	if v == "" {
		return "", ""
	}
	if rp, reason := parseRedrive(v); rp == nil {
		return "", reason
	}
	return v, ""
}

func parseRedrive(v string) (*RedrivePolicy, string) {
	var raw struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, "Redrive policy is not a valid JSON map."
	}
	if raw.Target == "" {
		return nil, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.Max), `"`))
	if err != nil || n < 1 || n > 1000 {
		return nil, "Value for maxReceiveCount must be an integer from 1 to 1000."
	}
	return &RedrivePolicy{DeadLetterTargetArn: raw.Target, MaxReceiveCount: n}, ""
}

// parse fills q.settings from q.Attributes; maxSize is the server's limit,
// the default MaximumMessageSize.
func (q *Queue) parse(maxSize int) {
	num := func(name string, def int) int {
		if v, ok := q.Attributes[name]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
		return def
	}
	q.Fifo = q.Attributes[AttrFifoQueue] == "true"
	q.ContentDedup = q.Attributes[AttrContentBasedDedup] == "true"
	q.DedupPerGroup = q.Attributes[AttrDeduplicationScope] == "messageGroup"
	q.VisibilityTimeout = time.Duration(num(AttrVisibilityTimeout, defaultVisibilityTimeout)) * time.Second
	q.Delay = time.Duration(num(AttrDelaySeconds, 0)) * time.Second
	q.Retention = time.Duration(num(AttrMessageRetentionPeriod, defaultRetention)) * time.Second
	q.WaitTime = time.Duration(num(AttrReceiveWaitTimeSeconds, 0)) * time.Second
	q.MaxMessageSize = min(num(AttrMaximumMessageSize, maxSize), maxSize)
	q.Redrive = nil
	if v := q.Attributes[AttrRedrivePolicy]; v != "" {
		q.Redrive, _ = parseRedrive(v)
	}
}

// Policy returns the queue's access policy document ("" when none).
func (q *Queue) Policy() string { return q.Attributes[AttrPolicy] }

// DeadLetterTarget returns the ARN the queue's RedrivePolicy names ("" when
// it has none).
func (q *Queue) DeadLetterTarget() string {
	if rp, _ := parseRedrive(q.Attributes[AttrRedrivePolicy]); rp != nil {
		return rp.DeadLetterTargetArn
	}
	return ""
}
