package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/usage"
)

// multiMonitorTenant gives one tenant a monitor per target; monitor i
// carries expressions[i] ("" = fire on every event of the target).
func multiMonitorTenant(b testing.TB, prefix string, tgs []eventTarget, expressions []string, sinkURL string) (*ozconfig.Config, store.RawConfig) {
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
//   - ledgers/s when all 20 ledgers are already at the tip (catch-up):
//     evaluated (every ledger fetched, every tenant evaluated, every
//     deliver task queued) and delivered (every notification at the
//     sink), with the CPU the machine, Redis and PostgreSQL spent, and
//   - the latency from a ledger appearing at the simulator to its
//     notifications reaching the webhook sink, p50 and p99, with ledgers
//     appearing every 500 ms and the default 1 s scheduler poll.
//
// Run it with -benchtime 1x: each iteration is a whole deployment.
func BenchmarkPipeline1000Tenants(b *testing.B) {
	benchPostgresApp(b)
	dir, blocks := mainnetLedgers(b)
	targets := rareTargets(blocks, 1000)
	rare := rareTargets(blocks, 2)
	for b.Loop() {
		for _, mode := range []string{"catchup", "latency"} {
			p := newPipeline(b, dir)
			p.batch = 200 // the configuration default
			p.configure = benchUsage(b, p)
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
				cpu0 := sysCPU()
				rc0, pc0 := procCPU("redis-server"), procCPU("postgres")
				// This process, its Redis server and its own PostgreSQL
				// backends: unlike the whole machine's, not shared with
				// whatever else runs (see BenchmarkPipelineCost).
				meter := newCPUMeter(b, p)
				own0 := meter.sample(b)
				p.startSchedulerEvery("@every 1s")
				evaluated := make(chan time.Duration, 1)
				go func() { evaluated <- waitEvaluated(p, start) }()
				reqs := p.waitDelivered(want, 5*time.Minute)
				b.ReportMetric(20/(<-evaluated).Seconds(), "ledgers-evaluated/s")
				// Until the last notification reached the sink: the whole
				// ledger → notification pipeline, not the test's polling.
				el := reqs[len(reqs)-1].At.Sub(start)
				// Where the two cores went: the whole machine, and the
				// Redis and PostgreSQL servers' share of it (Linux /proc).
				b.ReportMetric(sysCPU()-cpu0, "machine-CPU-s")
				b.ReportMetric(procCPU("redis-server")-rc0, "redis-CPU-s")
				b.ReportMetric(procCPU("postgres")-pc0, "postgres-CPU-s")
				own := meter.sample(b).minus(own0)
				b.ReportMetric(own.total(), "own-CPU-s")
				b.ReportMetric(own.proc, "own-process-CPU-s")
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
// a local webhook receiver: 5,000 deliver tasks of 10 tenants, each with a
// real match's variables and MonitorMatch JSON, are queued,
// then a worker (concurrency 50, notify queues only) drains them. It
// reports deliveries/s, and the delivery record's own cost (BeginDelivery
// + FinishDelivery on PostgreSQL, 50 at a time) as p50/p99.
// benchUsage meters usage as cmd/ozmon does with a database, unless
// OZMON_BENCH_USAGE is "off" (to compare).
func benchUsage(tb testing.TB, p *pipeline) func(*handlers.Config) {
	if os.Getenv("OZMON_BENCH_USAGE") == "off" {
		tb.Log("usage metering off")
		return nil
	}
	return func(c *handlers.Config) {
		m := usage.New(p.st)
		c.Usage = m
		p.addStop(func() { _ = m.Shutdown() })
	}
}

// deliveryBounds reads OZMON_BENCH_BOUNDS ("off" to measure without the
// in-flight bounds); the default is cmd/ozmon's for a pool of 50.
func deliveryBounds(tb testing.TB) (perTenant, perDest int) {
	if os.Getenv("OZMON_BENCH_BOUNDS") == "off" {
		tb.Log("in-flight bounds off")
		return 0, 0
	}
	return 5, 25
}

func BenchmarkDeliveries(b *testing.B) {
	dir, blocks := mainnetLedgers(b)
	tgs := rareTargets(blocks, 1)
	for b.Loop() {
		p := newPipeline(b, dir)
		// The bounds cmd/ozmon derives from a notify pool of 50: a tenth per
		// tenant, half per destination host (every tenant here sends to one).
		p.configure = func(c *handlers.Config) { c.TenantInFlight, c.DestinationInFlight = deliveryBounds(b) }
		ids := make([]string, 10)
		for i := range ids {
			cfg, raw := tenantConfig(b, fmt.Sprintf("m%d", i), tgs[i], "", p.sink.URL())
			ids[i] = p.importTenant(fmt.Sprintf("t%d", i), cfg, raw, "")
		}
		vars, match := realMatch(b, blocks, tgs[0])
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
					Vars: vars, Match: match})
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
		timed := &timedRecords{DeliveryLog: p.st, begun: map[store.DeliveryKey]time.Duration{}}
		p.records = timed
		start := time.Now()
		p.startWorker(50, notifyOnly)
		reqs := p.waitDelivered(n, 5*time.Minute)
		el := reqs[len(reqs)-1].At.Sub(start)
		b.ReportMetric(float64(n)/el.Seconds(), "deliveries/s")
		// What the record added to each delivery of that run (begin +
		// outcome, at full throughput).
		lat := timed.latencies()
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "record-inrun-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "record-inrun-p99-ms")

		// The same with deliveries arriving evenly at 1,000/s for four
		// seconds (the producer runs in this process too), instead of a
		// backlog drained flat out.
		timed.reset()
		const paced = 4000
		g, ctx = errgroup.WithContext(context.Background())
		tick := time.NewTicker(2 * time.Millisecond)
		for i := 0; i < paced; i += 2 {
			<-tick.C
			for j := i; j < i+2; j++ {
				g.Go(func() error {
					tx := fmt.Sprintf("paced%059x", j)
					_, err := tasks.Enqueue(ctx, client, tasks.Deliver{TenantID: ids[j%10], Monitor: fmt.Sprintf("m%d", j%10), Network: mainnet,
						Ledger: firstLedger, TxHash: tx, Trigger: "hook", Tier: tasks.TierDefault, Vars: vars, Match: match})
					return err
				})
			}
		}
		tick.Stop()
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		p.waitDelivered(n+paced, 5*time.Minute)
		lat = timed.latencies()
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "record-at1000-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "record-at1000-p99-ms")

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

// realMatch is what a real deliver task carries: the template variables
// and MonitorMatch JSON of a match of tg on the mainnet ledgers (~3 KB).
func realMatch(b *testing.B, blocks []*chain.Block, tg eventTarget) (map[string]string, json.RawMessage) {
	cfg, _ := tenantConfig(b, "bench", tg, "", "http://127.0.0.1:9")
	cm, err := monitor.Compile("00000000-0000-0000-0000-000000000001", cfg.Monitors["bench"], nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, blk := range blocks {
		ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), blk, []*monitor.CompiledMonitor{cm})
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) > 0 {
			js, err := ms[0].MarshalOZJSON()
			if err != nil {
				b.Fatal(err)
			}
			return ms[0].Variables(), js
		}
	}
	b.Fatalf("no match for %s %s", tg.contract, tg.signature)
	return nil, nil
}

// timedRecords times each delivery's BeginDelivery + FinishDelivery.
type timedRecords struct {
	store.DeliveryLog
	mu    sync.Mutex
	begun map[store.DeliveryKey]time.Duration
	total []time.Duration
}

func (r *timedRecords) BeginDelivery(ctx context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	t0 := time.Now()
	d, err := r.DeliveryLog.BeginDelivery(ctx, key, taskID, channel)
	r.mu.Lock()
	r.begun[key] = time.Since(t0)
	r.mu.Unlock()
	return d, err
}

func (r *timedRecords) FinishDelivery(ctx context.Context, key store.DeliveryKey, status store.DeliveryStatus, lastError string) error {
	t0 := time.Now()
	err := r.DeliveryLog.FinishDelivery(ctx, key, status, lastError)
	el := time.Since(t0)
	r.mu.Lock()
	r.total = append(r.total, r.begun[key]+el)
	r.mu.Unlock()
	return err
}

func (r *timedRecords) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total = nil
}

func (r *timedRecords) latencies() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat := slices.Clone(r.total)
	slices.Sort(lat)
	return lat
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

// sysCPU is the CPU time the whole machine has spent busy, in seconds (0
// where /proc/stat is missing).
func sysCPU() float64 {
	data, _ := os.ReadFile("/proc/stat")
	var user, nice, sys, idle, iowait, irq, softirq float64
	_, _ = fmt.Sscanf(string(data), "cpu %f %f %f %f %f %f %f", &user, &nice, &sys, &idle, &iowait, &irq, &softirq)
	return (user + nice + sys + irq + softirq) / 100
}

// procCPU is the CPU time, in seconds, of the live processes whose name
// starts with name (0 where /proc is missing).
func procCPU(name string) float64 {
	ents, _ := os.ReadDir("/proc")
	var total float64
	for _, e := range ents {
		comm, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil || !strings.HasPrefix(string(comm), name) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		end := strings.LastIndexByte(string(stat), ')')
		if err != nil || end < 0 {
			continue
		}
		f := strings.Fields(string(stat[end+1:]))
		if len(f) < 13 {
			continue
		}
		var user, sys float64
		_, _ = fmt.Sscan(f[11], &user)
		_, _ = fmt.Sscan(f[12], &sys)
		total += (user + sys) / 100
	}
	return total
}
