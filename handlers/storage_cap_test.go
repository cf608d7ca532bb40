package handlers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// TestTenantOverStorageCapKeepsNoPayloads: a tenant measured over its
// max_storage_mb still gets every notification, recorded once, but its
// records keep no payload; the tenant beside it keeps its payloads.
func TestTenantOverStorageCapKeepsNoPayloads(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	tg := rareTargets(blocks, 2)[0]
	ctx := context.Background()
	ids := map[string]string{}
	for _, slug := range []string{"capped", "roomy"} {
		cfg, raw := tenantConfig(t, "m", tg, "", p.sink.URL())
		ids[slug] = p.importTenant(slug, cfg, raw, "")
	}
	if _, err := p.st.Pool().Exec(ctx, `INSERT INTO ozmon_tenant_storage (tenant_id, delivery_bytes, quota_bytes, over)
		VALUES ($1, 2000000, 1048576, true)`, ids["capped"]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
		t.Fatal(err)
	}
	p.startWorker(10, nil)
	p.startScheduler()
	p.waitDelivered(2*len(tg.txs), time.Minute)
	for slug, id := range ids {
		list, err := p.st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(tg.txs) {
			t.Fatalf("%s: %d records, want %d", slug, len(list), len(tg.txs))
		}
		for _, d := range list {
			_, err := p.st.DeliveryPayload(ctx, d.Key)
			switch {
			case slug == "capped" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("capped tenant's record %s keeps a payload (%v)", d.Key, err)
			case slug == "roomy" && err != nil:
				t.Errorf("roomy tenant's record %s keeps no payload: %v", d.Key, err)
			}
		}
	}
}
