package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// TestListDeliveriesPagesWithAfter: records written in one statement share
// created_at, so only the rest of the key orders them. Paging with After
// from each page's last record visits every record once, in the order of
// one unpaged listing, across monitors, ledgers and triggers.
func TestListDeliveriesPagesWithAfter(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	var batch []store.ExpectedDelivery
	for i := range 23 {
		key := store.DeliveryKey{TenantID: tenant, Monitor: fmt.Sprintf("m%d", i%3), Network: "stellar_testnet",
			Ledger: uint64(100 + i%5), TxHash: fmt.Sprintf("tx%02d", i), Trigger: fmt.Sprintf("t%d", i%2)}
		batch = append(batch, store.ExpectedDelivery{Key: key, TaskID: fmt.Sprintf("task-%d", i), Channel: "webhook"})
	}
	if err := s.ExpectDeliveries(ctx, batch); err != nil {
		t.Fatalf("expect: %v", err)
	}
	all, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, Limit: 1000})
	if err != nil || len(all) != len(batch) {
		t.Fatalf("list all: %d records, %v", len(all), err)
	}
	var paged []store.Delivery
	f := store.DeliveryFilter{TenantID: tenant, Limit: 4}
	for range 20 {
		page, err := s.ListDeliveries(ctx, f)
		if err != nil {
			t.Fatalf("page after %v: %v", f.After, err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		pos := store.PositionOf(page[len(page)-1])
		f.After = &pos
	}
	if len(paged) != len(all) {
		t.Fatalf("paging visited %d records, want %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i].Key != all[i].Key {
			t.Fatalf("record %d: paged %s, unpaged %s", i, paged[i].Key, all[i].Key)
		}
		if i > 0 && !store.PositionOf(all[i-1]).Precedes(store.PositionOf(all[i])) {
			t.Fatalf("records %d and %d: store.Precedes disagrees with the SQL order", i-1, i)
		}
	}
}

// TestListDeliveriesRefusesBadPosition: a position naming no UUID tenant
// is the caller's mistake, reported as such, not a database error.
func TestListDeliveriesRefusesBadPosition(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	_, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{After: &store.DeliveryPosition{Key: store.DeliveryKey{TenantID: "nope"}}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}
