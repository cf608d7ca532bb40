package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// TestRegionLaneFansOutOnlyItsTenants: four tenants watch the same
// contract event, two homed in west, one in east, one without a home (the
// default region, east). A fetch-block of west's lane of the network
// enqueues batches holding west's two tenants only, under TaskIDs of the
// lane, and records the ledger's progress under the lane; east's lane
// gets the other two.
func TestRegionLaneFansOutOnlyItsTenants(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.configure = func(c *handlers.Config) { c.DefaultRegion = "east" }
	tg := rareTargets(blocks, 3)[0]
	var ledger uint64
	for _, l := range tg.txs {
		ledger = l
	}
	ctx := context.Background()
	homes := []string{"west", "east", "", "west"}
	ids := map[string]string{} // id → home
	for i, home := range homes {
		cfg, raw := tenantConfig(t, fmt.Sprintf("t%d", i), tg, "", p.sink.URL())
		id := p.importTenant(fmt.Sprintf("t%d", i), cfg, raw, "")
		if _, err := p.st.UpdateTenant(ctx, id, postgres.TenantChange{HomeRegion: &home}); err != nil {
			t.Fatal(err)
		}
		ids[id] = home
	}
	if _, err := p.sim.Advance(int(ledger) - int(p.sim.Tip()) + 1); err != nil {
		t.Fatal(err)
	}
	h, _ := p.directHandlers(t)
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	for _, region := range []string{"west", "east"} {
		lane := tasks.Lane(mainnet, region)
		fb := tasks.FetchBlock{Network: lane, Ledger: ledger}
		payload, err := fb.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := h.FetchBlock(ctx, asynq.NewTask(tasks.TypeFetchBlock, payload)); err != nil {
			t.Fatalf("fetch-block of lane %s: %v", lane, err)
		}
		pending, err := insp.ListPendingTasks(tasks.EvalQueue(tasks.TierDefault), asynq.PageSize(1000))
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for id, home := range ids {
			if home == region || (home == "" && region == "east") {
				want = append(want, id)
			}
		}
		for _, ti := range pending {
			var bt tasks.EvaluateTenants
			if err := tasks.Decode(asynq.NewTask(ti.Type, ti.Payload), &bt); err != nil {
				t.Fatal(err)
			}
			if bt.Region != region {
				continue // the other lane's
			}
			if bt.Network != mainnet || ti.ID != bt.TaskID() || ti.ID != fmt.Sprintf("eval:%s:%d:%s", lane, ledger, bt.Batch) {
				t.Fatalf("batch of lane %s: network %q region %q task id %s", lane, bt.Network, bt.Region, ti.ID)
			}
			got = append(got, bt.Tenants...)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("lane %s fanned out to %v, want %v (its region's tenants)", lane, got, want)
		}
		var n int
		if err := p.st.Pool().QueryRow(ctx, `SELECT count(*) FROM ozmon_ledger_progress
			WHERE network = $1 AND ledger = $2 AND fanned_out_at IS NOT NULL`, lane, int64(ledger)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("ledger %d's fan-out recorded %d times under lane %s (%v), want once", ledger, n, lane, err)
		}
	}
}
