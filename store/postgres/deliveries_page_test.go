package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
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

// TestListDeliveriesPageIsAnIndexRange: a tenant's page — the newest, one
// after a cursor, one monitor's — is read in order from an index of
// migration 0008 and never sorted, although each batch's records share
// created_at: the cost of a page does not grow with the tenant's log.
func TestListDeliveriesPageIsAnIndexRange(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "acme", standardFixture())
	b := importFixture(t, s, "bravo", standardFixture())
	for _, tenant := range []string{a, b} {
		for batch := range 3 {
			var ds []store.ExpectedDelivery
			for i := range 1000 {
				ds = append(ds, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: fmt.Sprintf("m%d", i%4),
					Network: "stellar_testnet", Ledger: uint64(batch*1000 + i/10), TxHash: fmt.Sprintf("tx%04d", i), Trigger: "hook"}})
			}
			if err := s.ExpectDeliveries(ctx, ds); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE ozmon_deliveries`); err != nil {
		t.Fatal(err)
	}
	first := store.DeliveryFilter{TenantID: a, Limit: 51}
	page, err := s.ListDeliveries(ctx, first)
	if err != nil || len(page) != 51 {
		t.Fatalf("first page: %d records, %v", len(page), err)
	}
	next := first
	pos := store.PositionOf(page[49])
	next.After = &pos
	monitor := first
	monitor.Monitor = "m2"
	for _, c := range []struct {
		name  string
		f     store.DeliveryFilter
		index string
	}{{"first page", first, "idx_ozmon_deliveries_tenant_list"}, {"page after a cursor", next, "idx_ozmon_deliveries_tenant_list"},
		{"one monitor", monitor, "idx_ozmon_deliveries_tenant_monitor_list"}} {
		q, args, _, err := listQuery(c.f)
		if err != nil {
			t.Fatal(err)
		}
		var plan []struct{ Plan planNode }
		var raw []byte
		if err := s.Pool().QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+q, args...).Scan(&raw); err != nil {
			t.Fatalf("%s: explain: %v", c.name, err)
		}
		if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
			t.Fatalf("%s: plan %s: %v", c.name, raw, err)
		}
		var indexes []string
		for n := range plan[0].Plan.all() {
			if strings.Contains(n.NodeType, "Sort") {
				t.Errorf("%s: the plan sorts (%s): %s", c.name, n.NodeType, raw)
			}
			if n.IndexName == "" {
				continue
			}
			// The log is partitioned (migration 0009): a plan names each
			// partition's own index, which is attached to the parent's.
			var parent string
			if err := s.Pool().QueryRow(ctx, `SELECT COALESCE((SELECT inhparent::regclass::text FROM pg_inherits
				WHERE inhrelid = $1::text::regclass), $1::text)`, n.IndexName).Scan(&parent); err != nil {
				t.Fatalf("%s: parent of index %s: %v", c.name, n.IndexName, err)
			}
			if !slices.Contains(indexes, parent) {
				indexes = append(indexes, parent)
			}
		}
		if !slices.Equal(indexes, []string{c.index}) {
			t.Errorf("%s: plan reads indexes %v, want %s", c.name, indexes, c.index)
		}
	}
}

// planNode is a node of EXPLAIN (FORMAT JSON)'s plan.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	IndexName string     `json:"Index Name"`
	Plans     []planNode `json:"Plans"`
}

// all yields n and every node below it.
func (n planNode) all() iter.Seq[planNode] {
	return func(yield func(planNode) bool) {
		var walk func(planNode) bool
		walk = func(n planNode) bool {
			if !yield(n) {
				return false
			}
			for _, c := range n.Plans {
				if !walk(c) {
					return false
				}
			}
			return true
		}
		walk(n)
	}
}
