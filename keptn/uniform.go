package keptn

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/clock"
)

// Integration is a registered execution-plane integration (Keptn's uniform).
type Integration struct {
	ID            string              `json:"id"`
	Name          string              `json:"name"`
	Metadata      IntegrationMetadata `json:"metadata"`
	Subscriptions []Subscription      `json:"subscriptions"`
}

// IntegrationMetadata describes where an integration runs.
type IntegrationMetadata struct {
	Hostname           string             `json:"hostname,omitempty"`
	IntegrationVersion string             `json:"integrationversion,omitempty"`
	DistributorVersion string             `json:"distributorversion,omitempty"`
	Location           string             `json:"location,omitempty"`
	KubernetesMetadata KubernetesMetadata `json:"kubernetesmetadata"`
	LastSeen           time.Time          `json:"lastseen"`
}

// KubernetesMetadata identifies an integration's pod.
type KubernetesMetadata struct {
	Namespace      string `json:"namespace,omitempty"`
	PodName        string `json:"podname,omitempty"`
	DeploymentName string `json:"deploymentname,omitempty"`
}

// Subscription is what an integration wants to receive.
type Subscription struct {
	ID     string             `json:"id"`
	Event  string             `json:"event"`
	Filter SubscriptionFilter `json:"filter"`
}

// SubscriptionFilter narrows a subscription; empty lists match everything.
type SubscriptionFilter struct {
	Projects []string `json:"projects"`
	Stages   []string `json:"stages"`
	Services []string `json:"services"`
}

// Matches reports whether an event of type typ about project/stage/service
// falls under the subscription. Event patterns may use NATS wildcards: "*"
// for one dot-separated token, ">" for the rest.
func (s *Subscription) Matches(typ, project, stage, service string) bool {
	if !TypeMatches(s.Event, typ) {
		return false
	}
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(s.Filter.Projects, project) && in(s.Filter.Stages, stage) && in(s.Filter.Services, service)
}

// TypeMatches matches an event type against a pattern with NATS wildcards.
func TypeMatches(pattern, typ string) bool {
	if pattern == typ {
		return true
	}
	if !strings.ContainsAny(pattern, "*>") {
		return false
	}
	p, t := strings.Split(pattern, "."), strings.Split(typ, ".")
	for i, tok := range p {
		if tok == ">" {
			return i < len(t)
		}
		if i >= len(t) || (tok != "*" && tok != t[i]) {
			return false
		}
	}
	return len(p) == len(t)
}

// IntegrationID is Keptn's registration id: sha1("name-namespace-nodename").
func IntegrationID(name, namespace, node string) string {
	h := sha1.Sum([]byte(name + "-" + namespace + "-" + node))
	return hex.EncodeToString(h[:])
}

// UniformStore is the storage of integrations.
type UniformStore interface {
	// Integrations lists integrations with subscriptions, filtered.
	Integrations(ctx context.Context, f IntegrationFilter) ([]Integration, error)
}

// IntegrationFilter filters the integration list.
type IntegrationFilter struct {
	ID, Name, Project, Stage, Service string
}

// UniformTx writes integrations.
type UniformTx interface {
	// Integration returns one integration; CodeNotFound.
	Integration(id string) (*Integration, error)
	// PutIntegration creates or replaces an integration with its subscriptions.
	PutIntegration(in *Integration) error
	// DeleteIntegration removes one; CodeNotFound.
	DeleteIntegration(id string) error
	// Subscription returns a subscription by id with its integration id; CodeNotFound.
	Subscription(id string) (*Subscription, string, error)
}

// Uniform manages integrations and their subscriptions.
type Uniform struct {
	store Store
	clock clock.Clock
}

// NewUniform returns the integration service.
func NewUniform(store Store, clk clock.Clock) *Uniform { return &Uniform{store: store, clock: clk} }

func validateSubscription(s *Subscription, integration string) error {
	if strings.TrimSpace(s.Event) == "" {
		return Errorf(CodeBadRequest, "subscription event is required")
	}
	if len(s.Filter.Services) > 0 && len(s.Filter.Stages) == 0 {
		return Errorf(CodeBadRequest, "a subscription filtering on services must also filter on stages")
	}
	if integration == "webhook-service" && len(s.Filter.Projects) != 1 {
		return Errorf(CodeBadRequest, "webhook-service subscriptions must name exactly one project")
	}
	return nil
}

