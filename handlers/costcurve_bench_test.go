package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/internal/testkit/population"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenants"
)

// BenchmarkCostCurve measures what a worker spends on 1,000, 10,000 and
// 100,000 tenants × 5 monitors (the mix of internal/testkit/population)
// over the 20 real mainnet ledgers, with the tenants stored in
// PostgreSQL and loaded through the real store and registry:
//
//   - one op = one ledger: fan-out (candidate tenants from the index,
//     batches by consistent hashing, 200 tenants a batch, as FetchBlock
//     does) and evaluation (each batch's candidates, every tenant
//     evaluated, each match encoded as its deliver tasks carry it, as
//     EvaluateTenants does), on one goroutine, without Redis or
//     deliveries: cpu-ns/ledger is the process's CPU time per ledger;
//     candidates (monitors), cand-tenants, matches, tasks (deliver tasks
//     that would be enqueued) and batches per ledger;
//   - cold-start-s and cold-start-cpu-s: a new registry loading and
//     compiling every tenant from PostgreSQL (wall time, and this
//     process's CPU; PostgreSQL's own CPU is not in it);
//   - heap-B/tenant: live heap after GC with every tenant compiled and
//     indexed, less the heap before the registry existed, per tenant;
//   - live-change-ms (mean) and live-change-max-ms: one tenant's monitor
//     rewritten through the store's write path until the running
//     registry, fed by LISTEN/NOTIFY, serves the new config, once the
//     worker's start-up queries are over; live-change-first-ms: the
//     first change, made as the watcher starts.
//
// Run it with a fixed count (the setup of each size is done once):
//
//	go test -run '^$' -bench CostCurve -benchtime 40x -timeout 60m ./handlers/
func BenchmarkCostCurve(b *testing.B) {
	blocks, err := population.LoadMainnet(testkit.SharedPath(b, "testdata", "stellar", "mainnet"))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000, 100000} {
		var cc *costCurve
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			if cc == nil {
				cc = newCostCurve(b, blocks, n)
			}
			cc.run(b)
		})
		if cc != nil {
			cc.close()
		}
	}
}

type costCurve struct {
	blocks []*chain.Block
	n      int
	reg    *tenants.Registry
	engine *monitor.Engine
	cancel context.CancelFunc

	coldWall, coldCPU time.Duration
	heapPerTenant     float64
	liveFirst         time.Duration
	liveMean, liveMax time.Duration
}

func newCostCurve(b *testing.B, blocks []*chain.Block, n int) *costCurve {
	b.Helper()
	ctx := context.Background()
	url, schema := testkit.PostgresSchema(b)
	// The worker's connections carry a name of their own, so that the
	// live changes can wait for its start-up queries to finish.
	app := "costcurve_" + schema
	url += "&application_name=" + app
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ids, specs, changed := populate(b, blocks, n, url)

	cc := &costCurve{blocks: blocks, n: n, engine: monitor.NewEngine()}
	heap0 := liveHeap()
	cpu0, wall0 := processCPU(), time.Now()
	cc.reg = tenants.New(st, tenants.WithNetworks(population.Network), tenants.WithSpecs(specs),
		tenants.WithLogger(slog.New(slog.DiscardHandler)))
	if err := cc.reg.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	cc.coldWall, cc.coldCPU = time.Since(wall0), processCPU()-cpu0
	if got := cc.reg.Len(); got != n {
		b.Fatalf("registry holds %d tenants, want %d", got, n)
	}
	for _, id := range []string{ids[0], ids[n-1]} {
		if t, _ := cc.reg.Get(id); t == nil || len(t.Problems) > 0 || len(t.Monitors) != population.MonitorsPerTenant {
			b.Fatalf("tenant %s loaded with problems: %+v", id, t)
		}
	}
	cc.heapPerTenant = float64(liveHeap()-heap0) / float64(n)

	wctx, cancel := context.WithCancel(ctx)
	cc.cancel = cancel
	go cc.reg.Watch(wctx, st, time.Hour)
	cc.liveFirst, cc.liveMean, cc.liveMax = liveChanges(b, st, cc.reg, changed, app)
	return cc
}

func (cc *costCurve) close() { cc.cancel() }

// populate generates n tenants and copies them into the database at url.
// It returns their ids, the contract specs a worker would fetch, and the
// changes liveChanges makes: a worker holds no generated JSON, so none is
// kept alive past it and the heap and the collector's work are a
// worker's.
func populate(b *testing.B, blocks []*chain.Block, n int, url string) ([]string, monitor.SpecSource, []liveChange) {
	b.Helper()
	ctx := context.Background()
	pop, err := population.Generate(blocks, n, 17, population.DefaultMix())
	if err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	ids, err := population.CopyInto(ctx, conn, pop)
	if err != nil {
		b.Fatal(err)
	}
	return ids, pop.Specs(), liveChangeTenants(pop, ids)
}

// liveChange is one tenant's monitor as a live change rewrites it.
type liveChange struct {
	id, monitor string
	data        []byte // the monitor, paused
}

