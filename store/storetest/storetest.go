// Package storetest is the conformance suite every store runs: tenants and
// their configs, networks, cursors, change watching, the delivery log and
// ledger progress, asserted alike against store/memory, store/postgres and
// any new store, so a store that passes is one the pipeline can use.
//
// A store's test calls Run with a function that returns a fresh, empty
// store (its own schema, directory or map) for each subtest:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Stores {
//			s := mystore.New()
//			return storetest.Stores{Tenants: s, Deliveries: s, PutTenant: ...}
//		})
//	}
package storetest

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Stores is one fresh, empty store under test. A nil interface is a part
// the store does not implement: its tests are skipped. Writing tenants and
// networks is each store's own business (an import, a directory, a map),
// so the store's test says how, in the functions below.
type Stores struct {
	Tenants    store.TenantSource
	Networks   store.NetworkRegistry
	Cursors    store.CursorStore
	Changes    store.ChangeWatcher
	Deliveries store.DeliveryLog
	Progress   store.Progress
	Resetter   store.DeliveryResetter
	Orphans    store.OrphanFlagger

	// PutTenant stores tenant slug, active, with cfg (raw is each item's
	// original JSON), replacing what slug had, and returns the tenant's
	// id: the same id when slug is stored again. Required by Tenants,
	// Changes and Deliveries (deliveries belong to a tenant).
	PutTenant func(t *testing.T, slug string, cfg *ozconfig.Config, raw store.RawConfig) string
	// SetTier and Deactivate change a stored tenant; nil skips the checks
	// that need them.
	SetTier    func(t *testing.T, tenantID string, tier tasks.Tier)
	Deactivate func(t *testing.T, tenantID string)
	// PutNetwork adds or replaces an operator network given as its JSON.
	// Required by Networks.
	PutNetwork func(t *testing.T, slug string, rawJSON []byte)
}

// Run runs every part of the suite that s implements, each subtest on a
// store of its own from newStores, in parallel.
func Run(t *testing.T, newStores func(t *testing.T) Stores) {
	parts := []struct {
		name string
		has  func(Stores) bool
		run  func(t *testing.T, newStores func(t *testing.T) Stores)
	}{
		{"TenantSource", func(s Stores) bool { return s.Tenants != nil }, tenantSource},
		{"NetworkRegistry", func(s Stores) bool { return s.Networks != nil }, networkRegistry},
		{"CursorStore", func(s Stores) bool { return s.Cursors != nil }, cursorStore},
		{"ChangeWatcher", func(s Stores) bool { return s.Changes != nil }, changeWatcher},
		{"DeliveryLog", func(s Stores) bool { return s.Deliveries != nil }, deliveryLog},
		{"DeliveryResetter", func(s Stores) bool { return s.Resetter != nil }, deliveryResetter},
		{"OrphanFlagger", func(s Stores) bool { return s.Orphans != nil }, orphanFlagger},
		{"Progress", func(s Stores) bool { return s.Progress != nil }, progress},
	}
	// One store tells which parts apply; each subtest makes its own.
	probe := newStores(t)
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			if !p.has(probe) {
				t.Skipf("the store does not implement %s", p.name)
			}
			p.run(t, newStores)
		})
	}
}

// put stores f as tenant slug and returns the tenant's id.
func put(t *testing.T, s Stores, slug string, f Fixture) string {
	t.Helper()
	if s.PutTenant == nil {
		t.Fatal("storetest: Stores.PutTenant is nil; this part of the suite needs it")
	}
	cfg, raw := f.Build(t)
	return s.PutTenant(t, slug, cfg, raw)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func bg() context.Context { return context.Background() }
