package extension

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/clock"
)

// Limits, as AppConfig documents them.
const (
	MaxActionPoints = 5
	MaxParameters   = 10
	MaxParamValue   = 2048
)

var nameRE = regexp.MustCompile(`^[^/#:\n]{1,64}$`)

// Service manages extensions and associations and runs their actions.
type Service struct {
	store   appconfig.Store
	deliver Deliverer
	client  *http.Client
	amazon  AmazonSQS
	plain   func(hostport string) bool
	clock   clock.Clock
	log     *slog.Logger
	arns    appconfig.ARNs
}

// Options configures a Service.
type Options struct {
	// Deliverer reaches baton's queues and the outbox (required).
	Deliverer Deliverer
	// Client calls HTTP function targets; it should dial through a netguard.
	Client *http.Client
	// Amazon sends to queues baton does not host; nil records such
	// deliveries as failed instead.
	Amazon AmazonSQS
	// PlainHTTP reports whether an http:// (not https) target host may be
	// called; nil allows none.
	PlainHTTP func(hostport string) bool
	Clock     clock.Clock
	Log       *slog.Logger
	// ARNs are the region and account of the ARNs shown (zero: the
	// defaults).
	ARNs appconfig.ARNs
}

// New returns the extension service over the AppConfig store.
func New(store appconfig.Store, opts Options) *Service {
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.PlainHTTP == nil {
		opts.PlainHTTP = func(string) bool { return false }
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ARNs == (appconfig.ARNs{}) {
		opts.ARNs = appconfig.DefaultARNs()
	}
	return &Service{store: store, deliver: opts.Deliverer, client: opts.Client, amazon: opts.Amazon, plain: opts.PlainHTTP,
		clock: opts.Clock, log: opts.Log, arns: opts.ARNs}
}

// CreateInput is a CreateExtension request (also UpdateExtension's fields).
type CreateInput struct {
	Name          string
	Description   string
	Actions       map[appconfig.ActionPoint][]Action
	Parameters    map[string]Parameter
	Tags          map[string]string
	LatestVersion *int // Latest-Version-Number: create a new version of Name
}

func (s *Service) validateDefinition(actions map[appconfig.ActionPoint][]Action, params map[string]Parameter) error {
	if len(actions) < 1 || len(actions) > MaxActionPoints {
		return appconfig.Errorf(appconfig.CodeBadRequest, "Actions must name 1 to %d action points", MaxActionPoints)
	}
	for p, list := range actions {
		if !validPoint(p) {
			return appconfig.Errorf(appconfig.CodeBadRequest, "%q is not an action point", p)
		}
		if len(list) != 1 {
			return appconfig.Errorf(appconfig.CodeBadRequest, "action point %s must have exactly one action", p)
		}
		kind, err := s.targetKind(list[0].URI)
		if err != nil {
			return err
		}
		if kind == TargetQueue && synchronous(p) {
			return appconfig.Errorf(appconfig.CodeBadRequest, "action point %s needs an answer: its Uri must be an https URL, not a queue", p)
		}
	}
	if len(params) > MaxParameters {
		return appconfig.Errorf(appconfig.CodeBadRequest, "at most %d parameters are allowed", MaxParameters)
	}
	for name, p := range params {
		if name == "" || len(name) > 64 {
			return appconfig.Errorf(appconfig.CodeBadRequest, "parameter names must be 1 to 64 characters")
		}
		if p.Dynamic && p.Required {
			return appconfig.Errorf(appconfig.CodeBadRequest, "parameter %s: dynamic parameters can't be marked Required", name)
		}
	}
	return nil
}

func validPoint(p appconfig.ActionPoint) bool {
	for _, q := range allPoints {
		if p == q {
			return true
		}
	}
	return false
}

// CreateExtension creates an extension, or a new version of the extension
// Name when LatestVersion names its current latest version.
func (s *Service) CreateExtension(ctx context.Context, in CreateInput) (*Extension, error) {
	if !nameRE.MatchString(in.Name) {
		return nil, appconfig.Errorf(appconfig.CodeBadRequest, "Name must be 1 to 64 characters without /, # or :")
	}
	if builtin(in.Name) != nil {
		return nil, appconfig.Errorf(appconfig.CodeConflict, "%s is an AWS-authored extension", in.Name)
	}
	if err := s.validateDefinition(in.Actions, in.Parameters); err != nil {
		return nil, err
	}
	var out *Extension
	err := s.store.Update(ctx, func(tx appconfig.Tx) error {
		doc := &stored{}
		id, err := tx.FindByName(ctx, KindExtension, "", in.Name)
		switch {
		case appconfig.ErrorCode(err) == appconfig.CodeNotFound:
			if in.LatestVersion != nil {
				return appconfig.Errorf(appconfig.CodeConflict, "Latest-Version-Number %d: extension %s does not exist", *in.LatestVersion, in.Name)
			}
			doc.ID, doc.Name = appconfig.NewID(), in.Name
		case err != nil:
			return err
		default:
			if err := tx.Get(ctx, KindExtension, id, doc); err != nil {
				return err
			}
			latest := doc.latest().VersionNumber
			if in.LatestVersion == nil {
				return appconfig.Errorf(appconfig.CodeConflict, "an extension named %s already exists; set Latest-Version-Number %d to create a new version", in.Name, latest)
			}
			if *in.LatestVersion != latest {
				return appconfig.Errorf(appconfig.CodeConflict, "Latest-Version-Number %d does not match the latest version %d of %s", *in.LatestVersion, latest, in.Name)
			}
		}
		n := 1
		if len(doc.Versions) > 0 {
			n = doc.latest().VersionNumber + 1
		}
		out = &Extension{ID: doc.ID, Name: doc.Name, VersionNumber: n,
			Description: in.Description, Actions: in.Actions, Parameters: in.Parameters}
		doc.Versions = append(doc.Versions, out)
		if err := tx.SetTags(extensionKey(doc.ID, n), in.Tags); err != nil {
			return err
		}
		return tx.Put(KindExtension, doc.ID, "", doc.Name, doc)
	})
	if err != nil {
		return nil, err
	}
	return s.shown(out), nil
}

// resolve finds the stored extension identified by name, id or ARN, and the
// version the ARN names (0 if none).
func resolve(ctx context.Context, r appconfig.Reader, ident string) (*stored, int, error) {
	id, version := ident, 0
	if aid, v, ok := parseExtensionArn(ident); ok {
		id, version = aid, v
	}
	doc := &stored{}
	err := r.Get(ctx, KindExtension, id, doc)
	if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
		if byName, ferr := r.FindByName(ctx, KindExtension, "", ident); ferr == nil {
			err = r.Get(ctx, KindExtension, byName, doc)
		}
	}
	if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
		return nil, 0, appconfig.NotFound("Extension", ident)
	}
	return doc, version, err
}

