package appconfig

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/batonhq/baton/clock"
)

// Quotas, as AppConfig documents them.
const (
	MaxApplications = 100
	MaxEnvironments = 20  // per application
	MaxProfiles     = 100 // per application
	MaxStrategies   = 20
	MaxMonitors     = 5
	MaxValidators   = 2
	MaxTags         = 50
	// MaxContent is the largest hosted configuration (AppConfig allows 2 MB).
	MaxContent = 2 << 20
)

// Service is the AppConfig domain: resources, the deployment engine and the
// alarms. Its methods return *Error for anything the caller did wrong.
type Service struct {
	store Store
	arns  ARNs
	clock clock.Clock
	hooks Hooks
	log   *slog.Logger
	// gen counts committed changes that can alter what clients are served.
	gen atomic.Uint64
	// running counts immediate steps in flight (see apply).
	running sync.WaitGroup
}

// NewService returns the service over store, making ARNs of arns' region
// and account. hooks may be nil (no extensions).
func NewService(store Store, arns ARNs, clk clock.Clock, hooks Hooks, log *slog.Logger) *Service {
	if hooks == nil {
		hooks = NoHooks{}
	}
	return &Service{store: store, arns: arns, clock: clk, hooks: hooks, log: log}
}

// ARNs returns the maker of the service's ARNs.
func (s *Service) ARNs() ARNs { return s.arns }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// now returns the clock's time in UTC at millisecond precision, the
// precision timestamps have on the wire.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// changed marks served configuration stale once tx commits.
func (s *Service) changed(tx Tx) { tx.AfterCommit(func() { s.gen.Add(1) }) }

// DecodeAll decodes stored JSON documents into a slice of T (used by the
// extension module for its documents too).
func DecodeAll[T any](raw []json.RawMessage) ([]*T, error) {
	out := make([]*T, 0, len(raw))
	for _, r := range raw {
		v := new(T)
		if err := json.Unmarshal(r, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// list reads one page of documents of kind under parent.
func list[T any](ctx context.Context, r Reader, kind Kind, parent string, p Page) ([]*T, int64, error) {
	raw, next, err := r.List(ctx, kind, parent, p)
	if err != nil {
		return nil, 0, err
	}
	out, err := DecodeAll[T](raw)
	return out, next, err
}

func checkTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return Errorf(CodeBadRequest, "at most %d tags are allowed", MaxTags)
	}
	for k, v := range tags {
		if err := checkTagKey(k); err != nil {
			return err
		}
		if utf8.RuneCountInString(v) > 256 {
			return Errorf(CodeBadRequest, "tag values must be at most 256 characters")
		}
	}
	return nil
}

func checkTagKey(k string) error {
	if k == "" || utf8.RuneCountInString(k) > 128 {
		return Errorf(CodeBadRequest, "tag keys must be 1 to 128 characters")
	}
	return nil
}

// Tags returns the tags of the resource arn.
func (s *Service) Tags(ctx context.Context, arn string) (map[string]string, error) {
	ref, err := s.arns.Resolve(arn)
	if err != nil {
		return nil, err
	}
	if err := exists(ctx, s.store, ref); err != nil {
		return nil, err
	}
	return s.store.Tags(ctx, ref.Key)
}

// Tag adds or replaces tags on the resource arn.
func (s *Service) Tag(ctx context.Context, arn string, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	ref, err := s.arns.Resolve(arn)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := exists(ctx, tx, ref); err != nil {
			return err
		}
		return tx.SetTags(ref.Key, tags)
	})
}

// Untag removes tag keys from the resource arn.
func (s *Service) Untag(ctx context.Context, arn string, keys []string) error {
	if len(keys) > MaxTags {
		return Errorf(CodeBadRequest, "at most %d tag keys may be removed at once", MaxTags)
	}
	for _, k := range keys {
		if err := checkTagKey(k); err != nil {
			return err
		}
	}
	ref, err := s.arns.Resolve(arn)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := exists(ctx, tx, ref); err != nil {
			return err
		}
		return tx.RemoveTags(ref.Key, keys)
	})
}

// exists checks that the resource ref names exists, under the application
// its ARN names (ResourceNotFoundException otherwise).
func exists(ctx context.Context, r Reader, ref ResourceRef) error {
	var doc json.RawMessage
	switch ref.Kind {
	case "deployment":
		n, err := strconv.Atoi(ref.ID)
		if err != nil {
			return NotFound("Deployment", ref.ID)
		}
		if _, err := getEnvironment(ctx, r, ref.App, ref.Env); err != nil {
			return err
		}
		_, err = r.Deployment(ctx, ref.Env, n)
		return err
	case "environment":
		_, err := getEnvironment(ctx, r, ref.App, ref.ID)
		return err
	case "configurationprofile":
		_, err := getProfile(ctx, r, ref.App, ref.ID)
		return err
	case "deploymentstrategy":
		if _, ok := PredefinedStrategy(ref.ID); ok {
			return nil
		}
	}
	return r.Get(ctx, Kind(ref.Kind), ref.ID, &doc)
}

// untagAll drops every tag of the resource key (when it is deleted).
func untagAll(ctx context.Context, tx Tx, key string) error {
	tags, err := tx.Tags(ctx, key)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	return tx.RemoveTags(key, keys)
}
