package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/awsauth"
	"github.com/batonhq/baton/bridge"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/postgres"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
)

// storage is one engine's stores as the server wires them: SQLite in the
// data directory (one process), or PostgreSQL shared by several replicas.
// The domains see only their store interfaces; the two functions that join
// domains in one transaction (an AppConfig step that sends to a queue or
// enqueues outbox work) are the engine's too.
type storage struct {
	engine    string // "sqlite" or "postgres"
	keptn     keptn.Store
	outbox    outbox.Store
	awsKeys   awsauth.Store
	sqs       sqs.Store
	appConfig appconfig.Store
	// sqsTx adapts an AppConfig write transaction to the queue store.
	sqsTx func(appconfig.Tx) (sqs.Tx, bool)
	// keptnOf and appConfigOf see one write transaction as the other
	// domain's; sqsOfKeptn adapts a Keptn write transaction to the queue store.
	keptnOf     func(appconfig.Tx) (keptn.Tx, bool)
	appConfigOf func(keptn.Tx) (appconfig.Tx, bool)
	sqsOfKeptn  func(keptn.Tx) (sqs.Tx, bool)
	// keptnOfOutbox sees the transaction that records outbox outcomes as a
	// Keptn one, so an outcome's effects (a task's .finished) commit with it.
	keptnOfOutbox func(outbox.Tx) (keptn.Tx, bool)
	// enqueue adds outbox work to an AppConfig write transaction.
	enqueue func(tx appconfig.Tx, kind, key string, payload []byte) error
	// setting reads a setting; setSetting writes one.
	setting    func(ctx context.Context, key string) (string, bool, error)
	setSetting func(ctx context.Context, key, value string) error
	// initSetting stores value unless the key is set and returns what is
	// stored, so replicas racing to initialise a setting agree.
	initSetting func(ctx context.Context, key, value string) (string, error)
	// revocations keeps the Bridge's signed-out sessions.
	revocations bridge.Revocations
	// problems names what keeps the store from taking writes (for
	// /readyz); checking reports a background integrity check; startChecks
	// starts the checks due at start and says what it did ("" for nothing).
	problems    func(ctx context.Context) []string
	checking    func() bool
	startChecks func() string
	// clock is the engine's shared clock (nil: the process's own).
	clock clock.Clock
	// subscribe calls f on every commit notification of channel from any
	// replica (nil on SQLite, where in-process wake-ups are all there is).
	subscribe func(channel string, f func(payload string))
	close     func() error
}

// isDatabaseURL reports whether s names a PostgreSQL database.
func isDatabaseURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// openStorage opens the configured engine.
func (s *Server) openStorage(ctx context.Context) (*storage, error) {
	if s.cfg.Database != "" {
		unlock, err := lockDataDir(s.cfg.DataDir)
		if err != nil {
			return nil, err
		}
		id, err := replicaID(s.cfg.DataDir)
		if err != nil {
			unlock()
			return nil, err
		}
		st, err := openPostgres(ctx, s.cfg.Database, id, s.onCommit)
		if err != nil {
			unlock()
			return nil, err
		}
		closeDB := st.close
		st.close = func() error { defer unlock(); return closeDB() }
		return st, nil
	}
	return openSQLite(ctx, s.cfg, s.onCommit, s.onCorrupt, s.onCheckpoint)
}

// storeSettings gives the secret-key check the store's settings. A canary
// is stored only if none exists: replicas starting at once on an empty
// database keep the first one (build checks again that it opens).
type storeSettings struct{ st *storage }

func (s storeSettings) Setting(ctx context.Context, key string) (string, bool, error) {
	return s.st.setting(ctx, key)
}

func (s storeSettings) PutSetting(ctx context.Context, key, value string) error {
	_, err := s.st.initSetting(ctx, key, value)
	return err
}

