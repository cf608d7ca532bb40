package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// BenchmarkListDeliveries: a page of 50 (+1, as the API asks) of one
// tenant's 10,000 deliveries, beside 10,000 of another tenant, written in
// batches of 500 as workers write them — each batch's records share one
// created_at, so most of the order lies in the key. "first" is the newest
// page, "page20" the page after 20 pages (keyset cursor), "monitor" the
// first page of one monitor's.
func BenchmarkListDeliveries(b *testing.B) {
	s, _ := openTestStore(b)
	ctx := context.Background()
	var ids []string
	for _, slug := range []string{"acme", "bravo"} {
		tn, err := s.CreateTenant(ctx, NewTenant{Slug: slug, Tier: tasks.TierDefault})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, tn.ID)
	}
	for _, tenant := range ids {
		batch := make([]store.ExpectedDelivery, 0, 500)
		for i := range 10000 {
			batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: fmt.Sprintf("m%d", i%5),
				Network: "stellar_mainnet", Ledger: uint64(1000 + i/50), TxHash: fmt.Sprintf("tx%05d", i), Trigger: "hook"},
				TaskID: fmt.Sprintf("task-%d", i), Channel: "webhook"})
			if len(batch) == cap(batch) {
				if err := s.ExpectDeliveries(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	if _, err := s.Pool().Exec(ctx, `VACUUM ANALYZE ozmon_deliveries`); err != nil {
		b.Fatal(err)
	}
	first := store.DeliveryFilter{TenantID: ids[0], Limit: 51}
	page20 := first
	for range 20 {
		list, err := s.ListDeliveries(ctx, page20)
		if err != nil || len(list) != 51 {
			b.Fatalf("page: %d records, %v", len(list), err)
		}
		pos := store.PositionOf(list[49])
		page20.After = &pos
	}
	monitor := first
	monitor.Monitor = "m3"
	for _, c := range []struct {
		name string
		f    store.DeliveryFilter
	}{{"first", first}, {"page20", page20}, {"monitor", monitor}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				list, err := s.ListDeliveries(ctx, c.f)
				if err != nil || len(list) != 51 {
					b.Fatalf("%d records, %v", len(list), err)
				}
			}
		})
	}
}
