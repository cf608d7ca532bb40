package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
)

func TestTenantsAndChanges(t *testing.T) {
	t.Parallel()
	st := memory.New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan string, 4)
	go func() { _ = st.WatchChanges(ctx, func(id string) { changed <- id }) }()
	time.Sleep(20 * time.Millisecond) // let the watcher subscribe
	st.PutTenant(store.Tenant{ID: "b", Slug: "b", Active: true}, nil)
	st.PutTenant(store.Tenant{ID: "a", Slug: "a", Active: true, Tier: store.TierHigh}, nil)
	st.PutTenant(store.Tenant{ID: "z", Slug: "z", Active: false}, nil)
	list, _ := st.Tenants(ctx)
	if len(list) != 2 || list[0].ID != "a" || list[1].Tier != store.TierDefault {
		t.Fatalf("Tenants = %+v", list)
	}
	for _, want := range []string{"b", "a", "z"} {
		select {
		case got := <-changed:
			if got != want {
				t.Fatalf("change %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no change notification for %q", want)
		}
	}
	if _, err := st.TenantConfig(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown tenant: %v", err)
	}
}

func TestCursorNeverBackwards(t *testing.T) {
	t.Parallel()
	st := memory.New()
	ctx := context.Background()
	_ = st.AdvanceCursor(ctx, "n", 10)
	_ = st.AdvanceCursor(ctx, "n", 5)
	if c, ok, _ := st.Cursor(ctx, "n"); !ok || c != 10 {
		t.Fatalf("cursor = %d %v", c, ok)
	}
}

func TestDeliveredIsFinal(t *testing.T) {
	t.Parallel()
	st := memory.New()
	ctx := context.Background()
	k := store.DeliveryKey{TenantID: "t", Monitor: "m", Network: "n", Ledger: 1, TxHash: "h", Trigger: "hook"}
	d, _ := st.BeginDelivery(ctx, k, "id1", "webhook")
	if d.Attempts != 1 || d.Status != store.DeliverySending {
		t.Fatalf("first begin = %+v", d)
	}
	_ = st.FinishDelivery(ctx, k, store.DeliveryDelivered, "")
	_ = st.FinishDelivery(ctx, k, store.DeliveryFailed, "late failure")
	d, _ = st.BeginDelivery(ctx, k, "id1", "webhook")
	if d.Status != store.DeliveryDelivered || d.Attempts != 1 || d.DeliveredAt == nil {
		t.Fatalf("after delivery = %+v", d)
	}
	list, _ := st.ListDeliveries(ctx, store.DeliveryFilter{Status: store.DeliveryDelivered})
	if len(list) != 1 {
		t.Fatalf("list = %+v", list)
	}
	list, _ = st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: "other"})
	if len(list) != 0 {
		t.Fatalf("filter by tenant leaked %+v", list)
	}
}
