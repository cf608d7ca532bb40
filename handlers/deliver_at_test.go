package handlers_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// countingLog is the real store, counting which of its begin and finish
// writes the deliver handler calls.
type countingLog struct {
	*postgres.Store
	at, across atomic.Int64
}

func (c *countingLog) BeginDelivery(ctx context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	c.across.Add(1)
	return c.Store.BeginDelivery(ctx, key, taskID, channel)
}

func (c *countingLog) FinishDelivery(ctx context.Context, key store.DeliveryKey, status store.DeliveryStatus, lastError string) error {
	c.across.Add(1)
	return c.Store.FinishDelivery(ctx, key, status, lastError)
}

func (c *countingLog) BeginDeliveryAt(ctx context.Context, key store.DeliveryKey, at time.Time, taskID, channel string) (store.Delivery, error) {
	c.at.Add(1)
	return c.Store.BeginDeliveryAt(ctx, key, at, taskID, channel)
}

func (c *countingLog) FinishDeliveryAt(ctx context.Context, key store.DeliveryKey, at time.Time, status store.DeliveryStatus, lastError string) error {
	c.at.Add(1)
	return c.Store.FinishDeliveryAt(ctx, key, at, status, lastError)
}

// By default the deliver handler writes each record on its close time's
// partition, and with NoCloseTimeWrites across partitions; either way
// every notification is delivered and recorded once, on the real
// partitioned log.
func TestCloseTimeWritesRecordEachNotificationOnce(t *testing.T) {
	t.Parallel()
	for _, off := range []bool{false, true} {
		name := "default"
		if off {
			name = "no_close_time_writes"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, blocks := mainnetLedgers(t)
			p := newPipeline(t, dir)
			log := &countingLog{Store: p.st}
			p.records = log
			p.configure = func(c *handlers.Config) { c.NoCloseTimeWrites = off }
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
			// A begin and a finish per notification, all by one path.
			want := int64(2 * len(tg.txs))
			at, across := log.at.Load(), log.across.Load()
			if off && (at != 0 || across < want) {
				t.Errorf("with NoCloseTimeWrites: %d close-time writes, %d across partitions; want 0 and at least %d", at, across, want)
			}
			if !off && (across != 0 || at < want) {
				t.Errorf("by default: %d close-time writes, %d across partitions; want at least %d and 0", at, across, want)
			}
		})
	}
}