// liveChangeTenants picks the tenants liveChanges rewrites, one more than
// it times.
func liveChangeTenants(pop *population.Population, ids []string) []liveChange {
	var out []liveChange
	for k := range liveChangeCount + 1 {
		i := (k*7919 + 13) % len(ids)
		var name string
		for n := range pop.Tenants[i].Monitors {
			name = n
			break
		}
		var m map[string]any
		if err := json.Unmarshal(pop.Tenants[i].Monitors[name], &m); err != nil {
			panic(err) // generated JSON
		}
		m["paused"] = true // a change the registry shows: the monitor leaves the tenant's compiled set
		data, _ := json.Marshal(m)
		out = append(out, liveChange{id: ids[i], monitor: name, data: data})
	}
	return out
}

// liveChangeCount is how many changes are timed.
const liveChangeCount = 5

// liveChanges rewrites one monitor of each tenant, one after the other,
// and times each until the registry serves it. The first (first) waits
// for the watcher to start listening; the others are timed once the
// worker's start-up queries (two fingerprint snapshots and a full reload,
// each reading every tenant's rows) are over, as in steady state.
func liveChanges(b *testing.B, st *postgres.Store, reg *tenants.Registry, changes []liveChange, app string) (first, mean, most time.Duration) {
	b.Helper()
	ctx := context.Background()
	var total time.Duration
	for k, c := range changes {
		start := time.Now()
		err := st.UpdateTenantConfig(ctx, c.id, func(ctx context.Context, tx *postgres.ConfigTx) error {
			_, err := tx.PutMonitor(ctx, c.monitor, population.Network, c.data, true)
			return err
		})
		if err != nil {
			b.Fatalf("change tenant %s: %v", c.id, err)
		}
		deadline := start.Add(2 * time.Minute)
		for {
			if t, ok := reg.Get(c.id); ok && len(t.Monitors) == population.MonitorsPerTenant-1 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("tenant %s: change not served after 2 minutes", c.id)
			}
			time.Sleep(time.Millisecond)
		}
		d := time.Since(start)
		if k == 0 {
			first = d
			waitIdle(b, app)
			continue
		}
		total += d
		most = max(most, d)
	}
	return first, total / time.Duration(len(changes)-1), most
}

// waitIdle waits until no connection named app runs a query (at most two
// minutes, then goes on).
func waitIdle(b *testing.B, app string) {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testkit.PostgresURL())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, app).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (cc *costCurve) run(b *testing.B) {
	ctx := context.Background()
	var cands, candTenants, matches, tasksN, batchesN int
	var fanout, eval time.Duration
	h := &Handlers{cfg: Config{Strategy: ConsistentHashing, Tenants: cc.reg}}
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		blk := cc.blocks[i%len(cc.blocks)]
		t0 := time.Now()
		// Fan-out, as FetchBlock does it.
		cs := h.batchCandidates(population.Network, blk)
		list := make([]candidate, 0, len(cs))
		for _, c := range cs {
			list = append(list, candidate{TenantID: c.TenantID, Tier: c.Tier, Monitors: len(c.Monitors)})
		}
		candTenants += len(cs)
		bs := makeBatches(ConsistentHashing, list, 200, cc.reg.TierTotal)
		batchesN += len(bs)
		t1 := time.Now()
		// Evaluation, as EvaluateTenants does it for each batch.
		prep, err := cc.engine.Prepare(blk)
		if err != nil {
			b.Fatal(err)
		}
		ix := cc.reg.Index(population.Network)
		for _, bt := range bs {
			for _, tm := range ix.CandidatesOfPrepared(prep, bt.Tenants) {
				tn, ok := cc.reg.Get(tm.TenantID)
				if !ok {
					b.Fatalf("tenant %s gone", tm.TenantID)
				}
				cands += len(tm.Monitors)
				ms, err := cc.engine.EvaluateTenant(ctx, tm.TenantID, prep, tm.Monitors)
				if err != nil {
					b.Fatal(err)
				}
				matches += len(ms)
				for _, m := range ms {
					ref, err := m.MarshalOZRef()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := json.Marshal(ref); err != nil {
						b.Fatal(err)
					}
					_ = m.Variables()
					for _, trig := range m.Monitor.Config.Triggers {
						if _, ok := tn.Config.Triggers[trig]; ok {
							tasksN++
						}
					}
				}
			}
		}
		t2 := time.Now()
		fanout += t1.Sub(t0)
		eval += t2.Sub(t1)
	}
	b.StopTimer()
	per := func(x int) float64 { return float64(x) / float64(b.N) }
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/ledger")
	b.ReportMetric(float64(fanout.Nanoseconds())/float64(b.N), "fanout-ns/ledger")
	b.ReportMetric(float64(eval.Nanoseconds())/float64(b.N), "eval-ns/ledger")
	b.ReportMetric(per(cands), "candidates/ledger")
	b.ReportMetric(per(candTenants), "cand-tenants/ledger")
	b.ReportMetric(per(matches), "matches/ledger")
	b.ReportMetric(per(tasksN), "tasks/ledger")
	b.ReportMetric(per(batchesN), "batches/ledger")
	b.ReportMetric(cc.heapPerTenant, "heap-B/tenant")
	b.ReportMetric(cc.coldWall.Seconds(), "cold-start-s")
	b.ReportMetric(cc.coldCPU.Seconds(), "cold-start-cpu-s")
	b.ReportMetric(float64(cc.liveFirst.Microseconds())/1000, "live-change-first-ms")
	b.ReportMetric(float64(cc.liveMean.Microseconds())/1000, "live-change-ms")
	b.ReportMetric(float64(cc.liveMax.Microseconds())/1000, "live-change-max-ms")
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
