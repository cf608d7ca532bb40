package solana

import (
	"context"
	"errors"
	"testing"
)

// SOL139 (QS21, a deviation): OZ tests each endpoint with a getHealth
// POST when the client is created. ozmon makes no call at creation: an
// endpoint is judged by the answers it gives to real calls (failover per
// call), so a node that is down at start costs nothing until it is asked.
// The simulator answers OZ's exact connection-test body (see ozmontest).
func TestGoldenNoConnectionTestAtCreation(t *testing.T) {
	t.Parallel()
	n := newNode(t, map[string][]string{"getHealth": {result(`"ok"`)}, "getSlot": {result("5")}})
	c := fastClient(t, n.srv.URL)
	if calls := n.calls(); len(calls) != 0 {
		t.Fatalf("NewClient sent %d requests (%v), want none", len(calls), calls)
	}
	if _, err := c.Slot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := n.calls(); len(calls) != 1 {
		t.Errorf("%d requests for one getSlot, want 1 (no health probe first)", len(calls))
	}
}

// SOL141: a −32007 "slot was skipped" answer from the only endpoint is
// taken as it is — one HTTP call, no retry round, no rotation — and the
// Source counts the slot once as skipped (what the empty-slot metric hangs
// off) instead of an error.
func TestGoldenSkippedSlotPassedThrough(t *testing.T) {
	t.Parallel()
	n := newNode(t, map[string][]string{"getBlock": {rpcError(CodeSlotSkipped, "Slot was skipped")}})
	c := fastClient(t, n.srv.URL)
	if _, err := c.Block(context.Background(), "n", 7); !errors.Is(err, ErrSlotSkipped) {
		t.Fatalf("err %v, want ErrSlotSkipped", err)
	}
	if calls := n.calls(); len(calls) != 1 {
		t.Errorf("%d HTTP calls for a skipped slot, want 1", len(calls))
	}
	skipped := 0
	src := &Source{Client: c, Network: "n", OnSkipped: func(uint64) { skipped++ }}
	b, err := src.FetchBlock(context.Background(), 7)
	if err != nil || b == nil || b.Solana == nil || !b.Solana.Skipped || skipped != 1 {
		t.Errorf("Source: block %+v, err %v, counted %d; want a skipped block counted once", b, err, skipped)
	}
	if calls := n.calls(); len(calls) != 2 {
		t.Errorf("%d HTTP calls after the Source's read, want 2", len(calls))
	}
}
