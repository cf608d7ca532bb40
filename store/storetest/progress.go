// Package storetest is the conformance suite every store runs: the same
// behaviour asserted against store/postgres and store/memory.
package storetest

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// Progress checks a store.Progress implementation. newStore returns an
// empty store and a function that creates network's cursor row (the
// scheduler writes it after its first tick; the watermark lives beside it).
func Progress(t *testing.T, newStore func(t *testing.T) (store.Progress, func(network string))) {
	ctx := context.Background()
	b := func(n int) store.BatchRef {
		return store.BatchRef{Queue: "eval-default", TaskID: "eval:n:" + string(rune('a'+n))}
	}
	t.Run("lifecycle", func(t *testing.T) {
		p, cursor := newStore(t)
		if _, ok, _, err := p.Incomplete(ctx, "n", 10); err != nil || ok {
			t.Fatalf("empty store: ok %v, err %v", ok, err)
		}
		must(t, p.MarkScheduled(ctx, "n", 100, 104))
		cursor("n")
		// 100: no candidates, complete at fan-out. 101: two batches.
		must(t, p.MarkFannedOut(ctx, "n", 100, nil, false))
		must(t, p.MarkFannedOut(ctx, "n", 101, []store.BatchRef{b(0), b(1)}, false))
		// A retried fetch-block must not reset recorded batches.
		must(t, p.MarkBatchDone(ctx, "n", 101, b(0)))
		must(t, p.MarkFannedOut(ctx, "n", 101, []store.BatchRef{b(0), b(1)}, false))
		done, ok, open, err := p.Incomplete(ctx, "n", 10)
		must(t, err)
		if !ok || done != 100 || len(open) != 4 || open[0].Ledger != 101 || !open[0].FannedOut ||
			len(open[0].Pending) != 1 || open[0].Pending[0] != b(1) || open[1].FannedOut {
			t.Fatalf("after partial work: done %d ok %v open %+v", done, ok, open)
		}
		must(t, p.MarkBatchDone(ctx, "n", 101, b(1)))
		must(t, p.MarkBatchDone(ctx, "n", 101, b(1))) // twice: no-op
		for l := uint64(102); l <= 104; l++ {
			must(t, p.MarkFannedOut(ctx, "n", l, []store.BatchRef{b(2)}, false))
		}
		must(t, p.MarkBatchDone(ctx, "n", 104, b(2)))
		done, _, open, err = p.Incomplete(ctx, "n", 1)
		must(t, err)
		if done != 101 || len(open) != 1 || open[0].Ledger != 102 {
			t.Fatalf("watermark stops before the oldest unfinished ledger: done %d open %+v", done, open)
		}
		// Re-drive 102: its batches start over; replace records the new ones.
		ok, err = p.MarkRedriven(ctx, "n", 102, 0)
		must(t, err)
		if !ok {
			t.Fatal("first re-drive refused")
		}
		// A second replica that saw the same state loses the race.
		if ok, err = p.MarkRedriven(ctx, "n", 102, 0); err != nil || ok {
			t.Fatalf("second re-drive from the same state: ok %v err %v", ok, err)
		}
		_, _, open, _ = p.Incomplete(ctx, "n", 10)
		if open[0].Redrives != 1 || open[0].FannedOut || len(open[0].Pending) != 0 || open[0].LastRedriveAt.IsZero() {
			t.Fatalf("after re-drive: %+v", open[0])
		}
		must(t, p.MarkFannedOut(ctx, "n", 102, []store.BatchRef{b(3)}, true))
		must(t, p.MarkBatchDone(ctx, "n", 102, b(3)))
		must(t, p.GiveUp(ctx, "n", 103, "older than max_block_age"))
		done, _, open, err = p.Incomplete(ctx, "n", 10)
		must(t, err)
		if done != 104 || len(open) != 0 {
			t.Fatalf("all finished or given up: done %d open %+v", done, open)
		}
		// Finished ledgers are not scheduled again, and the watermark never
		// moves back.
		must(t, p.MarkScheduled(ctx, "n", 103, 105))
		done, _, open, _ = p.Incomplete(ctx, "n", 10)
		if done != 104 || len(open) != 1 || open[0].Ledger != 105 {
			t.Fatalf("re-scheduling finished ledgers: done %d open %+v", done, open)
		}
	})
	t.Run("networks are apart", func(t *testing.T) {
		p, cursor := newStore(t)
		must(t, p.MarkScheduled(ctx, "a", 1, 3))
		must(t, p.MarkScheduled(ctx, "b", 1, 1))
		cursor("a")
		cursor("b")
		must(t, p.MarkFannedOut(ctx, "b", 1, nil, false))
		_, _, openA, _ := p.Incomplete(ctx, "a", 10)
		doneB, _, openB, _ := p.Incomplete(ctx, "b", 10)
		if len(openA) != 3 || len(openB) != 0 || doneB != 1 {
			t.Fatalf("a: %+v; b: done %d %+v", openA, doneB, openB)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
