package server

import (
	"context"
	"encoding/base64"
	"errors"
)

// keyCheckSetting holds a value sealed with the secret key of the first
// start; keyCheckText is its plaintext.
const (
	keyCheckSetting = "secret_key_check"
	keyCheckText    = "baton secret key check"
)

// errWrongKey is returned at start when the secret key cannot open the
// store's sealed values.
var errWrongKey = errors.New("the secret key cannot open this database's sealed values " +
	"(secrets, git credentials, AWS access keys): start every replica with the same BATON_SECRET_KEY")

// checkSecretKey refuses a secret key that cannot open what the store has
// sealed. The first start records a sealed marker; every later start, and
// every other replica of a shared database, must be able to open it.
func (s *Server) checkSecretKey(ctx context.Context) error {
	mine := base64.StdEncoding.EncodeToString(s.box.Seal([]byte(keyCheckText)))
	stored, err := s.store.initSetting(ctx, keyCheckSetting, mine)
	if err != nil {
		return err
	}
	sealed, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return errWrongKey
	}
	if plain, err := s.box.Open(sealed); err != nil || string(plain) != keyCheckText {
		return errWrongKey
	}
	return nil
}
