package health

import (
	"errors"
	"fmt"
	"testing"
)

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
		ok   bool
	}{
		{fmt.Errorf("commit: %w", fmt.Errorf("%w: disk I/O", ErrDiskFull)), ErrDiskFull.Error(), true},
		{fmt.Errorf("write: %w", ErrCorrupt), ErrCorrupt.Error(), true},
		{errors.New("other"), "", false},
		{nil, "", false},
	} {
		if got, ok := Unavailable(tc.err); got != tc.want || ok != tc.ok {
			t.Errorf("Unavailable(%v) = %q, %v", tc.err, got, ok)
		}
	}
}
