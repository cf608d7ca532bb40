package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

// TestBeginDeliveryReportsPreviousStatus: the grouped statement tells
// storetest's story of previous statuses as the single one does.
func TestBeginDeliveryReportsPreviousStatus(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(i int) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: uint64(700 + i), TxHash: "ab", Trigger: "ops_hook"}
	}
	for _, grouped := range []bool{false, true} {
		k := key(0)
		if grouped {
			k = key(1)
		}
		for i, st := range storetest.PreviousStatusSteps() {
			var d store.Delivery
			var err error
			if grouped {
				var rs []result[store.Delivery]
				rs, err = s.beginBatch(ctx, []beginItem{{key: k, taskID: "task", channel: "webhook"}})
				if err == nil {
					d = rs[0].val
				}
			} else {
				d, err = s.BeginDelivery(ctx, k, "task", "webhook")
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Previous != st.Want {
				t.Fatalf("grouped=%v step %d: previous %q, want %q (record %+v)", grouped, i, d.Previous, st.Want, d)
			}
			if st.Finish != "" {
				if err := s.FinishDelivery(ctx, k, st.Finish, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// A reply with a NUL byte or invalid UTF-8 is stored, not refused (a
// refused outcome would leave the record in sending).
func TestFinishDeliveryStoresUnprintableErrors(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 1, TxHash: "ab", Trigger: "ops_hook"}
	if _, err := s.BeginDelivery(ctx, key, "task", "webhook"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDelivery(ctx, key, store.DeliveryFailed, "HTTP 500: a\x00b\xffc"); err != nil {
		t.Fatalf("finish with NUL and invalid UTF-8: %v", err)
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(list) != 1 || list[0].Status != store.DeliveryFailed || list[0].LastError != "HTTP 500: ab\uFFFDc" {
		t.Fatalf("stored: %+v, %v", list, err)
	}
	if _, err := s.BeginDelivery(ctx, store.DeliveryKey{TenantID: "x", Monitor: "m", Network: "n", Trigger: "t"}, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("malformed key: %v, want ErrInvalid", err)
	}
}

// What PostgreSQL adds to storetest's delivery story: tenant ids are
// UUIDs, and a tenant's deliveries go with it.
func TestDeliveriesBelongToTenantRows(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	if _, err := s.BeginDelivery(ctx, store.DeliveryKey{TenantID: "acme", Monitor: "m", Network: "n", Trigger: "t"}, "", ""); err == nil {
		t.Fatal("non-UUID tenant accepted")
	}
	for i, tenant := range []string{a, a, b} {
		k := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: uint64(i + 1), TxHash: "tx", Trigger: "ops_hook"}
		if _, err := s.BeginDelivery(ctx, k, "t", "webhook"); err != nil {
			t.Fatal(err)
		}
	}
	// Deleting a tenant takes its deliveries with it.
	if _, err := s.pool.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	if ds, err := s.ListDeliveries(ctx, store.DeliveryFilter{}); err != nil || len(ds) != 2 {
		t.Fatalf("after deleting beta: %d deliveries, %v", len(ds), err)
	}
}
