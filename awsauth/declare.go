package awsauth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
)

// ValidateKeyPair checks an access key pair an operator declares: an id of
// 16 to 128 letters and digits (AWS's AccessKeyId pattern) and a secret of
// 16 to 128 printable characters without spaces.
func ValidateKeyPair(id, secret string) error {
	if len(id) < 16 || len(id) > 128 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return fmt.Errorf("access key id must be 16 to 128 letters and digits")
	}
	if len(secret) < 16 || len(secret) > 128 {
		return fmt.Errorf("secret access key must be 16 to 128 characters")
	}
	for _, r := range secret {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("secret access key must be printable ASCII without spaces")
		}
	}
	return nil
}

// Declare makes sure the key pair id/secret exists, as an operator declared
// it at start (BATON_AWS_ACCESS_KEY_ID / BATON_AWS_SECRET_ACCESS_KEY), so
// scripts and CI can use a pair they know. A stored key with that id and
// another secret is replaced. It reports whether it stored anything.
func (k *Keys) Declare(ctx context.Context, id, secret string) (bool, error) {
	if err := ValidateKeyPair(id, secret); err != nil {
		return false, err
	}
	if cur, err := k.SecretKey(ctx, id); err == nil && subtle.ConstantTimeCompare([]byte(cur), []byte(secret)) == 1 {
		return false, nil
	} else if err == nil {
		if err := k.Delete(ctx, id); err != nil {
			return false, err
		}
	} else if !IsUnknown(err) {
		return false, err
	}
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	key := Key{ID: id, Description: "declared at start", Created: now().UTC().Truncate(time.Second), SealedSecret: k.Box.Seal([]byte(secret))}
	if err := k.Store.InsertKey(ctx, key); err != nil {
		return false, fmt.Errorf("store declared access key: %w", err)
	}
	return true, nil
}
