package awsauth

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Key is a stored access key. The secret is sealed at rest.
type Key struct {
	ID           string    `json:"accessKeyId"`
	Description  string    `json:"description,omitempty"`
	Created      time.Time `json:"created"`
	SealedSecret []byte    `json:"-"`
}

// Store keeps access keys.
type Store interface {
	// InsertKey stores a new key.
	InsertKey(ctx context.Context, k Key) error
	// Keys lists every key, oldest first.
	Keys(ctx context.Context) ([]Key, error)
	// DeleteKey removes a key; ErrUnknownKey if there is none.
	DeleteKey(ctx context.Context, id string) error
	// Key returns one key; ErrUnknownKey if there is none.
	Key(ctx context.Context, id string) (Key, error)
}

// Sealer encrypts secrets at rest (secretbox.Box).
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// Keys manages access keys and is the SecretSource of a Verifier.
type Keys struct {
	Store Store
	Box   Sealer
	// Now stamps new keys (default time.Now).
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]string
	// onDelete is called with the id of a deleted key.
	onDelete []func(id string)
}

// OnDelete registers f to run after a key is deleted (to drop caches).
func (k *Keys) OnDelete(f func(id string)) { k.onDelete = append(k.onDelete, f) }

// Create makes a new key pair and returns the key and its secret, which is
// shown only now.
func (k *Keys) Create(ctx context.Context, description string) (Key, string, error) {
	id := make([]byte, 10)
	secret := make([]byte, 30)
	if _, err := rand.Read(id); err != nil {
		return Key{}, "", err
	}
	if _, err := rand.Read(secret); err != nil {
		return Key{}, "", err
	}
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	key := Key{
		ID:          "AKIA" + base32.StdEncoding.EncodeToString(id), // 20 characters like AWS's
		Description: description,
		Created:     now().UTC().Truncate(time.Second),
	}
	sec := base64.StdEncoding.EncodeToString(secret) // 40 characters like AWS's
	key.SealedSecret = k.Box.Seal([]byte(sec))
	if err := k.Store.InsertKey(ctx, key); err != nil {
		return Key{}, "", fmt.Errorf("store access key: %w", err)
	}
	return key, sec, nil
}

// List returns every key (without secrets).
func (k *Keys) List(ctx context.Context) ([]Key, error) { return k.Store.Keys(ctx) }

// Delete removes a key; requests signed with it fail from now on.
func (k *Keys) Delete(ctx context.Context, id string) error {
	if err := k.Store.DeleteKey(ctx, id); err != nil {
		return err
	}
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
	for _, f := range k.onDelete {
		f(id)
	}
	return nil
}

// SecretKey implements SecretSource.
func (k *Keys) SecretKey(ctx context.Context, id string) (string, error) {
	k.mu.Lock()
	s, ok := k.cache[id]
	k.mu.Unlock()
	if ok {
		return s, nil
	}
	key, err := k.Store.Key(ctx, id)
	if err != nil {
		return "", err
	}
	plain, err := k.Box.Open(key.SealedSecret)
	if err != nil {
		return "", fmt.Errorf("open secret of %s: %w", id, err)
	}
	k.mu.Lock()
	if k.cache == nil {
		k.cache = map[string]string{}
	}
	k.cache[id] = string(plain)
	k.mu.Unlock()
	return string(plain), nil
}

// IsUnknown reports whether err means the key does not exist.
func IsUnknown(err error) bool { return errors.Is(err, ErrUnknownKey) }
