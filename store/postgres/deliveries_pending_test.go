package postgres

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// PendingDeliveries lists only pending records of the network inside the
// window, oldest first, and pages on from a position without repeating or
// skipping one.
func TestPendingDeliveriesPagesThroughTheWindow(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(net string, i int) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: net, Ledger: uint64(100 + i), TxHash: fmt.Sprintf("tx%d", i), Trigger: "ops_hook"}
	}
	var ds []store.ExpectedDelivery
	for i := range 7 {
		ds = append(ds, store.ExpectedDelivery{Key: key("stellar_testnet", i), TaskID: fmt.Sprint("task", i), Payload: []byte{byte(i)}})
	}
	ds = append(ds, store.ExpectedDelivery{Key: key("stellar_mainnet", 0), TaskID: "other"})
	start := time.Now().Add(-time.Second)
	if err := s.ExpectDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// Attempted records are no longer pending.
	if _, err := s.BeginDelivery(ctx, key("stellar_testnet", 3), "task3", "webhook"); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(time.Second)
	var seen []uint64
	var after *store.DeliveryPosition
	for page := 0; ; page++ {
		list, err := s.PendingDeliveries(ctx, store.PendingScope{Network: "stellar_testnet"}, start, end, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			if d.Key.Network != "stellar_testnet" || len(d.Payload) != 1 || d.TaskID != fmt.Sprint("task", d.Key.Ledger-100) {
				t.Fatalf("page %d: record %+v", page, d)
			}
			seen = append(seen, d.Key.Ledger)
		}
		if len(list) < 2 {
			break
		}
		last := list[len(list)-1]
		after = &store.DeliveryPosition{CreatedAt: last.CreatedAt, Key: last.Key}
	}
	if fmt.Sprint(seen) != "[100 101 102 104 105 106]" {
		t.Fatalf("pages listed ledgers %v; want every pending one once, 103 (attempted) left out", seen)
	}
	if list, err := s.PendingDeliveries(ctx, store.PendingScope{Network: "stellar_testnet"}, end, end.Add(time.Hour), nil, 10); err != nil || len(list) != 0 {
		t.Fatalf("a window after the records listed %v (%v)", list, err)
	}
}

// A region's scope lists only the pending records of tenants homed there
// (a tenant without a home region belongs to the default one), so a
// region's scheduler never requeues another region's notifications into
// its own Redis.
func TestPendingDeliveriesOfARegion(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	homed := importFixture(t, s, "acme", standardFixture())
	unhomed := importFixture(t, s, "beta", standardFixture())
	east := "east"
	if _, err := s.UpdateTenant(ctx, homed, TenantChange{HomeRegion: &east}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Second)
	var ds []store.ExpectedDelivery
	for i, tenant := range []string{homed, unhomed} {
		ds = append(ds, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet",
			Ledger: uint64(100 + i), TxHash: "tx", Trigger: "ops_hook"}, TaskID: fmt.Sprint("task", i)})
	}
	if err := s.ExpectDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(time.Second)
	for _, c := range []struct {
		scope store.PendingScope
		want  string
	}{
		{store.PendingScope{Network: "stellar_testnet"}, "[100 101]"},
		{store.PendingScope{Network: "stellar_testnet", Region: "east", DefaultRegion: "west"}, "[100]"},
		{store.PendingScope{Network: "stellar_testnet", Region: "west", DefaultRegion: "west"}, "[101]"},
		{store.PendingScope{Network: "stellar_testnet", Region: "east", DefaultRegion: "east"}, "[100 101]"},
		{store.PendingScope{Network: "stellar_testnet", Region: "north", DefaultRegion: "west"}, "[]"},
	} {
		list, err := s.PendingDeliveries(ctx, c.scope, start, end, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, d := range list {
			got = append(got, d.Key.Ledger)
		}
		slices.Sort(got) // one batch: same created_at, then random tenant ids
		if fmt.Sprint(got) != c.want {
			t.Errorf("%+v listed ledgers %v; want %s", c.scope, got, c.want)
		}
	}
}
