package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// WriteRacingClose: a write racing Close either commits or gets ErrClosed;
// none is left waiting, however the two interleave.
func testWriteRacingClose(t *testing.T, e Engine) {
	const writers = 16
	for range 5 {
		s := e.Open(t)
		var wg sync.WaitGroup
		var committed, refused atomic.Int64
		started := make(chan struct{}, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					err := s.SetSetting(context.Background(), "k", time.Now().String()+string(rune('a'+w)))
					if i == 0 {
						started <- struct{}{}
					}
					switch {
					case err == nil:
						committed.Add(1)
					case errors.Is(err, s.ErrClosed):
						refused.Add(1)
						return
					default:
						t.Errorf("write: %v", err)
						return
					}
				}
			}()
		}
		for range writers {
			<-started
		}
		s.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("writes still waiting 30s after Close")
		}
		if refused.Load() != writers || committed.Load() < writers {
			t.Fatalf("%d writes committed, %d refused", committed.Load(), refused.Load())
		}
	}
}
