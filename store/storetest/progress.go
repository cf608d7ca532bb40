package storetest

import (
	"slices"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// progress checks a store.Progress. Each network's cursor is set before
// its watermark is asked for, as the scheduler does after its first tick
// (store/postgres keeps the watermark beside the cursor).
func progress(t *testing.T, newStores func(t *testing.T) Stores) {
	ctx := bg()
	newStore := func(t *testing.T) (store.Progress, func(network string)) {
		s := newStores(t)
		if s.Cursors == nil {
			t.Fatal("storetest: Progress needs Stores.Cursors")
		}
		return s.Progress, func(network string) {
			if err := s.Cursors.AdvanceCursor(ctx, network, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := func(n int) store.BatchRef {
		return store.BatchRef{Queue: "eval-default", TaskID: "eval:n:" + string(rune('a'+n))}
	}
	t.Run("lifecycle", func(t *testing.T) {
		t.Parallel()
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
		// Several batches of several ledgers at once: each ledger loses
		// only its own, in order, and completes with its last.
		must(t, p.MarkScheduled(ctx, "m", 200, 201))
		cursor("m")
		must(t, p.MarkFannedOut(ctx, "m", 200, []store.BatchRef{b(0), b(1), b(2), b(3)}, false))
		must(t, p.MarkFannedOut(ctx, "m", 201, []store.BatchRef{b(0), b(1)}, false))
		must(t, p.MarkBatchesDone(ctx, []store.BatchDone{{Network: "m", Ledger: 200, Batch: b(2)},
			{Network: "m", Ledger: 201, Batch: b(0)}, {Network: "m", Ledger: 200, Batch: b(0)},
			{Network: "m", Ledger: 201, Batch: b(0)}, {Network: "m", Ledger: 201, Batch: b(1)},
			{Network: "m", Ledger: 202, Batch: b(1)}}))
		mdone, _, mopen, err := p.Incomplete(ctx, "m", 10)
		must(t, err)
		if mdone != 199 || len(mopen) != 1 || mopen[0].Ledger != 200 || !slices.Equal(mopen[0].Pending, []store.BatchRef{b(1), b(3)}) {
			t.Fatalf("after batches of two ledgers done at once: done %d open %+v", mdone, mopen)
		}
		must(t, p.MarkBatchesDone(ctx, []store.BatchDone{{Network: "m", Ledger: 200, Batch: b(3)}, {Network: "m", Ledger: 200, Batch: b(1)}}))
		must(t, p.MarkBatchesDone(ctx, nil))
		if mdone, _, mopen, err = p.Incomplete(ctx, "m", 10); err != nil || mdone != 201 || len(mopen) != 0 {
			t.Fatalf("after the last batches: done %d open %+v err %v", mdone, mopen, err)
		}
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
		t.Parallel()
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
	t.Run("expected deliveries and reopen", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		if st.Deliveries == nil {
			t.Skip("the store keeps no delivery log")
		}
		s, d := st.Progress, st.Deliveries
		tenant := put(t, st, "acme", StandardFixture())
		key := func(l uint64, tx string) store.DeliveryKey {
			return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: l, TxHash: tx, Trigger: "ops_hook"}
		}
		exp := []store.ExpectedDelivery{{Key: key(10, "a"), TaskID: "ta", Channel: "webhook"}, {Key: key(11, "b"), TaskID: "tb", Channel: "webhook"},
			{Key: key(12, "c"), TaskID: "tc", Channel: "webhook"}, {Key: key(12, "c"), TaskID: "tc", Channel: "webhook"}} // a duplicate in one batch
		must(t, d.ExpectDeliveries(ctx, exp))
		_, err := d.BeginDelivery(ctx, key(10, "a"), "ta", "webhook")
		must(t, err)
		must(t, d.FinishDelivery(ctx, key(10, "a"), store.DeliveryDelivered, ""))
		// Expecting again leaves records as they are (delivered stays delivered).
		must(t, d.ExpectDeliveries(ctx, exp[:1]))
		recs, _ := d.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, Status: store.DeliveryPending})
		if len(recs) != 2 {
			t.Fatalf("pending records = %+v", recs)
		}
		ledgers, err := s.UnfinishedDeliveryLedgers(ctx, "stellar_testnet", 10)
		if err != nil || len(ledgers) != 2 || ledgers[0] != 11 || ledgers[1] != 12 {
			t.Fatalf("ledgers with unfinished deliveries = %v, %v", ledgers, err)
		}
		// 11 completed and is reopened; 12 was never recorded (pruned) and is.
		must(t, s.MarkScheduled(ctx, "stellar_testnet", 11, 11))
		must(t, s.MarkFannedOut(ctx, "stellar_testnet", 11, nil, false))
		open, err := s.Reopen(ctx, "stellar_testnet", ledgers)
		if err != nil || len(open) != 2 {
			t.Fatalf("reopen = %+v, %v", open, err)
		}
		must(t, st.Cursors.AdvanceCursor(ctx, "stellar_testnet", 12))
		_, _, unfinished, err := s.Incomplete(ctx, "stellar_testnet", 10)
		if err != nil || len(unfinished) != 2 {
			t.Fatalf("after reopen: %+v, %v", unfinished, err)
		}
	})
	t.Run("redis mark only grows", func(t *testing.T) {
		t.Parallel()
		p, _ := newStore(t)
		for _, m := range []int64{5, 3} {
			must(t, p.RaiseRedisMark(ctx, "stellar_testnet", m))
		}
		if m, err := p.RedisMark(ctx, "stellar_testnet"); err != nil || m != 5 {
			t.Fatalf("redis mark = %d, %v; want 5 (never lowered)", m, err)
		}
		if m, _ := p.RedisMark(ctx, "other"); m != 0 {
			t.Fatalf("another network's mark = %d", m)
		}
	})
}
