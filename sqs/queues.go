package sqs

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

// CreateQueue creates a queue, or returns the existing one when a queue of
// that name exists with the same values for every attribute given.
func (s *Service) CreateQueue(ctx context.Context, name string, attrs, tags map[string]string) (*Queue, error) {
	if name == "" {
		return nil, Errorf(CodeMissingParameter, "The request must contain the parameter QueueName.")
	}
	ok, fifoName := validQueueName(name)
	if !ok {
		return nil, invalidParam(name, "QueueName", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	norm, err := s.normalizeAttrs(attrs, fifoName || attrs[AttrFifoQueue] == "true")
	if err != nil {
		return nil, err
	}
	if fifo := norm[AttrFifoQueue] == "true"; fifo != fifoName {
		if fifo {
			return nil, Errorf(CodeInvalidParameterValue, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, Errorf(CodeInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if fifoName {
		norm[AttrFifoQueue] = "true"
	}
	for k, v := range norm {
		if v == "" || (k == AttrFifoQueue && v == "false") {
			delete(norm, k)
		}
	}
	if len(tags) > maxTags {
		return nil, Errorf(CodeInvalidParameterValue, "Too many tags: a queue has at most %d.", maxTags)
	}
	if err := s.checkRedriveTarget(ctx, norm, s.ARN(&Queue{Account: s.cfg.Account, Name: name}), fifoName); err != nil {
		return nil, err
	}
	var q *Queue
	err = s.store.Update(ctx, func(tx Tx) error {
		existing, err := tx.QueueByName(s.cfg.Account, name)
		if err == nil {
			for k, v := range norm {
				if existing.Attributes[k] != v {
					return Errorf(CodeQueueNameExists, "A queue already exists with the same name and a different value for attribute %s", k)
				}
			}
			q = existing
			return nil
		}
		if ErrorCode(err) != CodeQueueDoesNotExist {
			return err
		}
		now := s.clock.Now()
		q = &Queue{Account: s.cfg.Account, Name: name, Attributes: norm, Tags: tags, Created: now, Modified: now}
		if q.Tags == nil {
			q.Tags = map[string]string{}
		}
		return tx.InsertQueue(q)
	})
	if err != nil {
		return nil, err
	}
	q.parse(s.cfg.MaxMessageSize)
	s.remember(q)
	return q, nil
}

// normalizeAttrs validates settable attributes and returns them normalized.
func (s *Service) normalizeAttrs(attrs map[string]string, fifo bool) (map[string]string, error) {
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		spec, ok := settable[k]
		if !ok {
			return nil, Errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
		}
		if spec.fifoOnly && !fifo {
			if k == AttrContentBasedDedup {
				return nil, Errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
			}
			return nil, Errorf(CodeInvalidAttributeName, "You can specify the %s only when FifoQueue is set to true.", k)
		}
		n, reason := spec.check(v)
		if reason != "" {
			return nil, invalidAttr(k, v, reason)
		}
		if k == AttrMaximumMessageSize && n != "" {
			if size, _ := strconv.Atoi(n); size > s.cfg.MaxMessageSize {
				return nil, invalidAttr(k, v, "must be at most "+strconv.Itoa(s.cfg.MaxMessageSize)+" (this server's limit)")
			}
		}
		out[k] = n
	}
	return out, nil
}

// checkRedriveTarget checks that a RedrivePolicy names an existing queue of
// the same type other than the queue itself (named by arn).
func (s *Service) checkRedriveTarget(ctx context.Context, attrs map[string]string, arn string, fifo bool) error {
	v := attrs[AttrRedrivePolicy]
	if v == "" {
		return nil
	}
	rp, _ := parseRedrive(v)
	if rp.DeadLetterTargetArn == arn {
		return invalidParam(v, AttrRedrivePolicy, "Dead-letter target can't be the source queue itself.")
	}
	dlq, err := s.QueueByARN(ctx, rp.DeadLetterTargetArn)
	if ErrorCode(err) == CodeQueueDoesNotExist {
		return invalidParam(v, AttrRedrivePolicy, "Dead letter target does not exist.")
	}
	if err != nil {
		return err
	}
	if dlq.Fifo != fifo {
		return invalidParam(v, AttrRedrivePolicy, "Dead-letter target owner queue must be of the same type as the source queue.")
	}
	return nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, q *Queue) error {
	err := s.store.Update(ctx, func(tx Tx) error { return tx.DeleteQueue(q.ID) })
	s.forget(q.Name)
	s.wake.notify(q.ID)
	return err
}

// ListQueues returns the queues whose names start with prefix, by name. With
// max > 0 it returns at most max and a token for the next page.
func (s *Service) ListQueues(ctx context.Context, prefix string, max int, token string) ([]*Queue, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	limit := 1000
	if max != 0 {
		if max < 1 || max > 1000 {
			return nil, "", invalidParam(max, "MaxResults", "must be between 1 and 1000")
		}
		limit = max
	}
	qs, err := s.store.Queues(ctx, s.cfg.Account, prefix, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	return page(qs, limit, max > 0)
}

// DeadLetterSources returns the queues whose RedrivePolicy targets q.
func (s *Service) DeadLetterSources(ctx context.Context, q *Queue, max int, token string) ([]*Queue, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	limit := maxDeadLetterSourcesPageSize
	if max != 0 {
		if max < 1 || max > 1000 {
			return nil, "", invalidParam(max, "MaxResults", "must be between 1 and 1000")
		}
		limit = max
	}
	qs, err := s.store.DeadLetterSources(ctx, s.ARN(q), after, limit+1)
	if err != nil {
		return nil, "", err
	}
	return page(qs, limit, max > 0)
}

func page(qs []*Queue, limit int, paged bool) ([]*Queue, string, error) {
	if len(qs) <= limit {
		return qs, "", nil
	}
	qs = qs[:limit]
	if !paged {
		return qs, "", nil
	}
	return qs, base64.RawURLEncoding.EncodeToString([]byte(qs[limit-1].Name)), nil
}

func decodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", invalidParam(token, "NextToken", "Invalid NextToken value.")
	}
	return string(b), nil
}

// Purge deletes every message of q. A second purge within 60 seconds fails
// with PurgeQueueInProgress, as in Amazon SQS.
func (s *Service) Purge(ctx context.Context, q *Queue) error {
	var updated *Queue
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.QueueByName(q.Account, q.Name)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !cur.PurgedAt.IsZero() && now.Sub(cur.PurgedAt) < purgeWindow {
			return Errorf(CodePurgeQueueInProgress, "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
		}
		cur.PurgedAt = now
		updated = cur
		if err := tx.UpdateQueue(cur); err != nil {
			return err
		}
		return tx.Purge(q.ID)
	})
	if err != nil {
		return err
	}
	updated.parse(s.cfg.MaxMessageSize)
	s.remember(updated)
	return nil
}

// Tag adds or replaces tags of q.
func (s *Service) Tag(ctx context.Context, q *Queue, tags map[string]string) error {
	if len(tags) == 0 {
		return Errorf(CodeMissingParameter, "The request must contain the parameter Tags.")
	}
	return s.modify(ctx, q, func(cur *Queue) error {
		for k, v := range tags {
			cur.Tags[k] = v
		}
		if len(cur.Tags) > maxTags {
			return Errorf(CodeInvalidParameterValue, "Too many tags: a queue has at most %d.", maxTags)
		}
		return nil
	})
}

// Untag removes tags of q.
func (s *Service) Untag(ctx context.Context, q *Queue, keys []string) error {
	if len(keys) == 0 {
		return Errorf(CodeMissingParameter, "The request must contain the parameter TagKeys.")
	}
	return s.modify(ctx, q, func(cur *Queue) error {
		for _, k := range keys {
			delete(cur.Tags, k)
		}
		return nil
	})
}

// modify runs change on a fresh copy of q inside a transaction and stores it.
func (s *Service) modify(ctx context.Context, q *Queue, change func(cur *Queue) error) error {
	var updated *Queue
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.QueueByName(q.Account, q.Name)
		if err != nil {
			return err
		}
		if err := change(cur); err != nil {
			return err
		}
		cur.Modified = s.clock.Now()
		updated = cur
		return tx.UpdateQueue(cur)
	})
	if err != nil {
		return err
	}
	updated.parse(s.cfg.MaxMessageSize)
	s.remember(updated)
	return nil
}

// SetAttributes sets attributes of q; an empty Policy or RedrivePolicy
// removes it.
func (s *Service) SetAttributes(ctx context.Context, q *Queue, attrs map[string]string) error {
	if len(attrs) == 0 {
		return Errorf(CodeMissingParameter, "The request must contain the parameter Attributes.")
	}
	if err := checkQueueType(q, attrs); err != nil {
		return err
	}
	norm, err := s.normalizeAttrs(attrs, q.Fifo)
	if err != nil {
		return err
	}
	if err := s.checkRedriveTarget(ctx, norm, s.ARN(q), q.Fifo); err != nil {
		return err
	}
	return s.modify(ctx, q, func(cur *Queue) error {
		for k, v := range norm {
			if v == "" {
				delete(cur.Attributes, k)
			} else {
				cur.Attributes[k] = v
			}
		}
		return nil
	})
}

// checkQueueType refuses a FifoQueue attribute that would change q's type,
// as SQS does: unknown on a standard queue, "true" accepted on a FIFO queue.
func checkQueueType(q *Queue, attrs map[string]string) error {
	v, ok := attrs[AttrFifoQueue]
	switch {
	case !ok:
		return nil
	case !q.Fifo:
		return Errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", AttrFifoQueue)
	case strings.ToLower(v) != "true":
		return Errorf(CodeInvalidAttributeValue, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
	}
	return nil
}

// Attributes returns the named attributes of q ("All" for every one).
func (s *Service) Attributes(ctx context.Context, q *Queue, names []string) (map[string]string, error) {
	all := s.allAttributes(q)
	want := map[string]bool{}
	for _, n := range names {
		if n == AttrAll {
			want = nil
			break
		}
		if _, ok := all[n]; !ok && settable[n].check == nil && !readOnly[n] {
			return nil, Errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", n)
		}
		want[n] = true
	}
	if want != nil && (want[AttrApproxMessages] || want[AttrApproxNotVisible] || want[AttrApproxDelayed]) || want == nil {
		c, err := s.store.Counts(ctx, q.ID, s.clock.Now())
		if err != nil {
			return nil, err
		}
		all[AttrApproxMessages] = strconv.Itoa(c.Visible)
		all[AttrApproxNotVisible] = strconv.Itoa(c.NotVisible)
		all[AttrApproxDelayed] = strconv.Itoa(c.Delayed)
	}
	out := map[string]string{}
	for k, v := range all {
		if want == nil || want[k] {
			out[k] = v
		}
	}
	return out, nil
}

// allAttributes returns every attribute of q but the message counts.
func (s *Service) allAttributes(q *Queue) map[string]string {
	all := map[string]string{
		AttrQueueArn:               s.ARN(q),
		AttrCreatedTimestamp:       strconv.FormatInt(q.Created.Unix(), 10),
		AttrLastModifiedTimestamp:  strconv.FormatInt(q.Modified.Unix(), 10),
		AttrVisibilityTimeout:      strconv.Itoa(int(q.VisibilityTimeout.Seconds())),
		AttrMaximumMessageSize:     strconv.Itoa(q.MaxMessageSize),
		AttrMessageRetentionPeriod: strconv.Itoa(int(q.Retention.Seconds())),
		AttrDelaySeconds:           strconv.Itoa(int(q.Delay.Seconds())),
		AttrReceiveWaitTimeSeconds: strconv.Itoa(int(q.WaitTime.Seconds())),
		AttrSqsManagedSseEnabled:   "true",
	}
	if q.Fifo {
		all[AttrFifoQueue] = "true"
		all[AttrContentBasedDedup] = "false"
		all[AttrDeduplicationScope] = "queue"
		all[AttrFifoThroughputLimit] = "perQueue"
	}
	for k, v := range q.Attributes {
		all[k] = v
	}
	return all
}

// SortedNames returns the keys of m in order (for stable wire output).
func SortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
