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
// SignalOpen and shutdown wake every one.
func TestNotifierByType(t *testing.T) {
	var n notifier
	a, _ := n.wait("a")
	a2, _ := n.wait("a")
	b, _ := n.wait("b")
	if a != a2 {
		t.Fatal("two waiters of one type got different channels")
	}
	n.signal("b")
	if closed(a) || !closed(b) {
		t.Fatalf("signal b: a closed %v, b closed %v", closed(a), closed(b))
	}
	if b2, _ := n.wait("b"); closed(b2) {
		t.Fatal("a new wait on b is already closed")
	}
	n.signal("a")
	if !closed(a) {
		t.Fatal("signal a did not wake a")
	}

	c, _ := n.wait("c")
	d, _ := n.wait("d")
	n.signalAll()
	if !closed(c) || !closed(d) {
		t.Fatal("signalAll left a waiter")
	}

	e, _ := n.wait("e")
	n.stop()
	f, _ := n.wait("f")
	if !closed(e) || !closed(f) {
		t.Fatal("stop did not release waiters now and later")
	}
}

// A type keeps its channel only while someone waits on it; past
// maxWaitedTypes types, further ones share an overflow channel that every
// signal closes, and no waiter is woken to make room.
func TestNotifierBounded(t *testing.T) {
	var n notifier
	x, releaseX := n.wait("x")
	_, releaseX2 := n.wait("x")
	releaseX()
	if n.types["x"] == nil {
		t.Fatal("a type's channel dropped while a waiter remains")
	}
	releaseX2()
	if len(n.types) != 0 {
		t.Fatalf("%d types kept after their last waiter left", len(n.types))
	}
	if closed(x) {
		t.Fatal("leaving closed the channel")
	}

	var chs []<-chan struct{}
	for i := range maxWaitedTypes {
		ch, _ := n.wait("t" + strconv.Itoa(i))
		chs = append(chs, ch)
	}
	over, _ := n.wait("one more")
	over2, _ := n.wait("and another")
	if over != over2 || len(n.types) != maxWaitedTypes {
		t.Fatalf("past the bound: shared channel %v, %d types", over == over2, len(n.types))
	}
	for i, ch := range chs {
		if closed(ch) {
			t.Fatalf("waiter of t%d woken to make room", i)
		}
	}
	n.signal("t7")
	if !closed(chs[7]) || closed(chs[8]) || !closed(over) {
		t.Fatalf("signal t7: t7 %v, t8 %v, overflow %v", closed(chs[7]), closed(chs[8]), closed(over))
	}
	if again, _ := n.wait("one more"); closed(again) {
		t.Fatal("a new overflow wait is already closed")
	}
}
