package sqs

import "strconv"

// Several baton processes may share one store. Their commits reach this
// service as notifications, which these methods turn into the in-process
// wake-ups and cache drops that a commit of this process causes itself.

// Wake wakes the receives long-polling the queue whose id is queueID, or
// every queue for 0: another process may have made a message available.
func (s *Service) Wake(queueID int64) {
	if queueID != 0 {
		s.wake.notify(queueID)
		return
	}
	s.wake.mu.Lock()
	ids := make([]int64, 0, len(s.wake.ch))
	for id := range s.wake.ch {
		ids = append(ids, id)
	}
	s.wake.mu.Unlock()
	for _, id := range ids {
		s.wake.notify(id)
	}
}

// WakeNotified handles a notification payload: a queue id, or anything else
// for every queue.
func (s *Service) WakeNotified(payload string) {
	id, _ := strconv.ParseInt(payload, 10, 64)
	s.Wake(id)
}

// ForgetQueues drops the cached queues, so their attributes are read again:
// another process may have changed or deleted them.
func (s *Service) ForgetQueues() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}
