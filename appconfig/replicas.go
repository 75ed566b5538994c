package appconfig

import (
	"context"
	"time"
)

// TokenLedger is what a store shared by several processes offers so that a
// configuration token is good once across all of them (without it, each
// process remembers the tokens it redeemed).
type TokenLedger interface {
	// RedeemToken records that token seq of session is used and that seq+1
	// is the only usable one now; false when seq is not the session's
	// usable token. A session seen for the first time accepts any seq.
	// expires is when the session's latest token expires.
	RedeemToken(ctx context.Context, session string, seq uint64, expires time.Time) (bool, error)
}

// Changed tells the service that another process sharing the store changed
// AppConfig state, so what the data plane serves is read again.
func (s *Service) Changed() { s.gen.Add(1) }