func openSQLite(ctx context.Context, cfg Config, onCommit func(int, time.Duration), onCorrupt func(string),
	onCheckpoint func(int, int, time.Duration, error)) (*storage, error) {
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "baton.db"), sqlite.Options{Synchronous: cfg.Sync, OnCommit: onCommit,
		FullCheckAbove: cfg.FullCheckAbove, OnCorrupt: onCorrupt, OnCheckpoint: onCheckpoint})
	if err != nil {
		return nil, err
	}
	sq, err := sqlite.NewSQSStore(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	set := func(ctx context.Context, key, value string) error {
		return db.Write(ctx, func(tx *sqlite.Tx) error { return tx.SetSetting(key, value) })
	}
	ks, ac := sqlite.NewKeptnStore(db), sqlite.NewAppConfigStore(db)
	ob := sqlite.NewOutboxStore(db)
	ob.EarlyClaim = true // only the worker claims: no fsync between an enqueue and its call
	return &storage{
		engine: "sqlite", keptn: ks, outbox: ob,
		awsKeys: sqlite.NewAWSKeyStore(db), sqs: sq, appConfig: ac,
		keptnOf: func(tx appconfig.Tx) (keptn.Tx, bool) {
			t, ok := sqlite.AppConfigSQLTx(tx)
			if !ok {
				return nil, false
			}
			return ks.KeptnTx(t), true
		},
		appConfigOf: func(tx keptn.Tx) (appconfig.Tx, bool) {
			t, ok := sqlite.KeptnSQLTx(tx)
			if !ok {
				return nil, false
			}
			return ac.AppConfigTx(t), true
		},
		keptnOfOutbox: sqliteOutboxView(ks),
		sqsOfKeptn: func(tx keptn.Tx) (sqs.Tx, bool) {
			t, ok := sqlite.KeptnSQLTx(tx)
			if !ok {
				return nil, false
			}
			return sq.SQSTx(t), true
		},
		sqsTx: func(tx appconfig.Tx) (sqs.Tx, bool) {
			t, ok := sqlite.AppConfigSQLTx(tx)
			if !ok {
				return nil, false
			}
			return sq.SQSTx(t), true
		},
		enqueue: func(tx appconfig.Tx, kind, key string, payload []byte) error {
			t, ok := sqlite.AppConfigSQLTx(tx)
			if !ok {
				return fmt.Errorf("enqueue: transaction is not SQLite's")
			}
			return t.Enqueue(sqlite.Job{Kind: kind, Key: key, Payload: payload})
		},
		setting: db.Setting, setSetting: set, revocations: db,
		initSetting: func(ctx context.Context, key, value string) (string, error) {
			// One process owns the file: nobody races us.
			if v, ok, err := db.Setting(ctx, key); err != nil || ok {
				return v, err
			}
			return value, set(ctx, key, value)
		},
		problems: func(context.Context) []string { return db.Problems() },
		checking: db.Checking,
		startChecks: func() string {
			switch {
			case db.StartFullCheck():
				return "database passed its quick check; the full integrity check runs in the background (see GET /readyz)"
			case db.StartCheck() != "":
				return "database passed its integrity check"
			}
			return ""
		},
		close: db.Close,
	}, nil
}

// sqliteOutboxView returns the Keptn view of the transactions that record
// outbox outcomes, the same view again for the transaction it saw last: the
// effects of one batch of outcomes (one SQLite write) then share what the
// view memoizes (level resources), as the hooks of one event do.
func sqliteOutboxView(ks *sqlite.KeptnStore) func(outbox.Tx) (keptn.Tx, bool) {
	var mu sync.Mutex
	var last *sqlite.Tx
	var view keptn.Tx
	return func(tx outbox.Tx) (keptn.Tx, bool) {
		t, ok := tx.(*sqlite.Tx)
		if !ok {
			return nil, false
		}
		mu.Lock()
		defer mu.Unlock()
		if t != last {
			last, view = t, ks.KeptnTx(t)
		}
		return view, true
	}
}

