package sequence

import (
	"strconv"
	"testing"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Opening an event of one type wakes the long-polls of that type only;
// SignalOpen and shutdown wake every one, and a full table of types wakes
// its waiters rather than growing.
func TestNotifierByType(t *testing.T) {
	var n notifier
	a, a2, b := n.wait("a"), n.wait("a"), n.wait("b")
	if a != a2 {
		t.Fatal("two waiters of one type got different channels")
	}
	n.signal("b")
	if closed(a) || !closed(b) {
		t.Fatalf("signal b: a closed %v, b closed %v", closed(a), closed(b))
	}
	if b2 := n.wait("b"); closed(b2) {
		t.Fatal("a new wait on b is already closed")
	}
	n.signal("a")
	if !closed(a) {
		t.Fatal("signal a did not wake a")
	}

	c, d := n.wait("c"), n.wait("d")
	n.signalAll()
	if !closed(c) || !closed(d) {
		t.Fatal("signalAll left a waiter")
	}

	first := n.wait("t0")
	for i := 1; i < maxWaitedTypes; i++ {
		n.wait("t" + strconv.Itoa(i))
	}
	if closed(first) {
		t.Fatal("woken before the table was full")
	}
	n.wait("one more")
	if !closed(first) || len(n.chs) != 1 {
		t.Fatalf("a full table: first closed %v, %d types", closed(first), len(n.chs))
	}

	e := n.wait("e")
	n.stop()
	if !closed(e) || !closed(n.wait("f")) {
		t.Fatal("stop did not release waiters now and later")
	}
}
