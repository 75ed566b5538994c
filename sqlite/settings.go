package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns a stored setting and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

// SetSetting stores a setting.
func (tx *Tx) SetSetting(key, value string) error {
	_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}

// PutSetting stores a setting in its own write transaction.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.SetSetting(key, value) })
}
