package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// SendInput is one message to send (one SendMessage, or one batch entry).
type SendInput struct {
	// ID is the batch entry id ("" for SendMessage).
	ID           string
	Body         string
	DelaySeconds *int
	Attributes   map[string]MessageAttribute
	// SystemAttributes may hold only AWSTraceHeader.
	SystemAttributes map[string]MessageAttribute
	DedupID          string
	GroupID          string
}

// SendResult is the outcome of one SendInput; Err is set when it failed.
type SendResult struct {
	ID                    string
	MessageID             string
	MD5OfBody             string
	MD5OfAttributes       string
	MD5OfSystemAttributes string
	// SequenceNumber is set on FIFO queues.
	SequenceNumber string
	Err            *Error
}

// pending is a validated message ready to store.
type pending struct {
	q     *Queue // as the sender saw it
	in    *SendInput
	res   *SendResult
	msg   Message
	delay time.Duration
}

const maxBatchEntries = 10

// Send stores one message in q durably (SendMessage).
func (s *Service) Send(ctx context.Context, q *Queue, in SendInput) (*SendResult, error) {
	in.ID = ""
	res, err := s.send(ctx, q, []SendInput{in})
	if err != nil {
		return nil, err
	}
	if res[0].Err != nil {
		return nil, res[0].Err
	}
	return &res[0], nil
}

// SendBatch stores messages in q (SendMessageBatch): one durable transaction
// for all valid entries. Entries that fail validation get an Err and are not
// stored; the error return is for failures of the whole request, which SQS
// answers without sending anything: a malformed batch, a total payload over
// the limit, and FIFO entries without a group id or a deduplication id.
func (s *Service) SendBatch(ctx context.Context, q *Queue, entries []SendInput) ([]SendResult, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	if err := CheckBatch("SendMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	if err := s.checkBatchPayload(q, entries); err != nil {
		return nil, err
	}
	return s.send(ctx, q, entries)
}

// checkBatchPayload refuses a whole batch as SQS does: its total size (bodies
// and attributes of every entry) over the server's message size limit, or a
// FIFO entry that names no group or has no deduplication id.
func (s *Service) checkBatchPayload(q *Queue, entries []SendInput) error {
	total := 0
	for _, e := range entries {
		total += len(e.Body) + attributesSize(e.Attributes)
	}
	if total > s.cfg.MaxMessageSize {
		return Errorf(CodeBatchRequestTooLong, "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", s.cfg.MaxMessageSize, total)
	}
	if !q.Fifo {
		return nil
	}
	for _, e := range entries {
		if e.GroupID == "" {
			return Errorf(CodeInvalidParameterValue, "The request must contain the parameter MessageGroupId.")
		}
		if e.DedupID == "" && !q.ContentDedup {
			return errNoDedupID()
		}
	}
	return nil
}

