package cloud

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestCallLimitPriority: a freed slot goes to the waiter with the lowest
// priority, then the longest waiting; a waiter whose context ends leaves
// the queue without taking a slot.
func TestCallLimitPriority(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := NewCallLimit(1)
	if err := l.acquire(ctx, 0); err != nil {
		t.Fatal(err)
	}
	waitQueued := func(n int) {
		t.Helper()
		for {
			l.mu.Lock()
			got := len(l.waiters)
			l.mu.Unlock()
			if got == n {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%d waiters, want %d", got, n)
			case <-time.After(time.Millisecond):
			}
		}
	}
	got := make(chan int, 3)
	for i, prio := range []int{2, 1, 2} {
		go func() {
			if err := l.acquire(ctx, prio); err != nil {
				t.Error(err)
				return
			}
			got <- i
		}()
		waitQueued(i + 1)
	}
	gone, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- l.acquire(gone, 0) }()
	waitQueued(4)
	stop()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	var order []int
	for range 3 {
		l.release()
		select {
		case i := <-got:
			order = append(order, i)
		case <-ctx.Done():
			t.Fatalf("no waiter got the slot; order so far %v", order)
		}
	}
	if want := []int{1, 0, 2}; !slices.Equal(order, want) {
		t.Errorf("slots went to waiters %v, want %v", order, want)
	}
	l.release()
	if l.free != 1 || len(l.waiters) != 0 {
		t.Errorf("after all released: %d free, %d waiting", l.free, len(l.waiters))
	}
}