// lockDataDir takes an exclusive lock on the data directory for as long as
// this process runs (or until unlock): two processes sharing one would share
// a replica id and take each other's work back at start.
func lockDataDir(dataDir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dataDir, "replica.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s is in use by another baton: every replica needs a data directory of its own", dataDir)
	}
	return func() { f.Close() }, nil
}

// replicaID returns the name this replica claims outbox work under, kept in
// its data directory so that a restarted replica takes its interrupted
// items back at once. Every replica needs a data directory of its own.
func replicaID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "replica.id")
	b, err := os.ReadFile(path)
	if err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("replica id: %w", err)
	}
	r := make([]byte, 8)
	rand.Read(r)
	host, _ := os.Hostname()
	id := host + "-" + hex.EncodeToString(r)
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("replica id: %w", err)
	}
	return id, nil
}

func openPostgres(ctx context.Context, url, replica string, onCommit func(int, time.Duration)) (*storage, error) {
	db, err := postgres.Open(ctx, url, postgres.Options{Owner: replica, OnCommit: onCommit})
	if err != nil {
		return nil, err
	}
	sq := postgres.NewSQSStore(db)
	ks, ac := postgres.NewKeptnStore(db), postgres.NewAppConfigStore(db)
	return &storage{
		engine: "postgres", keptn: ks, outbox: postgres.NewOutboxStore(db),
		awsKeys: postgres.NewAWSKeyStore(db), sqs: sq, appConfig: ac,
		keptnOf: func(tx appconfig.Tx) (keptn.Tx, bool) {
			t, ok := postgres.AppConfigSQLTx(tx)
			if !ok {
				return nil, false
			}
			return ks.KeptnTx(t), true
		},
		appConfigOf: func(tx keptn.Tx) (appconfig.Tx, bool) {
			t, ok := postgres.KeptnSQLTx(tx)
			if !ok {
				return nil, false
			}
			return ac.AppConfigTx(t), true
		},
		keptnOfOutbox: func(tx outbox.Tx) (keptn.Tx, bool) {
			t, ok := tx.(*postgres.Tx)
			if !ok {
				return nil, false
			}
			return ks.KeptnTx(t), true
		},
		sqsOfKeptn: func(tx keptn.Tx) (sqs.Tx, bool) {
			t, ok := postgres.KeptnSQLTx(tx)
			if !ok {
				return nil, false
			}
			return sq.SQSTx(t), true
		},
		sqsTx: func(tx appconfig.Tx) (sqs.Tx, bool) {
			t, ok := postgres.AppConfigSQLTx(tx)
			if !ok {
				return nil, false
			}
			return sq.SQSTx(t), true
		},
		enqueue: func(tx appconfig.Tx, kind, key string, payload []byte) error {
			t, ok := postgres.AppConfigSQLTx(tx)
			if !ok {
				return fmt.Errorf("enqueue: transaction is not PostgreSQL's")
			}
			return t.Enqueue(postgres.Job{Kind: kind, Key: key, Payload: payload})
		},
		setting: db.Setting, revocations: db,
		setSetting: func(ctx context.Context, key, value string) error {
			return db.Write(ctx, func(tx *postgres.Tx) error { return tx.SetSetting(key, value) })
		},
		initSetting: func(ctx context.Context, key, value string) (stored string, err error) {
			err = db.Write(ctx, func(tx *postgres.Tx) error {
				stored, err = tx.SetSettingIfAbsent(key, value)
				return err
			})
			return stored, err
		},
		problems: func(ctx context.Context) []string {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			if err := db.Pool().Ping(ctx); err != nil {
				return []string{"database: unreachable"}
			}
			return nil
		},
		checking:    func() bool { return false },
		startChecks: func() string { return "" },
		subscribe:   db.Subscribe,
		clock:       db.Clock(),
		close:       db.Close,
	}, nil
}
