package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/store"
)

// With CloseTimeWrites every notification is still delivered and
// recorded once, on the real partitioned log.
func TestCloseTimeWritesRecordEachNotificationOnce(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.configure = func(c *handlers.Config) { c.CloseTimeWrites = true }
	tg := rareTargets(blocks, 2)[0]
	cfg, raw := tenantConfig(t, "m", tg, "", p.sink.URL())
	id := p.importTenant("acme", cfg, raw, "")
	if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
		t.Fatal(err)
	}
	p.startWorker(10, nil)
	p.startScheduler()
	p.waitDelivered(len(tg.txs), time.Minute)
	list, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(tg.txs) {
		t.Fatalf("%d records, want %d", len(list), len(tg.txs))
	}
	for _, d := range list {
		if d.Status != store.DeliveryDelivered || d.Attempts != 1 {
			t.Fatalf("record %+v; want delivered at the first attempt", d)
		}
	}
}
