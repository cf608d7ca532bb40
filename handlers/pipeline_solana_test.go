package handlers_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
)

const solSlug = "solana_sim"

// TestSolanaThroughThePipeline runs synthetic Solana slots (one skipped,
// v0 transactions with lookup-table CPIs) through scheduler, fetch-block,
// the block cache and fan-out with 10 and with 1,000 tenants: every slot
// costs exactly one getBlock whatever the tenants, the skipped slot is
// cached as an empty block and not retried, the cached blocks equal what
// the node served, and their program ids (what the monitor index looks up)
// include the table-loaded CPI program. Matching Solana monitors come with
// the Solana evaluator; the tenants here watch Stellar contracts.
func TestSolanaThroughThePipeline(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	targets := rareTargets(blocks, 1000)
	for _, n := range []int{10, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newPipeline(t, dir)
			for i := 0; i < n; i++ {
				cfg, raw := tenantConfig(t, fmt.Sprintf("m%d", i), targets[i%len(targets)], "0 == 'never-this-value'", p.sink.URL())
				p.importTenant(fmt.Sprintf("t%04d", i), cfg, raw, "")
			}
			sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 11, StartSlot: 5000, Slots: 12, TxPerSlot: 40}))
			slots := sim.Slots()
			first, tip := slots[0], sim.Tip()
			if err := p.st.AdvanceCursor(context.Background(), solSlug, first-1); err != nil {
				t.Fatal(err)
			}
			var skipped []uint64
			for _, s := range slots {
				if sim.Skipped(s) {
					skipped = append(skipped, s)
				}
			}
			if len(skipped) == 0 {
				t.Fatal("the synthetic slots hold no skipped slot")
			}
			// Each worker's own Solana source, as cmd/ozmon wires it.
			p.configure = func(hc *handlers.Config) {
				client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
				if err != nil {
					t.Error(err)
					return
				}
				hc.Fetchers[solSlug] = &solana.Source{Client: client, Network: solSlug,
					OnSkipped: func(uint64) { hc.Metrics.EmptySlots.WithLabelValues(solSlug).Inc() }}
			}
			p.startWorker(20, nil)
			p.startSolanaScheduler(sim)
			waitUntil(t, 2*time.Minute, "the Solana cursor to reach the tip", func() bool {
				cur, _, _ := p.st.Cursor(context.Background(), solSlug)
				return cur == tip
			})
			waitQueuesIdle(t, p)

			if c := sim.Calls("getBlock"); c != len(slots) {
				t.Errorf("%d tenants: getBlock calls = %d, want %d (one per slot, skipped ones included)", n, c, len(slots))
			}
			if c := p.sim.Calls("getLedgers"); c != 0 {
				t.Errorf("stellar getLedgers = %d without a Stellar scheduler", c)
			}
			rdb := redis.NewClient(p.rdbOpts)
			defer rdb.Close()
			bc, err := cache.New(rdb)
			if err != nil {
				t.Fatal(err)
			}
			sawLookupCPI := false
			for _, s := range slots {
				b, err := bc.Get(context.Background(), solSlug, s)
				if err != nil || b == nil {
					t.Fatalf("slot %d not cached: %v", s, err)
				}
				if slices.Contains(skipped, s) {
					if b.Solana == nil || !b.Solana.Skipped || len(b.Transactions) != 0 {
						t.Errorf("skipped slot %d cached as %+v", s, b)
					}
					continue
				}
				want := *sim.Block(s)
				want.Network = solSlug
				if !reflect.DeepEqual(b, &want) {
					t.Errorf("slot %d: cached block differs from the node's", s)
				}
				sawLookupCPI = sawLookupCPI || slices.Contains(b.Contracts(), ozmontest.SolanaSimLookupProgram)
			}
			if !sawLookupCPI {
				t.Errorf("no cached block lists the lookup-table CPI program %s among its program ids", ozmontest.SolanaSimLookupProgram)
			}
		})
	}
}

// startSolanaScheduler runs a scheduler for the Solana network (tip from
// getSlot, no confirmation offset) every second.
func (p *pipeline) startSolanaScheduler(sim *ozmontest.SolanaSim) {
	p.t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	rpc, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		p.t.Fatal(err)
	}
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log))
	if err := s.AddNetwork(scheduler.Network{Slug: solSlug, CronSchedule: "@every 1s", Tip: &solana.Source{Client: rpc, Network: solSlug}}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
}