// lookup returns version (0 = the ARN's or the latest) of extension ident,
// AWS-authored ones included.
func lookup(ctx context.Context, r appconfig.Reader, ident string, version int) (*Extension, error) {
	if b := builtin(ident); b != nil {
		if version > 1 {
			return nil, appconfig.NotFound("Extension", fmt.Sprintf("%s version %d", ident, version))
		}
		return b, nil
	}
	doc, arnVersion, err := resolve(ctx, r, ident)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = arnVersion
	}
	if version == 0 {
		return doc.latest(), nil
	}
	if v := doc.version(version); v != nil {
		return v, nil
	}
	return nil, appconfig.NotFound("Extension", ident+" version "+strconv.Itoa(version))
}

// Extension returns version (0 = latest) of the extension with name, id or ARN ident.
func (s *Service) Extension(ctx context.Context, ident string, version int) (*Extension, error) {
	e, err := lookup(ctx, s.store, ident, version)
	if err != nil {
		return nil, err
	}
	return s.shown(e), nil
}

// Extensions lists the AWS-authored extensions (first page only) and the
// latest version of each custom one, optionally only those named name.
func (s *Service) Extensions(ctx context.Context, name string, p appconfig.Page) ([]*Extension, int64, error) {
	var out []*Extension
	if p.After == 0 {
		for _, b := range builtins {
			if name == "" || name == b.Name || name == b.ID {
				out = append(out, s.shown(b))
			}
		}
	}
	raw, next, err := s.store.List(ctx, KindExtension, "", p)
	if err != nil {
		return nil, 0, err
	}
	docs, err := appconfig.DecodeAll[stored](raw)
	for _, d := range docs {
		if name == "" || d.Name == name {
			out = append(out, s.shown(d.latest()))
		}
	}
	return out, next, err
}