func sameSubscription(a, b Subscription) bool {
	return a.Event == b.Event && slices.Equal(a.Filter.Projects, b.Filter.Projects) &&
		slices.Equal(a.Filter.Stages, b.Filter.Stages) && slices.Equal(a.Filter.Services, b.Filter.Services)
}

// MaxIntegrationName caps an integration's name: Keptn's are Kubernetes
// names (at most 253 characters).
const MaxIntegrationName = 253

// Register creates or refreshes an integration. Subscriptions are merged into
// the existing ones, never dropped. It returns the id and whether it was new.
func (u *Uniform) Register(ctx context.Context, in *Integration) (string, bool, error) {
	if strings.TrimSpace(in.Name) == "" {
		return "", false, Errorf(CodeBadRequest, "name is required")
	}
	if len(in.Name) > MaxIntegrationName {
		return "", false, Errorf(CodeBadRequest, "name is longer than %d characters", MaxIntegrationName)
	}
	for i := range in.Subscriptions {
		if err := validateSubscription(&in.Subscriptions[i], in.Name); err != nil {
			return "", false, err
		}
	}
	k := in.Metadata.KubernetesMetadata
	id := IntegrationID(in.Name, k.Namespace, in.Metadata.Hostname)
	created := false
	err := u.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Integration(id)
		if ErrorCode(err) == CodeNotFound {
			created, cur = true, &Integration{ID: id}
		} else if err != nil {
			return err
		}
		subs := cur.Subscriptions
		for _, s := range in.Subscriptions {
			if !slices.ContainsFunc(subs, func(x Subscription) bool { return sameSubscription(x, s) }) {
				s.ID = NewID()
				subs = append(subs, s)
			}
		}
		next := &Integration{ID: id, Name: in.Name, Metadata: in.Metadata, Subscriptions: subs}
		next.Metadata.LastSeen = u.clock.Now().UTC()
		return tx.PutIntegration(next)
	})
	return id, created, err
}

// Ping marks an integration alive and returns it with its subscriptions.
func (u *Uniform) Ping(ctx context.Context, id string) (*Integration, error) {
	var out *Integration
	err := u.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Integration(id)
		if err != nil {
			return err
		}
		cur.Metadata.LastSeen = u.clock.Now().UTC()
		out = cur
		return tx.PutIntegration(cur)
	})
	return out, err
}

// Unregister deletes an integration.
func (u *Uniform) Unregister(ctx context.Context, id string) error {
	return u.store.Update(ctx, func(tx Tx) error { return tx.DeleteIntegration(id) })
}

// Subscribe adds a subscription and returns its id.
func (u *Uniform) Subscribe(ctx context.Context, integrationID string, s Subscription) (string, error) {
	var id string
	err := u.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Integration(integrationID)
		if err != nil {
			return err
		}
		if err := validateSubscription(&s, cur.Name); err != nil {
			return err
		}
		s.ID = NewID()
		id = s.ID
		cur.Subscriptions = append(cur.Subscriptions, s)
		return tx.PutIntegration(cur)
	})
	return id, err
}

// UpdateSubscription replaces a subscription.
func (u *Uniform) UpdateSubscription(ctx context.Context, integrationID string, s Subscription) error {
	return u.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Integration(integrationID)
		if err != nil {
			return err
		}
		if err := validateSubscription(&s, cur.Name); err != nil {
			return err
		}
		i := slices.IndexFunc(cur.Subscriptions, func(x Subscription) bool { return x.ID == s.ID })
		if i < 0 {
			return Errorf(CodeNotFound, "subscription %s not found", s.ID)
		}
		cur.Subscriptions[i] = s
		return tx.PutIntegration(cur)
	})
}

// Unsubscribe deletes a subscription.
func (u *Uniform) Unsubscribe(ctx context.Context, integrationID, subscriptionID string) error {
	return u.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Integration(integrationID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cur.Subscriptions, func(x Subscription) bool { return x.ID == subscriptionID })
		if i < 0 {
			return Errorf(CodeNotFound, "subscription %s not found", subscriptionID)
		}
		cur.Subscriptions = slices.Delete(cur.Subscriptions, i, i+1)
		return tx.PutIntegration(cur)
	})
}
