package sqs

import (
	"context"
	"time"
)

// ReceiveInput is a ReceiveMessage request. Nil fields take the queue's
// attributes.
type ReceiveInput struct {
	MaxMessages       int
	VisibilityTimeout *int
	WaitTimeSeconds   *int
}

// maxRedriveRounds bounds how often one receive refills after moving
// messages to a dead-letter queue.
const maxRedriveRounds = 10

// Receive returns up to MaxMessages messages, each with a new receipt handle.
// With a wait time it long-polls: it returns as soon as a message is
// available, woken by the commit of a send or by the moment the next delayed
// or in-flight message becomes visible, and empty at the deadline.
func (s *Service) Receive(ctx context.Context, q *Queue, in ReceiveInput) ([]*Message, error) {
	max, vt, wait, err := s.receiveParams(q, in)
	if err != nil {
		return nil, err
	}
	deadline := s.clock.Now().Add(wait)
	for {
		woken := s.wake.wait(q.ID)
		msgs, err := s.receiveOnce(ctx, q, max, vt)
		if err != nil || len(msgs) > 0 {
			return msgs, err
		}
		now := s.clock.Now()
		if !now.Before(deadline) {
			return nil, nil
		}
		d := deadline.Sub(now)
		if next, ok, err := s.store.NextVisible(ctx, q.ID, now); err != nil {
			return nil, err
		} else if ok && next.Sub(now) < d {
			d = max1ms(next.Sub(now))
		}
		select {
		case <-woken:
		case <-s.clock.After(d):
		case <-ctx.Done():
			return nil, nil
		case <-s.closed:
			return nil, nil
		}
	}
}

func max1ms(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return time.Millisecond
	}
	return d
}

