package testkit

import (
	"testing"
	"time"
)

// WaitUntil polls cond every 50 ms until it holds, failing t with what was
// awaited once timeout passes.
func WaitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
