package secretbox

import (
	"context"
	"errors"
	"testing"
)

type mapSettings map[string]string

func (m mapSettings) Setting(_ context.Context, k string) (string, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}

func (m mapSettings) PutSetting(_ context.Context, k, v string) error {
	m[k] = v
	return nil
}

func box(t *testing.T, b byte) *Box {
	t.Helper()
	key := make([]byte, 32)
	key[0] = b
	bx, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return bx
}

// The first check stores a canary; the same key passes later, another key
// is refused, and HasSealed reports the canary.
func TestCheckCanary(t *testing.T) {
	ctx := context.Background()
	st := mapSettings{}
	if sealed, _ := HasSealed(ctx, st); sealed {
		t.Fatal("a fresh store reports sealed values")
	}
	if err := Check(ctx, st, box(t, 1)); err != nil {
		t.Fatalf("first check: %v", err)
	}
	if sealed, _ := HasSealed(ctx, st); !sealed {
		t.Fatal("no canary after the first check")
	}
	if err := Check(ctx, st, box(t, 1)); err != nil {
		t.Fatalf("same key: %v", err)
	}
	if err := Check(ctx, st, box(t, 2)); !errors.Is(err, ErrKeyChanged) {
		t.Fatalf("another key: %v, want ErrKeyChanged", err)
	}
	st[CanarySetting] = "not base64!"
	if err := Check(ctx, st, box(t, 1)); !errors.Is(err, ErrKeyChanged) {
		t.Fatalf("garbled canary: %v, want ErrKeyChanged", err)
	}
}
