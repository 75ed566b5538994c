package sqs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"
	"time"

	"github.com/batonhq/baton/clock"
)

// DefaultAccount and DefaultRegion name queues when nothing is configured.
const (
	DefaultAccount = "000000000000"
	DefaultRegion  = "us-east-1"
	// DefaultMaxMessageSize is the default message size limit: 1 MiB, as
	// Amazon SQS has allowed since August 2025.
	DefaultMaxMessageSize = 1 << 20
)

// Config configures the service. Zero values take the defaults above.
type Config struct {
	Account        string
	Region         string
	MaxMessageSize int
}

// Service is the queue service: every SQS operation's semantics.
type Service struct {
	store Store
	clock clock.Clock
	cfg   Config
	wake  *notifier
	sends *combiner

	mu        sync.RWMutex
	cache     map[string]*Queue // by name, for the configured account
	nextSweep map[int64]time.Time

	closeOnce sync.Once
	closed    chan struct{}
}

// Close ends every long poll in progress (they return no messages), so a
// server can shut down without waiting for them. It is safe to call twice.
func (s *Service) Close() { s.closeOnce.Do(func() { close(s.closed) }) }

// NewService returns a service over store.
func NewService(store Store, clk clock.Clock, cfg Config) *Service {
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	return &Service{store: store, clock: clk, cfg: cfg, wake: newNotifier(), sends: newCombiner(),
		cache: map[string]*Queue{}, nextSweep: map[int64]time.Time{}, closed: make(chan struct{})}
}

// Polling reports whether a receive on q is in progress and has found the
// queue empty at least once (for tests and diagnostics).
func (s *Service) Polling(q *Queue) bool { return s.wake.waiting(q.ID) }

// Account returns the account queues belong to.
func (s *Service) Account() string { return s.cfg.Account }

// Region returns the region queue ARNs name.
func (s *Service) Region() string { return s.cfg.Region }

// ARN returns the queue's ARN.
func (s *Service) ARN(q *Queue) string {
	return "arn:aws:sqs:" + s.cfg.Region + ":" + q.Account + ":" + q.Name
}

// ParseARN splits a queue ARN into account and name.
func ParseARN(arn string) (account, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return "", "", false
	}
	return parts[4], parts[5], true
}

// Queue returns the queue named name in account.
func (s *Service) Queue(ctx context.Context, account, name string) (*Queue, error) {
	if account != s.cfg.Account {
		return nil, errNoQueue()
	}
	s.mu.RLock()
	q := s.cache[name]
	s.mu.RUnlock()
	if q != nil {
		return q, nil
	}
	q, err := s.store.QueueByName(ctx, account, name)
	if err != nil {
		return nil, err
	}
	q.parse(s.cfg.MaxMessageSize)
	s.remember(q)
	return q, nil
}

// QueueByARN returns the queue an ARN names.
func (s *Service) QueueByARN(ctx context.Context, arn string) (*Queue, error) {
	account, name, ok := ParseARN(arn)
	if !ok {
		return nil, errNoQueue()
	}
	return s.Queue(ctx, account, name)
}

func (s *Service) remember(q *Queue) {
	s.mu.Lock()
	s.cache[q.Name] = q
	s.mu.Unlock()
}

func (s *Service) forget(name string) {
	s.mu.Lock()
	delete(s.cache, name)
	s.mu.Unlock()
}

// Receipt handles carry the queue, the message row and the receipt nonce of
// one receive, so a handle from an earlier receive no longer matches.
func receiptHandle(queueID, row, receipt int64) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], uint64(queueID))
	binary.BigEndian.PutUint64(b[8:], uint64(row))
	binary.BigEndian.PutUint64(b[16:], uint64(receipt))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseReceiptHandle(queueID int64, h string) (row, receipt int64, err *Error) {
	b, derr := base64.RawURLEncoding.DecodeString(h)
	if derr != nil || len(b) != 24 || int64(binary.BigEndian.Uint64(b[0:])) != queueID {
		return 0, 0, Errorf(CodeReceiptHandleIsInvalid, "The input receipt handle \"%s\" is not a valid receipt handle.", h)
	}
	return int64(binary.BigEndian.Uint64(b[8:])), int64(binary.BigEndian.Uint64(b[16:])), nil
}

// notifier wakes long polls waiting on a queue.
type notifier struct {
	mu sync.Mutex
	ch map[int64]chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: map[int64]chan struct{}{}} }

// wait returns a channel closed at the next notify of the queue.
func (n *notifier) wait(queueID int64) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.ch[queueID]
	if !ok {
		c = make(chan struct{})
		n.ch[queueID] = c
	}
	return c
}

// waiting reports whether anyone waits on the queue.
func (n *notifier) waiting(queueID int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.ch[queueID]
	return ok
}

// notify wakes every waiter of the queue.
func (n *notifier) notify(queueID int64) {
	n.mu.Lock()
	c, ok := n.ch[queueID]
	if ok {
		delete(n.ch, queueID)
	}
	n.mu.Unlock()
	if ok {
		close(c)
	}
}
