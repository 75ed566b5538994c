package secretbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
)

// CanarySetting is the setting that holds a value sealed with the instance's
// key, written on the first start with a key. A store that has it holds
// sealed values (access keys, secrets), so the key must not change.
const CanarySetting = "secret_key_canary"

const canaryPlaintext = "baton secret key canary"

// Settings is the store seam the key check needs: the settings of the SQLite
// or PostgreSQL store.
type Settings interface {
	// Setting returns a setting and whether it exists.
	Setting(ctx context.Context, key string) (string, bool, error)
	// PutSetting stores a setting durably.
	PutSetting(ctx context.Context, key, value string) error
}

// ErrKeyMissing and ErrKeyChanged are the refusals of Check; their messages
// (with the data directory) say what happened and how to recover.
var (
	ErrKeyMissing = errors.New("secretbox: the secret key is missing but the database holds values sealed with one")
	ErrKeyChanged = errors.New("secretbox: the secret key does not open the values sealed in the database")
)

// HasSealed reports whether the store holds values sealed with a key (its
// canary exists): a missing key must then not be replaced by a new one.
func HasSealed(ctx context.Context, st Settings) (bool, error) {
	_, ok, err := st.Setting(ctx, CanarySetting)
	if err != nil {
		return false, fmt.Errorf("read key canary: %w", err)
	}
	return ok, nil
}

// Check verifies that box opens the values the store holds, by opening the
// canary; a store without one gets it now. It returns ErrKeyChanged when the
// key is not the one the store was sealed with.
func Check(ctx context.Context, st Settings, box *Box) error {
	v, ok, err := st.Setting(ctx, CanarySetting)
	if err != nil {
		return fmt.Errorf("read key canary: %w", err)
	}
	if !ok {
		sealed := base64.StdEncoding.EncodeToString(box.Seal([]byte(canaryPlaintext)))
		if err := st.PutSetting(ctx, CanarySetting, sealed); err != nil {
			return fmt.Errorf("store key canary: %w", err)
		}
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return ErrKeyChanged
	}
	if plain, err := box.Open(raw); err != nil || string(plain) != canaryPlaintext {
		return ErrKeyChanged
	}
	return nil
}
