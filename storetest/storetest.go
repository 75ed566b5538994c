// Package storetest is the conformance suite of baton's storage engines:
// every store behaviour the domains rely on, written once against the seams
// (keptn.Store, outbox.Store, sqs.Store, appconfig.Store, awsauth.Store and
// the settings) and run by each engine's tests on a real database — SQLite in
// a temporary directory, PostgreSQL at BATON_TEST_DATABASE_URL.
//
// An engine passes the suite when it behaves as the domains expect; the
// suite never looks at tables or SQL.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/awsauth"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqs"
)

// Stores is one engine's set of stores over one open database.
type Stores struct {
	Keptn     keptn.Store
	Outbox    outbox.Store
	SQS       sqs.Store
	AppConfig appconfig.Store
	AWSKeys   awsauth.Store
	// SQSTx adapts an AppConfig write transaction to the queue store, so a
	// queue send joins the deployment's transaction.
	SQSTx func(tx appconfig.Tx) sqs.Tx
	// KeptnOfOutbox sees the transaction that records outbox outcomes as a
	// Keptn one, so an outcome's effect can append events.
	KeptnOfOutbox func(tx outbox.Tx) keptn.Tx
	// Setting reads a setting; SetSetting writes one in its own transaction.
	Setting    func(ctx context.Context, key string) (string, bool, error)
	SetSetting func(ctx context.Context, key, value string) error
	// RevokeSession and SessionRevoked keep the Bridge's signed-out
	// sessions.
	RevokeSession  func(ctx context.Context, id string, expires time.Time) error
	SessionRevoked func(ctx context.Context, id string) (bool, error)
	// Close closes the database after the writes already submitted finished.
	Close func() error
	// ErrClosed is what a write returns once Close has begun.
	ErrClosed error
	// Handle is the engine's own (what its Reopen needs to find the
	// database again).
	Handle any
}

// Engine opens an engine's stores for the suite.
type Engine struct {
	// Open returns stores over a new, empty database; the database is
	// removed when the test ends.
	Open func(t testing.TB) *Stores
	// Reopen closes s and opens the same database again, as a restarted
	// process would.
	Reopen func(t testing.TB, s *Stores) *Stores
}

// Run runs the whole suite against e, the cases in parallel.
func Run(t *testing.T, e Engine) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, Engine)
	}{
		{"Settings", testSettings},
		{"WriteRacingClose", testWriteRacingClose},
		{"RevokedSessions", testRevokedSessions},
		{"AWSKeys", testAWSKeys},
		{"Events", testEvents},
		{"EventsByType", testEventsByType},
		{"Projects", testProjects},
		{"LastEventTypes", testLastEventTypes},
		{"Resources", testResources},
		{"Secrets", testSecrets},
		{"Uniform", testUniform},
		{"Monitoring", testMonitoring},
		{"ClientEvents", testClientEvents},
		{"Logs", testLogs},
		{"OutboxByKeyPrefix", testOutboxByKeyPrefix},
		{"SQSBrowse", testSQSBrowse},
		{"Overview", testOverview},
		{"Sequences", testSequences},
		{"SequenceReads", testSequenceReads},
		{"SequenceRollback", testSequenceRollback},
		{"SequenceColumns", testSequenceColumns},
		{"Deletion", testDeletion},
		{"Outbox", testOutbox},
		{"OutboxRecover", testOutboxRecover},
		{"OutboxComplete", testOutboxComplete},
		{"OutboxCompleteEffects", testOutboxCompleteEffects},
		{"SQSSendInTx", testSQSSendInTx},
		{"SQSMaySend", testSQSMaySend},
		{"SQSVisibilitySurvivesRestart", testSQSVisibilitySurvivesRestart},
		{"SQSSendInTxAs", testSQSSendInTxAs},
		{"SQSConcurrentReceivers", testSQSConcurrentReceivers},
		{"SQSFIFO", testSQSFIFO},
		{"SQSFIFOExpiredReceipt", testSQSFIFOExpiredReceipt},
		{"SQSQueues", testSQSQueues},
		{"SQSInsertMessages", testSQSInsertMessages},
		{"SQSUpdateAfterCommit", testSQSUpdateAfterCommit},
		{"AppConfigDocs", testAppConfigDocs},
		{"AppConfigDeployments", testAppConfigDeployments},
		{"AppConfigVersions", testAppConfigVersions},
		{"AppConfigTagsAlarms", testAppConfigTagsAlarms},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has a database of its own
			c.run(t, e)
		})
	}
}

// RevokedSessions: a signed-out session stays refused, survives a restart,
// and is forgotten once expired (when a later sign-out tidies up).
func testRevokedSessions(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	revoked := func(s *Stores, id string) bool {
		t.Helper()
		gone, err := s.SessionRevoked(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return gone
	}
	if revoked(s, "a") {
		t.Fatal("a session is revoked before any sign-out")
	}
	now := time.Now()
	for _, r := range []struct {
		id      string
		expires time.Time
	}{{"a", now.Add(time.Hour)}, {"a", now.Add(time.Hour)}, {"old", now.Add(-time.Second)}} {
		if err := s.RevokeSession(ctx, r.id, r.expires); err != nil {
			t.Fatal(err)
		}
	}
	if !revoked(s, "a") || revoked(s, "b") {
		t.Fatal("revoked sessions: want a, not b")
	}
	s = e.Reopen(t, s)
	if !revoked(s, "a") {
		t.Fatal("a sign-out did not survive a restart")
	}
	if err := s.RevokeSession(ctx, "c", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if revoked(s, "old") || !revoked(s, "a") || !revoked(s, "c") {
		t.Fatal("a sign-out should forget expired sessions only")
	}
}

// update runs fn in a Keptn write transaction and fails the test on error.
func update(t testing.TB, s *Stores, fn func(keptn.Tx) error) {
	t.Helper()
	if err := s.Keptn.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func testSettings(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	if _, ok, err := s.Setting(ctx, "k"); ok || err != nil {
		t.Fatalf("missing setting: ok=%v err=%v", ok, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := s.SetSetting(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Setting(ctx, "k"); got != v || !ok || err != nil {
			t.Fatalf("Setting = %q, %v, %v; want %q", got, ok, err, v)
		}
	}
}
