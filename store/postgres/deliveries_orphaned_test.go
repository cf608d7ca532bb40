package postgres

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/store"
)

func TestFlagOrphanedAndReset(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(ledger uint64, tx string) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "evm_local", Ledger: ledger, TxHash: tx, Trigger: "ops_hook"}
	}
	for _, k := range []store.DeliveryKey{key(10, "a"), key(10, "b"), key(11, "c")} {
		if _, err := s.BeginDelivery(ctx, k, "t", "webhook"); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishDelivery(ctx, k, store.DeliveryDelivered, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Block 10 was replaced by one that re-includes tx "a" only.
	n, err := s.FlagOrphaned(ctx, "evm_local", 10, []string{"a"})
	if err != nil || n != 1 {
		t.Fatalf("FlagOrphaned = %d, %v; want 1", n, err)
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if want := d.Key.TxHash == "b"; d.Orphaned != want {
			t.Errorf("delivery %s orphaned = %v, want %v", d.Key.TxHash, d.Orphaned, want)
		}
	}
	// A second flagging of the same block changes nothing.
	if n, _ := s.FlagOrphaned(ctx, "evm_local", 10, []string{"a"}); n != 0 {
		t.Fatalf("re-flagging marked %d", n)
	}
	// A forced resend resets even a delivered record.
	if err := s.ResetDelivery(ctx, key(11, "c")); err != nil {
		t.Fatal(err)
	}
	d, err := s.BeginDelivery(ctx, key(11, "c"), "t", "webhook")
	if err != nil || d.Status != store.DeliverySending || d.Attempts != 2 {
		t.Fatalf("after reset = %+v, %v", d, err)
	}
	if err := s.ResetDelivery(ctx, key(99, "zz")); err == nil {
		t.Fatal("reset of a missing record succeeded")
	}
}
