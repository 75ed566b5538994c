package sequence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

// A task started and never finished ends its sequence after the default
// finished timeout (1h) unless the shipyard task sets its own; a negative
// server setting turns the default off.
func TestDefaultFinishedTimeout(t *testing.T) {
	clk := clock.NewFake(time.Now())
	h := start(t, server.Config{Clock: clk}, deliveryShipyard)
	kc := h.trigger("dev", "delivery", nil)
	h.send(h.next("deployment", kc), "started", "executor", nil)
	advance(h, clk, 59*time.Minute, "nothing (within the hour)", func() bool { return true })
	if n := len(h.events(kc, "sh.keptn.event.dev.delivery.finished")); n != 0 {
		t.Fatalf("timed out within the hour")
	}
	advance(h, clk, 2*time.Minute, "the default finished timeout", func() bool {
		return len(h.events(kc, "sh.keptn.event.dev.delivery.finished")) == 1
	})
	fin := h.finished(kc, "dev", "delivery")
	if !strings.Contains(fin.Data["message"].(string), "did not finish within 1h0m0s") {
		t.Errorf("finished: %v", fin.Data)
	}

	off := clock.NewFake(time.Now())
	h = start(t, server.Config{Clock: off, TaskFinishedTimeout: -1}, deliveryShipyard)
	kc = h.trigger("dev", "delivery", nil)
	h.send(h.next("deployment", kc), "started", "executor", nil)
	advance(h, off, 3*time.Hour, "nothing (no finished timeout)", func() bool { return true })
	if n := len(h.events(kc, "sh.keptn.event.dev.delivery.finished")); n != 0 {
		t.Errorf("timed out although the finished timeout is off")
	}
}