func (s *Service) receiveParams(q *Queue, in ReceiveInput) (max int, vt, wait time.Duration, err error) {
	max = in.MaxMessages
	if max == 0 {
		max = 1
	}
	if max < 1 || max > 10 {
		return 0, 0, 0, invalidParam(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
	}
	vt = q.VisibilityTimeout
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
			return 0, 0, 0, invalidParam(*in.VisibilityTimeout, "VisibilityTimeout", "Must be between 0 and 43200, if provided.")
		}
		vt = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	wait = q.WaitTime
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20 {
			return 0, 0, 0, invalidParam(*in.WaitTimeSeconds, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
		}
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	return max, vt, wait, nil
}

// receiveOnce receives in one transaction, moving messages that exceeded the
// redrive policy's maxReceiveCount to the dead-letter queue instead.
func (s *Service) receiveOnce(ctx context.Context, q *Queue, max int, vt time.Duration) ([]*Message, error) {
	var dlq *Queue
	if q.Redrive != nil {
		var err error
		if dlq, err = s.QueueByARN(ctx, q.Redrive.DeadLetterTargetArn); err != nil && ErrorCode(err) != CodeQueueDoesNotExist {
			return nil, err
		}
	}
	// An expired FIFO message at the head of its group would block the group
	// until swept, so FIFO queues sweep on every receive (a cheap index probe
	// when nothing expired); standard queues only reclaim space, once a minute.
	sweep := s.sweepDue(q.ID) || q.Fifo
	var out []*Message
	err := s.store.Update(ctx, func(tx Tx) error {
		out = out[:0]
		now := s.clock.Now()
		if sweep {
			if err := tx.Sweep(q.ID, now); err != nil {
				return err
			}
		}
		for round := 0; round < maxRedriveRounds && len(out) < max; round++ {
			msgs, err := tx.Receive(q, now, now.Add(vt), max-len(out))
			if err != nil {
				return err
			}
			kept, moved := s.redrive(q, dlq, msgs)
			out = append(out, kept...)
			if len(moved) == 0 {
				break
			}
			if err := tx.MoveMessages(moved, dlq.ID, s.ARN(q), now, dlq.Retention); err != nil {
				return err
			}
			tx.AfterCommit(func() { s.wake.notify(dlq.ID) })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range out {
		m.ReceiptHandle = receiptHandle(q.ID, m.Row, m.Receipt)
	}
	return out, nil
}

// redrive splits received messages into those to return and the rows to move
// to the dead-letter queue.
func (s *Service) redrive(q, dlq *Queue, msgs []*Message) (kept []*Message, moved []int64) {
	if q.Redrive == nil || dlq == nil {
		return msgs, nil
	}
	for _, m := range msgs {
		if m.ReceiveCount > q.Redrive.MaxReceiveCount {
			moved = append(moved, m.Row)
		} else {
			kept = append(kept, m)
		}
	}
	return kept, moved
}

// sweepDue reports whether the queue's expired messages should be swept now:
// at most once a minute per queue. Expired messages are never returned in
// between; the sweep only reclaims their space.
func (s *Service) sweepDue(queueID int64) bool {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.nextSweep[queueID]) {
		return false
	}
	s.nextSweep[queueID] = now.Add(time.Minute)
	return true
}

// Delete deletes messages by receipt handle (DeleteMessage and
// DeleteMessageBatch); it returns one error slot per handle. On a standard
// queue a handle from an earlier receive, or of a message already deleted,
// succeeds and deletes nothing. On a FIFO queue a handle holds its message
// only until its visibility timeout ends: after that, while the message is
// still in the queue, the delete fails with AWS's "The receipt handle has
// expired." and deletes nothing; a message already deleted succeeds.
func (s *Service) Delete(ctx context.Context, q *Queue, handles []string) ([]error, error) {
	errs := make([]error, len(handles))
	type target struct {
		i            int
		row, receipt int64
	}
	var todo []target
	for i, h := range handles {
		row, receipt, err := parseReceiptHandle(q.ID, h)
		if err != nil {
			errs[i] = err
			continue
		}
		todo = append(todo, target{i, row, receipt})
	}
	if len(todo) == 0 {
		return errs, nil
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		var heldAt time.Time
		if q.Fifo {
			heldAt = s.clock.Now()
		}
		for _, t := range todo {
			_, held, err := tx.DeleteMessage(q.ID, t.row, t.receipt, heldAt)
			if err != nil {
				return err
			}
			errs[t.i] = nil // Update may run this function again
			if held {
				errs[t.i] = invalidParam(handles[t.i], "ReceiptHandle", "The receipt handle has expired.")
			}
		}
		if q.Fifo {
			tx.AfterCommit(func() { s.wake.notify(q.ID) })
		}
		return nil
	})
	return errs, err
}

// VisibilityChange is one ChangeMessageVisibility request.
type VisibilityChange struct {
	ReceiptHandle     string
	VisibilityTimeout int
}

// ChangeVisibility changes the visibility timeout of in-flight messages,
// counted from now; it returns one error slot per change.
func (s *Service) ChangeVisibility(ctx context.Context, q *Queue, changes []VisibilityChange) ([]error, error) {
	errs := make([]error, len(changes))
	ok := make([]bool, len(changes))
	rows := make([][2]int64, len(changes))
	for i, c := range changes {
		row, receipt, err := parseReceiptHandle(q.ID, c.ReceiptHandle)
		switch {
		case err != nil:
			errs[i] = err
		case c.VisibilityTimeout < 0 || c.VisibilityTimeout > 43200:
			errs[i] = invalidParam(c.VisibilityTimeout, "VisibilityTimeout", "Must be between 0 and 43200.")
		default:
			ok[i], rows[i] = true, [2]int64{row, receipt}
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock.Now()
		for i, c := range changes {
			if !ok[i] {
				continue
			}
			changed, err := tx.ChangeVisibility(q.ID, rows[i][0], rows[i][1], now, now.Add(time.Duration(c.VisibilityTimeout)*time.Second))
			if err != nil {
				return err
			}
			if !changed {
				errs[i] = invalidParam(c.ReceiptHandle, "ReceiptHandle", "Message does not exist or is not available for visibility timeout change.")
			}
		}
		tx.AfterCommit(func() { s.wake.notify(q.ID) })
		return nil
	})
	return errs, err
}
