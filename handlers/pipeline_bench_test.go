package handlers_test

import (
	"context"
	"encoding/json"
	"sync"

	"fmt"
	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
	"sort"
	"testing"
	"time"

	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/store"
)

// multiMonitorTenant gives one tenant a monitor per target; monitor i
// carries expressions[i] ("" = fire on every event of the target).
func multiMonitorTenant(b testing.TB, prefix string, tgs []eventTarget, expressions []string, sinkURL string) (*monitor.Config, store.RawConfig) {
	cfg, raw := tenantConfig(b, prefix+"-0", tgs[0], expressions[0], sinkURL)
	for i := 1; i < len(tgs); i++ {
		c, r := tenantConfig(b, fmt.Sprintf("%s-%d", prefix, i), tgs[i], expressions[i], sinkURL)
		for k, v := range c.Monitors {
			cfg.Monitors[k] = v
			raw.Monitors[k] = r.Monitors[k]
		}
	}
	return cfg, raw
}

// BenchmarkPipeline1000Tenants runs the 20 real mainnet ledgers through
// one worker process with 1,000 tenants × 5 monitors (one monitor per
// tenant fires on a rare event, four are candidates whose expressions do
// not hold). It reports
//   - ledgers/s when all 20 ledgers are already at the tip (catch-up), and
//   - the latency from a ledger appearing at the simulator to its
//     notifications reaching the webhook sink, p50 and p99, with ledgers
//     appearing every 500 ms and the default 1 s scheduler poll.
//
// Run it with -benchtime 1x: each iteration is a whole deployment.
func BenchmarkPipeline1000Tenants(b *testing.B) {
	dir, blocks := mainnetLedgers(b)
	targets := rareTargets(blocks, 1000)
	rare := rareTargets(blocks, 2)
	for b.Loop() {
		for _, mode := range []string{"catchup", "latency"} {
			p := newPipeline(b, dir)
			p.batch = 200 // the configuration default
			for i := 0; i < 1000; i++ {
				tgs := []eventTarget{rare[i%len(rare)]}
				exprs := []string{""}
				for j := 1; j < 5; j++ {
					tgs = append(tgs, targets[(i*5+j)%len(targets)])
					exprs = append(exprs, "0 == 'never-this-value'")
				}
				cfg, raw := multiMonitorTenant(b, fmt.Sprintf("t%04d", i), tgs, exprs, p.sink.URL())
				p.importTenant(fmt.Sprintf("t%04d", i), cfg, raw, "")
			}
			want := 0
			for i := 0; i < 1000; i++ {
				want += len(rare[i%len(rare)].txs)
			}
			ledgerOfTx := map[string]uint64{}
			for _, blk := range blocks {
				for _, tx := range blk.Transactions {
					ledgerOfTx[tx.Hash] = blk.Ledger
				}
			}
			switch mode {
			case "catchup":
				if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
					b.Fatal(err)
				}
				p.startWorker(50, nil)
				start := time.Now()
				p.startSchedulerEvery("@every 100ms")
				evaluated := make(chan time.Duration, 1)
				go func() { evaluated <- waitEvaluated(p, start) }()
				reqs := p.waitDelivered(want, 5*time.Minute)
				b.ReportMetric(20/(<-evaluated).Seconds(), "ledgers-evaluated/s")
				// Until the last notification reached the sink: the whole
				// ledger → notification pipeline, not the test's polling.
				el := reqs[len(reqs)-1].At.Sub(start)
				b.Logf("catch-up took %s; first notification after %s", el, reqs[0].At.Sub(start))
				b.ReportMetric(20/el.Seconds(), "ledgers-delivered/s")
				b.ReportMetric(float64(want), "notifications")
			case "latency":
				p.startWorker(50, nil)
				p.startSchedulerEvery("*/1 * * * * *")
				appeared := map[uint64]time.Time{firstLedger: time.Now()}
				for p.sim.Tip() < lastLedger {
					time.Sleep(500 * time.Millisecond)
					tip, err := p.sim.Advance(1)
					if err != nil {
						b.Fatal(err)
					}
					appeared[uint64(tip)] = time.Now()
				}
				reqs := p.waitDelivered(want, 5*time.Minute)
				var lat []time.Duration
				for _, r := range reqs {
					var body struct{ Body string }
					if err := json.Unmarshal(r.Body, &body); err != nil {
						b.Fatal(err)
					}
					l, ok := ledgerOfTx[body.Body]
					if !ok {
						b.Fatalf("notification for unknown tx %q", body.Body)
					}
					lat = append(lat, r.At.Sub(appeared[l]))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
			}
			p.stopAll()
		}
	}
}

