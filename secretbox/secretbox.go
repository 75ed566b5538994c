// Package secretbox seals secrets at rest with AES-256-GCM.
//
// The key lives in a file in the data directory (created with mode 0600 on
// first start) or comes from the BATON_SECRET_KEY environment variable, so a
// copy of the database alone does not reveal secrets.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrOpen means a sealed value could not be opened (wrong key or tampering).
var ErrOpen = errors.New("secretbox: cannot open sealed value (wrong key or corrupted data)")

// Box seals and opens values.
type Box struct {
	aead cipher.AEAD
}

// New returns a box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secretbox: key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// ErrNoKey is returned by LoadKey when neither the environment nor the key
// file holds a key.
var ErrNoKey = errors.New("secretbox: no secret key")

// LoadOrCreateKey returns the key encoded (base64) in env if set, else the key
// in path, creating the file with a new random key if it does not exist.
func LoadOrCreateKey(path, env string) ([]byte, error) {
	k, err := LoadKey(path, env)
	if errors.Is(err, ErrNoKey) {
		return CreateKey(path)
	}
	return k, err
}

// LoadKey returns the key encoded (base64) in env if set, else the key in
// path; ErrNoKey when there is neither.
func LoadKey(path, env string) ([]byte, error) {
	if env != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(k) != 32 {
			return nil, errors.New("secretbox: BATON_SECRET_KEY must be 32 bytes, base64-encoded")
		}
		return k, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("secretbox: read key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("secretbox: key file %s is malformed", path)
	}
	return k, nil
}

// CreateKey writes a new random key to path (mode 0600, never over an
// existing file) and returns it.
func CreateKey(path string) ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secretbox: create key: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("secretbox: write key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("secretbox: sync key: %w", err)
	}
	return k, f.Close()
}

// Seal encrypts plaintext; the nonce is prepended.
func (b *Box) Seal(plaintext []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, nil)
}

// Open decrypts a value made by Seal.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
