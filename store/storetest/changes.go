package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// changeWait bounds how long a change may take to be reported; it is a
// deadline for a hung store, not a speed requirement.
const changeWait = 30 * time.Second

func changeWatcher(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("reports the changed tenant", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		a := put(t, s, "alpha", StandardFixture())
		b := put(t, s, "beta", StandardFixture())
		ctx, cancel := context.WithCancel(bg())
		ch := make(chan string, 100)
		done := make(chan error, 1)
		go func() {
			done <- s.Changes.WatchChanges(ctx, func(id string) {
				select {
				case ch <- id:
				default: // the test stopped reading; never block the watcher
				}
			})
		}()
		// Keep changing alpha until the watcher, which may still be
		// subscribing, hears it; each write is a real change.
		heard, writerDone := make(chan struct{}), make(chan struct{})
		var once sync.Once
		stopWriting := func() { once.Do(func() { close(heard); <-writerDone }) }
		defer stopWriting()
		go func() {
			defer close(writerDone)
			for i := 0; ; i++ {
				f := StandardFixture()
				f.Monitors["Small swaps"] = MonitorJSON("Small swaps", "stellar_testnet", fmt.Sprintf("amount < %d", 10+i%2), "ops_hook")
				put(t, s, "alpha", f)
				select {
				case <-heard:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
		WaitChange(t, ch, a)
		stopWriting()
		f := StandardFixture()
		f.Monitors["Big swaps"] = MonitorJSON("Big swaps", "stellar_testnet", "amount > 5", "ops_hook")
		put(t, s, "beta", f)
		WaitChange(t, ch, b)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("WatchChanges returned %v after cancel", err)
			}
		case <-time.After(changeWait):
			t.Fatal("WatchChanges still running after its context ended")
		}
	})
}

// WaitChange reads tenant ids from ch (fed by a ChangeWatcher's fn) until
// want arrives, failing t if it has not after a generous deadline: it
// asserts that the change is seen, not how fast. For a store's own tests
// of changes the suite cannot make.
func WaitChange(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	deadline := time.After(changeWait)
	for {
		select {
		case id := <-ch:
			if id == want {
				return
			}
		case <-deadline:
			t.Fatalf("no change reported for tenant %s", want)
		}
	}
}
