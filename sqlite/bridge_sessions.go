package sqlite

import (
	"context"
	"fmt"
	"time"
)

// RevokeSession records that the Bridge session id is signed out until it
// expires, and forgets sessions that have expired.
func (db *DB) RevokeSession(ctx context.Context, id string, expires time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM bridge_revoked_sessions WHERE expires_ns < ?`, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("forget expired sessions: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO bridge_revoked_sessions (id, expires_ns) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
			id, expires.UnixNano()); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return nil
	})
}

// SessionRevoked reports whether the Bridge session id was signed out.
func (db *DB) SessionRevoked(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.readQueryRow(ctx, `SELECT count(*) FROM bridge_revoked_sessions WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("read revoked sessions: %w", err)
	}
	return n > 0, nil
}