// BenchmarkDeliveries measures one worker process sending notifications to
// a local webhook receiver: 5,000 deliver tasks of 10 tenants are queued,
// then a worker (concurrency 50, notify queues only) drains them. It
// reports deliveries/s, and the delivery record's own cost (BeginDelivery
// + FinishDelivery on PostgreSQL, 50 at a time) as p50/p99.
func BenchmarkDeliveries(b *testing.B) {
	dir, blocks := mainnetLedgers(b)
	tgs := rareTargets(blocks, 1)
	for b.Loop() {
		p := newPipeline(b, dir)
		ids := make([]string, 10)
		for i := range ids {
			cfg, raw := tenantConfig(b, fmt.Sprintf("m%d", i), tgs[i], "", p.sink.URL())
			ids[i] = p.importTenant(fmt.Sprintf("t%d", i), cfg, raw, "")
		}
		const n = 5000
		rdb := redis.NewClient(p.rdbOpts)
		client := asynq.NewClientFromRedisClient(rdb)
		g, ctx := errgroup.WithContext(context.Background())
		g.SetLimit(32)
		for i := 0; i < n; i++ {
			g.Go(func() error {
				tx := fmt.Sprintf("%064x", i)
				_, err := tasks.Enqueue(ctx, client, tasks.Deliver{TenantID: ids[i%10], Monitor: fmt.Sprintf("m%d", i%10), Network: mainnet,
					Ledger: firstLedger, TxHash: tx, Trigger: "hook", Tier: tasks.TierDefault,
					Vars: map[string]string{"monitor.name": "bench", "transaction.hash": tx}})
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		notifyOnly := map[string]int{}
		for _, tr := range tasks.Tiers() {
			notifyOnly[tasks.NotifyQueue(tr)] = 1
		}
		start := time.Now()
		p.startWorker(50, notifyOnly)
		reqs := p.waitDelivered(n, 5*time.Minute)
		el := reqs[len(reqs)-1].At.Sub(start)
		b.ReportMetric(float64(n)/el.Seconds(), "deliveries/s")

		// The record's cost alone: one writer (the latency a delivery adds
		// on an idle system), then 50 concurrent writers as in a busy worker.
		for _, conc := range []int{1, 50} {
			lat := recordLatency(b, p, ids, conc)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, fmt.Sprintf("record-c%d-p50-ms", conc))
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, fmt.Sprintf("record-c%d-p99-ms", conc))
		}
		client.Close()
		rdb.Close()
		p.stopAll()
	}
}

// recordLatency times BeginDelivery + FinishDelivery, conc at a time.
func recordLatency(b *testing.B, p *pipeline, ids []string, conc int) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(conc)
	for i := 0; i < 1000; i++ {
		g.Go(func() error {
			k := store.DeliveryKey{TenantID: ids[i%10], Monitor: fmt.Sprintf("rec%d", conc), Network: mainnet, Ledger: 1, TxHash: fmt.Sprint(i), Trigger: "hook"}
			t0 := time.Now()
			if _, err := p.st.BeginDelivery(ctx, k, "task", "webhook"); err != nil {
				return err
			}
			if err := p.st.FinishDelivery(ctx, k, store.DeliveryDelivered, ""); err != nil {
				return err
			}
			mu.Lock()
			lat = append(lat, time.Since(t0))
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat
}

// waitEvaluated returns how long after start every ledger had been fetched
// and every evaluate-tenants task run (deliveries may still be going).
func waitEvaluated(p *pipeline, start time.Time) time.Duration {
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	for {
		time.Sleep(10 * time.Millisecond)
		if p.sim.Calls("getLedgers") < 20 {
			continue
		}
		busy, done := 0, 0
		for _, q := range []string{tasks.QueueBlocks, tasks.EvalQueue(tasks.TierDefault)} {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Retry
				done += info.Completed
			}
		}
		if busy == 0 && done > 20 {
			return time.Since(start)
		}
	}
}
