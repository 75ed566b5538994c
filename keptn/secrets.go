package keptn

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"sort"

	"github.com/batonhq/baton/clock"
)

// SecretMeta describes a secret without its values.
type SecretMeta struct {
	Name  string   `json:"name"`
	Scope string   `json:"scope"`
	Keys  []string `json:"keys"`
}

// DefaultScope is the scope of secrets created without one.
const DefaultScope = "keptn-default"

// Scopes are the secret scopes Keptn shipped; webhooks read keptn-webhook-service.
var Scopes = []string{DefaultScope, "keptn-webhook-service", "dynatrace-service", "keptn-prometheus-service"}

var (
	secretNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	secretKeyRE  = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
)

// Secrets stores secrets sealed at rest.
type Secrets struct {
	store  Store
	clock  clock.Clock
	sealer Sealer
}

// NewSecrets returns the secret service.
func NewSecrets(store Store, clk clock.Clock, sealer Sealer) *Secrets {
	return &Secrets{store: store, clock: clk, sealer: sealer}
}

func (s *Secrets) prepare(name, scope string, data map[string]string) (SecretMeta, []byte, error) {
	if scope == "" {
		scope = DefaultScope
	}
	m := SecretMeta{Name: name, Scope: scope}
	if len(name) == 0 || len(name) > 253 || !secretNameRE.MatchString(name) {
		return m, nil, Errorf(CodeBadRequest, "secret name %q is invalid: use lower-case letters, digits, '-' and '.'", name)
	}
	if !slices.Contains(Scopes, scope) {
		return m, nil, Errorf(CodeBadRequest, "scope %q does not exist; scopes are %v", scope, Scopes)
	}
	if len(data) == 0 {
		return m, nil, Errorf(CodeBadRequest, "data must hold at least one key")
	}
	for k := range data {
		if !secretKeyRE.MatchString(k) {
			return m, nil, Errorf(CodeBadRequest, "secret key %q is invalid: use letters, digits, '-', '_' and '.'", k)
		}
		m.Keys = append(m.Keys, k)
	}
	sort.Strings(m.Keys)
	plain, err := json.Marshal(data)
	if err != nil {
		return m, nil, err
	}
	return m, s.sealer.Seal(plain), nil
}

// Create stores a new secret.
func (s *Secrets) Create(ctx context.Context, name, scope string, data map[string]string) (SecretMeta, error) {
	m, sealed, err := s.prepare(name, scope, data)
	if err != nil {
		return m, err
	}
	return m, s.store.Update(ctx, func(tx Tx) error { return tx.CreateSecret(m, sealed, s.clock.Now()) })
}

// Update replaces a secret's values.
func (s *Secrets) Update(ctx context.Context, name, scope string, data map[string]string) (SecretMeta, error) {
	m, sealed, err := s.prepare(name, scope, data)
	if err != nil {
		return m, err
	}
	return m, s.store.Update(ctx, func(tx Tx) error { return tx.UpdateSecret(m, sealed, s.clock.Now()) })
}

// Delete removes a secret.
func (s *Secrets) Delete(ctx context.Context, name, scope string) error {
	if scope == "" {
		scope = DefaultScope
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSecret(scope, name) })
}

// List lists secrets without values.
func (s *Secrets) List(ctx context.Context, name, scope string) ([]SecretMeta, error) {
	return s.store.Secrets(ctx, name, scope)
}

// Values returns the values of a secret, for engines that template them in.
func (s *Secrets) Values(ctx context.Context, scope, name string) (map[string]string, error) {
	sealed, err := s.store.SecretSealed(ctx, scope, name)
	if err != nil {
		return nil, err
	}
	plain, err := s.sealer.Open(sealed)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, err
	}
	return out, nil
}
