package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/batonhq/baton/secretbox"
)

// ErrDataDir means the data directory is not in a state baton may start on;
// the error's text says what happened and how to recover.
var ErrDataDir = errors.New("data directory")

// checkDataDir refuses a data directory that held data but whose database is
// gone or empty: baton would otherwise start as a brand-new instance beside
// the old instance's key without a word.
func checkDataDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil {
		return nil // a fresh directory (or the key comes from BATON_SECRET_KEY)
	}
	db := filepath.Join(dir, "baton.db")
	fi, err := os.Stat(db)
	state := ""
	switch {
	case errors.Is(err, os.ErrNotExist):
		state = "missing"
	case err != nil:
		return fmt.Errorf("%w: %w", ErrDataDir, err)
	case fi.Size() == 0:
		state = "empty (zero bytes)"
	default:
		return nil
	}
	return fmt.Errorf("%w %s held a baton instance (it has secret.key) but its database %s is %s; "+
		"refusing to start a new, empty instance in its place. Restore baton.db from a backup, "+
		"or, to really start over, move secret.key out of the directory", ErrDataDir, dir, db, state)
}

// openKey loads the secret key and checks it against the database: a key
// that is missing while the database holds sealed values, or a key that does
// not open them, stops the start with a message saying how to recover.
func (s *Server) openKey(ctx context.Context, st secretbox.Settings) ([]byte, error) {
	path := filepath.Join(s.cfg.DataDir, "secret.key")
	key, err := secretbox.LoadKey(path, os.Getenv("BATON_SECRET_KEY"))
	if errors.Is(err, secretbox.ErrNoKey) {
		sealed, herr := secretbox.HasSealed(ctx, st)
		if herr != nil {
			return nil, herr
		}
		if sealed {
			return nil, fmt.Errorf("%w: %s does not exist and BATON_SECRET_KEY is not set, but the database holds "+
				"AWS access keys and secrets sealed with that key; a new key could not open them. Restore "+
				"secret.key from a backup of the data directory or set BATON_SECRET_KEY to the key it held",
				secretbox.ErrKeyMissing, path)
		}
		key, err = secretbox.CreateKey(path)
	}
	if err != nil {
		return nil, err
	}
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	if err := secretbox.Check(ctx, st, box); errors.Is(err, secretbox.ErrKeyChanged) {
		src := path
		if os.Getenv("BATON_SECRET_KEY") != "" {
			src = "BATON_SECRET_KEY"
		}
		return nil, fmt.Errorf("%w: the key from %s is not the one the database's AWS access keys and secrets "+
			"were sealed with (was secret.key replaced or BATON_SECRET_KEY changed?). Start with the original "+
			"key: restore secret.key from a backup, or set or unset BATON_SECRET_KEY as before", err, src)
	} else if err != nil {
		return nil, err
	}
	s.box = box
	return key, nil
}
