// Package health names the store conditions that make baton unable to accept
// writes (a full disk, a corrupt database) so that every face can answer
// them as "service unavailable" with a clear message, and readiness can
// report them. Stores wrap their engine's errors with these sentinels.
package health

import "errors"

// Store conditions. Their texts are safe to show to clients.
var (
	// ErrDiskFull means a write failed because the disk holding the database
	// is full. It clears when a later write succeeds.
	ErrDiskFull = errors.New("the disk holding baton's database is full; the change was not saved, retry once space is freed")
	// ErrCorrupt means the database failed an integrity check or a write
	// found damage; baton refuses writes until it is restored.
	ErrCorrupt = errors.New("baton's database is damaged and accepts no writes until it is restored from a backup")
)

// Unavailable returns the message to show for err when it is one of the
// store conditions, and whether it is.
func Unavailable(err error) (string, bool) {
	switch {
	case errors.Is(err, ErrDiskFull):
		return ErrDiskFull.Error(), true
	case errors.Is(err, ErrCorrupt):
		return ErrCorrupt.Error(), true
	}
	return "", false
}
