package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/batonhq/baton/appconfig"
)

var _ appconfig.TokenLedger = (*AppConfigStore)(nil)

// RedeemToken implements appconfig.TokenLedger.
func (s *AppConfigStore) RedeemToken(ctx context.Context, session string, seq uint64, expires time.Time) (bool, error) {
	tag, err := s.db.pool.Exec(ctx, `INSERT INTO appconfig_sessions (session, next, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (session) DO UPDATE SET next = excluded.next, expires_at = excluded.expires_at
		WHERE appconfig_sessions.next = $2 - 1`, session, int64(seq)+1, expires.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("redeem token: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// sweepSessions deletes the sessions whose last token has expired.
func (db *DB) sweepSessions(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM appconfig_sessions WHERE expires_at < $1`, time.Now().Add(-time.Minute).UnixMilli())
	return err
}
