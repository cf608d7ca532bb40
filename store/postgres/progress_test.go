package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

func TestProgressConformance(t *testing.T) {
	t.Parallel()
	storetest.Progress(t, func(t *testing.T) (store.Progress, func(string)) {
		s, _ := openTestStore(t)
		return s, func(network string) {
			if err := s.AdvanceCursor(context.Background(), network, 1); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestExpectedDeliveriesAndReopen: notifications recorded as pending
// before their tasks are enqueued; ledgers with unfinished ones are found
// and reopened; the Redis mark only grows.
func TestExpectedDeliveriesAndReopen(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(l uint64, tx string) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: l, TxHash: tx, Trigger: "ops_hook"}
	}
	exp := []store.ExpectedDelivery{{Key: key(10, "a"), TaskID: "ta", Channel: "webhook"}, {Key: key(11, "b"), TaskID: "tb", Channel: "webhook"},
		{Key: key(12, "c"), TaskID: "tc", Channel: "webhook"}, {Key: key(12, "c"), TaskID: "tc", Channel: "webhook"}} // a duplicate in one batch
	if err := s.ExpectDeliveries(ctx, exp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginDelivery(ctx, key(10, "a"), "ta", "webhook"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDelivery(ctx, key(10, "a"), store.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	// Expecting again leaves records as they are (delivered stays delivered).
	if err := s.ExpectDeliveries(ctx, exp[:1]); err != nil {
		t.Fatal(err)
	}
	recs, _ := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, Status: store.DeliveryPending})
	if len(recs) != 2 {
		t.Fatalf("pending records = %+v", recs)
	}
	ledgers, err := s.UnfinishedDeliveryLedgers(ctx, "stellar_testnet", 10)
	if err != nil || len(ledgers) != 2 || ledgers[0] != 11 || ledgers[1] != 12 {
		t.Fatalf("ledgers with unfinished deliveries = %v, %v", ledgers, err)
	}
	// 11 completed and is reopened; 12 was never recorded (pruned) and is.
	if err := s.MarkScheduled(ctx, "stellar_testnet", 11, 11); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFannedOut(ctx, "stellar_testnet", 11, nil, false); err != nil {
		t.Fatal(err)
	}
	open, err := s.Reopen(ctx, "stellar_testnet", ledgers)
	if err != nil || len(open) != 2 {
		t.Fatalf("reopen = %+v, %v", open, err)
	}
	if err := s.AdvanceCursor(ctx, "stellar_testnet", 12); err != nil {
		t.Fatal(err)
	}
	_, _, unfinished, err := s.Incomplete(ctx, "stellar_testnet", 10)
	if err != nil || len(unfinished) != 2 {
		t.Fatalf("after reopen: %+v, %v", unfinished, err)
	}
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: store.DeliveryKey{TenantID: "x", Monitor: "m", Network: "n", Trigger: "t"}}}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("malformed key: %v", err)
	}
	for _, m := range []int64{5, 3} {
		if err := s.RaiseRedisMark(ctx, "stellar_testnet", m); err != nil {
			t.Fatal(err)
		}
	}
	if m, err := s.RedisMark(ctx, "stellar_testnet"); err != nil || m != 5 {
		t.Fatalf("redis mark = %d, %v; want 5 (never lowered)", m, err)
	}
	if m, _ := s.RedisMark(ctx, "other"); m != 0 {
		t.Fatalf("another network's mark = %d", m)
	}
}