// errNoDedupID is SQS's error for a FIFO message without a deduplication id on
// a queue without content-based deduplication.
func errNoDedupID() *Error {
	return Errorf(CodeInvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
}

func (s *Service) send(ctx context.Context, q *Queue, entries []SendInput) ([]SendResult, error) {
	results := make([]SendResult, len(entries))
	var todo []*pending
	for i := range entries {
		results[i].ID = entries[i].ID
		p, err := s.prepare(q, &entries[i], &results[i])
		if err != nil {
			results[i].Err = err
			continue
		}
		todo = append(todo, p)
	}
	if len(todo) == 0 {
		return results, nil
	}
	if err := s.storeSends(ctx, q, todo); err != nil {
		return nil, err
	}
	return results, nil
}

// SendInTx sends a message to the queue named by queueARN as part of tx, so
// another domain can enqueue in the same transaction as the change that
// causes the message. Waiting receivers wake once tx commits. It does not
// check the queue's policy (see SendInTxAs and MaySend).
func (s *Service) SendInTx(tx Tx, queueARN string, in SendInput) (*SendResult, error) {
	q, err := s.queueInTx(tx, queueARN)
	if err != nil {
		return nil, err
	}
	return s.sendInTx(tx, q, in)
}

// SendInTxAs is SendInTx on behalf of a service principal (e.g.
// ServiceAppConfig): it fails with AccessDenied unless the queue's policy, as
// tx sees it, allows principal sqs:SendMessage. conditions holds condition
// keys such as aws:SourceArn and aws:SourceAccount.
func (s *Service) SendInTxAs(tx Tx, queueARN, principal string, conditions map[string]string, in SendInput) (*SendResult, error) {
	q, err := s.queueInTx(tx, queueARN)
	if err != nil {
		return nil, err
	}
	if !s.allows(q, principal, conditions) {
		return nil, Errorf(CodeAccessDenied, "Access to the resource %s is denied: its policy does not allow %s to send messages.", queueARN, principal)
	}
	return s.sendInTx(tx, q, in)
}

func (s *Service) queueInTx(tx Tx, queueARN string) (*Queue, error) {
	account, name, ok := ParseARN(queueARN)
	if !ok {
		return nil, errNoQueue()
	}
	q, err := tx.QueueByName(account, name)
	if err != nil {
		return nil, err
	}
	q.parse(s.cfg.MaxMessageSize)
	return q, nil
}

func (s *Service) sendInTx(tx Tx, q *Queue, in SendInput) (*SendResult, error) {
	res := &SendResult{ID: in.ID}
	p, verr := s.prepare(q, &in, res)
	if verr != nil {
		return nil, verr
	}
	if err := s.insert(tx, p, s.clock.Now()); err != nil {
		return nil, err
	}
	tx.AfterCommit(func() { s.wake.notify(q.ID) })
	return res, nil
}

// prepare validates one message and computes its digests and ids.
func (s *Service) prepare(q *Queue, in *SendInput, res *SendResult) (*pending, *Error) {
	if in.Body == "" {
		return nil, Errorf(CodeMissingParameter, "The request must contain the parameter MessageBody.")
	}
	if err := checkContents(in.Body, "the message body"); err != nil {
		return nil, err
	}
	attrSize, aerr := validateAttributes(in.Attributes)
	if aerr != nil {
		return nil, aerr
	}
	if size := len(in.Body) + attrSize; size > q.MaxMessageSize {
		return nil, Errorf(CodeInvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.MaxMessageSize)
	}
	trace, serr := systemAttributes(in.SystemAttributes)
	if serr != nil {
		return nil, serr
	}
	delay, derr := messageDelay(q, in.DelaySeconds)
	if derr != nil {
		return nil, derr
	}
	p := &pending{q: q, in: in, res: res, delay: delay, msg: Message{
		ID: uuid.NewString(), Body: in.Body, Attributes: in.Attributes, TraceHeader: trace, GroupID: in.GroupID,
	}}
	if err := s.prepareFifo(q, p); err != nil {
		return nil, err
	}
	res.MessageID = p.msg.ID
	res.MD5OfBody = MD5OfBody(in.Body)
	res.MD5OfAttributes = MD5OfAttributes(in.Attributes)
	res.MD5OfSystemAttributes = MD5OfAttributes(in.SystemAttributes)
	return p, nil
}

// messageDelay returns a message's delay: its own DelaySeconds or the
// queue's. FIFO queues refuse a per-message delay other than 0.
func messageDelay(q *Queue, seconds *int) (time.Duration, *Error) {
	if seconds == nil {
		return q.Delay, nil
	}
	if q.Fifo {
		if *seconds != 0 {
			return 0, invalidParam(*seconds, "DelaySeconds", "The request include parameter that is not valid for this queue type.")
		}
		return q.Delay, nil
	}
	if *seconds < 0 || *seconds > 900 {
		return 0, invalidParam(*seconds, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
	}
	return time.Duration(*seconds) * time.Second, nil
}

// validMessageID reports whether v has the form of a message group or
// deduplication id: 1 to 128 alphanumeric or punctuation characters.
func validMessageID(v string) bool {
	if v == "" || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '!' || v[i] > '~' {
			return false
		}
	}
	return true
}

func checkMessageID(param, v string) *Error {
	if v == "" || validMessageID(v) {
		return nil
	}
	return invalidParam(v, param, param+" can only include alphanumeric and punctuation characters. 1 to 128 in length.")
}

func (s *Service) prepareFifo(q *Queue, p *pending) *Error {
	in := p.in
	if err := checkMessageID("MessageGroupId", in.GroupID); err != nil {
		return err
	}
	if err := checkMessageID("MessageDeduplicationId", in.DedupID); err != nil {
		return err
	}
	if !q.Fifo {
		if in.DedupID != "" {
			return invalidParam(in.DedupID, "MessageDeduplicationId", "The request include parameter that is not valid for this queue type")
		}
		return nil
	}
	if in.GroupID == "" {
		return Errorf(CodeMissingParameter, "The request must contain the parameter MessageGroupId.")
	}
	p.msg.DedupID = in.DedupID
	if p.msg.DedupID == "" {
		if !q.ContentDedup {
			return errNoDedupID()
		}
		h := sha256.Sum256([]byte(in.Body))
		p.msg.DedupID = hex.EncodeToString(h[:])
	}
	return nil
}

func systemAttributes(attrs map[string]MessageAttribute) (string, *Error) {
	trace := ""
	for name, a := range attrs {
		if name != "AWSTraceHeader" {
			return "", Errorf(CodeInvalidParameterValue, "Message system attribute name '%s' is invalid.", name)
		}
		if a.DataType != "String" || a.StringValue == nil {
			return "", Errorf(CodeInvalidParameterValue, "Message system attribute AWSTraceHeader must be of type String.")
		}
		trace = *a.StringValue
	}
	return trace, nil
}

// insertAll stores prepared messages of one queue: standard messages ten
// rows per statement, FIFO messages one by one with deduplication, in order.
func (s *Service) insertAll(tx Tx, todo []*pending, now time.Time) error {
	if todo[0].q.Fifo {
		for _, p := range todo {
			if err := s.insert(tx, p, now); err != nil {
				return err
			}
		}
		return nil
	}
	msgs := make([]NewMessage, len(todo))
	for i, p := range todo {
		p.msg.SentAt = now
		msgs[i] = NewMessage{Message: &p.msg, VisibleAt: now.Add(p.delay), ExpiresAt: now.Add(p.q.Retention)}
	}
	return tx.InsertMessages(todo[0].q.ID, msgs)
}

// insert stores one prepared message, deduplicating on FIFO queues.
func (s *Service) insert(tx Tx, p *pending, now time.Time) error {
	q := p.q
	key := p.msg.DedupID
	if q.Fifo {
		if q.DedupPerGroup {
			key = p.msg.GroupID + "\x00" + key
		}
		id, seq, found, err := tx.Dedup(q.ID, key, now)
		if err != nil {
			return err
		}
		if found {
			p.res.MessageID, p.res.SequenceNumber = id, formatSeq(seq)
			return nil
		}
	}
	// A transaction may run again (a store retries a conflict, or commits
	// it apart from a failed neighbour): assign the result, whatever an
	// earlier run found.
	p.res.MessageID, p.res.SequenceNumber = p.msg.ID, ""
	p.msg.SentAt = now
	row, err := tx.InsertMessage(q.ID, &p.msg, now.Add(p.delay), now.Add(q.Retention))
	if err != nil {
		return err
	}
	if q.Fifo {
		p.res.SequenceNumber = formatSeq(row)
		return tx.PutDedup(q.ID, key, p.msg.ID, row, now.Add(dedupWindow))
	}
	return nil
}

func formatSeq(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 20 {
		s = "0" + s
	}
	return s
}

// CheckBatch validates the shape of a batch request: 1 to 10 entries with
// distinct, well-formed ids. entry names the request's entry shape (e.g.
// DeleteMessageBatchRequestEntry) for the error message.
func CheckBatch(entry string, ids []string) error {
	if len(ids) == 0 {
		return Errorf(CodeEmptyBatchRequest, "There should be at least one %s in the request.", entry)
	}
	if len(ids) > maxBatchEntries {
		return Errorf(CodeTooManyEntriesInBatch, "Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids))
	}
	for i, id := range ids {
		if !validBatchID(id) {
			return Errorf(CodeInvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		// At most ten ids: comparing with the earlier ones beats a map.
		if slices.Contains(ids[:i], id) {
			return Errorf(CodeBatchEntryIdsNotDistinct, "Id %s repeated.", id)
		}
	}
	return nil
}

// validBatchID reports whether id is a batch entry id: 1 to 80 characters,
// each alphanumeric, a hyphen or an underscore.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// MaySend reports whether the policy of the queue named by queueARN allows
// principal (e.g. ServiceAppConfig) to call sqs:SendMessage on it. A queue
// without a policy allows no other principal.
func (s *Service) MaySend(ctx context.Context, queueARN, principal string, context map[string]string) (bool, error) {
	return s.MayCall(ctx, queueARN, principal, "sqs:SendMessage", context)
}

// MayCall reports whether the policy of the queue named by queueARN allows
// principal ("Service:…" or "AWS:<account id or ARN>") the action (e.g.
// "sqs:ReceiveMessage"), with condition keys context.
func (s *Service) MayCall(ctx context.Context, queueARN, principal, action string, context map[string]string) (bool, error) {
	q, err := s.QueueByARN(ctx, queueARN)
	if err != nil {
		return false, err
	}
	return s.allowsAction(q, principal, action, context), nil
}

func (s *Service) allows(q *Queue, principal string, conditions map[string]string) bool {
	return s.allowsAction(q, principal, "sqs:SendMessage", conditions)
}

func (s *Service) allowsAction(q *Queue, principal, action string, conditions map[string]string) bool {
	doc := q.Policy()
	if doc == "" {
		return false
	}
	p, err := ParsePolicy(doc)
	if err != nil {
		return false
	}
	return p.Allows(Request{Principal: principal, Action: action, Resource: s.ARN(q), Context: conditions})
}
