package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenantconfig"
	"github.com/ozmon/ozmon/tenants"
)

// BenchmarkPipelineCost splits what the pipeline spends per mainnet ledger
// into a fixed part (fetch from the simulator, decode LedgerCloseMeta,
// cache put, the fetch-block task, the index lookup, the scheduler's poll:
// a catch-up of the 20 ledgers with no tenant) and a marginal part per
// tenant (the same catch-up with N tenants × 5 monitors, less the fixed
// part, divided by N). Every tenant's five monitors are candidates on the
// ledgers their contracts appear in; "quiet" tenants' expressions never
// hold, "deliver" tenants also have one monitor firing on a rare event, so
// the marginal cost then carries deliver tasks and delivery records too.
//
// Next to it, eval-ms/ledger is what the same tenants' monitors cost in
// monitor.Engine alone (Prepare once per ledger, the index's candidates,
// EvaluateTenant), on one goroutine, and ratio = marginal / evaluation.
//
// CPU is measured, not wall time: this process (worker, scheduler,
// simulator and sink all run in it; getrusage), plus the Redis server
// (its INFO process_id) and the PostgreSQL backends of this process
// (application_name "ozmon-bench"), each from the worker's start to the
// last queue drained. Point OZ_TEST_REDIS_ADDR at a Redis server of the
// benchmark's own for a Redis figure that is not shared with other tests.
// The worker's idle cost (asynq polling, heartbeats) is measured apart, per
// second, and subtracted for the duration of each run.
//
// OZMON_BENCH_TENANTS lists the tenant counts (default "100,1000");
// OZMON_BENCH_BATCH sets max_tenants_per_batch (default 200);
// OZMON_BENCH_QUIET=1 skips the deliver runs (the ratio needs only the
// quiet ones).
// Run it with -benchtime 1x: each iteration is several deployments.
func BenchmarkPipelineCost(b *testing.B) {
	benchPostgresApp(b)
	sizes := []int{100, 1000}
	if s := os.Getenv("OZMON_BENCH_TENANTS"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("OZMON_BENCH_TENANTS: %q is not a number", f)
			}
			sizes = append(sizes, n)
		}
	}
	modes := []bool{false, true}
	if os.Getenv("OZMON_BENCH_QUIET") == "1" {
		modes = modes[:1]
	}
	dir, blocks := mainnetLedgers(b)
	for b.Loop() {
		idle := idleCost(b, dir)
		b.ReportMetric(idle.total()*1000, "idle-CPU-ms/s")
		fixed := catchupCost(b, dir, blocks, 0, false, idle)
		b.ReportMetric(fixed.total()*1000/20, "fixed-CPU-ms/ledger")
		b.ReportMetric(fixed.proc*1000/20, "fixed-proc-ms/ledger")
		b.ReportMetric(fixed.redis*1000/20, "fixed-redis-ms/ledger")
		b.ReportMetric(fixed.pg*1000/20, "fixed-pg-ms/ledger")
		for _, n := range sizes {
			var quiet cpuCost
			var eval float64
			for _, deliver := range modes {
				mode := "quiet"
				if deliver {
					mode = "deliver"
				}
				c := catchupCost(b, dir, blocks, n, deliver, idle)
				if !deliver {
					eval = c.eval
					b.ReportMetric(c.prepare*1000/20, fmt.Sprintf("eval-%d-prepare-ms/ledger", n))
					b.ReportMetric(eval*1000/20, fmt.Sprintf("eval-%d-ms/ledger", n))
				}
				marginal := (c.total() - fixed.total()) / 20 / float64(n)
				b.ReportMetric(c.total(), fmt.Sprintf("%s-%d-CPU-s/catchup", mode, n))
				b.ReportMetric(c.redis, fmt.Sprintf("%s-%d-redis-s/catchup", mode, n))
				b.ReportMetric(c.pg, fmt.Sprintf("%s-%d-pg-s/catchup", mode, n))
				b.ReportMetric(marginal*1e6, fmt.Sprintf("%s-%d-marginal-µs/tenant", mode, n))
				b.ReportMetric(marginal/(eval/20/float64(n)), fmt.Sprintf("%s-%d-ratio", mode, n))
				if deliver {
					// Beyond the quiet run: what each notification costs
					// (deliver task, send, delivery record).
					b.ReportMetric((c.total()-quiet.total())/float64(c.notifications)*1e6, fmt.Sprintf("deliver-%d-µs/notification", n))
				} else {
					quiet = c
				}
			}
		}
	}
}

const benchApp = "ozmon-bench"

// benchPostgresApp names this process's PostgreSQL backends benchApp, so
// that cpuMeter finds them.
func benchPostgresApp(b *testing.B) {
	u := testkit.PostgresURL()
	if strings.Contains(u, "application_name=") {
		return
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	b.Setenv("OZ_TEST_DATABASE_URL", u+sep+"application_name="+benchApp)
}

// closePipeline stops p and closes its store at once (not when the
// benchmark ends), so that the runs do not pile up connections.
func closePipeline(p *pipeline) {
	p.stopAll()
	p.st.Close()
}

// cpuCost is CPU seconds spent by this process, the Redis server and this
// process's PostgreSQL backends.
type cpuCost struct {
	proc, redis, pg float64
	notifications   int // delivered in the run
	// prepare and eval are what monitor.Engine alone spent on the same
	// tenants (quiet runs; evalCost).
	prepare, eval float64
}

func (c cpuCost) total() float64 { return c.proc + c.redis + c.pg }

func (c cpuCost) minus(o cpuCost) cpuCost {
	return cpuCost{proc: c.proc - o.proc, redis: c.redis - o.redis, pg: c.pg - o.pg}
}

func (c cpuCost) scale(f float64) cpuCost {
	return cpuCost{proc: c.proc * f, redis: c.redis * f, pg: c.pg * f}
}

// cpuMeter samples the three CPU counters.
type cpuMeter struct {
	rdb  *redis.Client
	pg   *pgx.Conn
	pids map[int]float64 // PostgreSQL backends seen at start
}

func newCPUMeter(tb testing.TB, p *pipeline) *cpuMeter {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), testkit.PostgresURL())
	if err != nil {
		tb.Fatal(err)
	}
	m := &cpuMeter{rdb: redis.NewClient(p.rdbOpts), pg: conn}
	p.addStop(func() { m.rdb.Close(); conn.Close(context.Background()) })
	return m
}

func (m *cpuMeter) sample(tb testing.TB) cpuCost {
	tb.Helper()
	c := cpuCost{proc: procSec(tb)}
	info, err := m.rdb.Info(context.Background(), "server").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			c.redis = pidCPU(pid)
		}
	}
	// Backends that come and go during a run are counted from their
	// start (0) to the end; one that exits mid-run loses its share.
	rows, err := m.pg.Query(context.Background(), "SELECT pid FROM pg_stat_activity WHERE application_name = $1", benchApp)
	if err != nil {
		tb.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		tb.Fatal(err)
	}
	now := map[int]float64{}
	for _, pid := range pids {
		now[int(pid)] = pidCPU(int(pid))
		c.pg += now[int(pid)]
	}
	if m.pids == nil {
		m.pids = now
	} else {
		for pid, v := range m.pids {
			if _, ok := now[pid]; !ok {
				c.pg += v // gone: keep what it had, so the delta is not negative
			}
		}
	}
	return c
}

func tvSec(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

// pidCPU is a process's user + system CPU seconds (Linux /proc).
func pidCPU(pid int) float64 {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	end := strings.LastIndexByte(string(stat), ')')
	if end < 0 {
		return 0
	}
	f := strings.Fields(string(stat[end+1:]))
	if len(f) < 13 {
		return 0
	}
	var user, sys float64
	_, _ = fmt.Sscan(f[11], &user)
	_, _ = fmt.Sscan(f[12], &sys)
	return (user + sys) / 100
}

// idleCost is what a started worker and scheduler spend per second with
// nothing to do (no new ledger at the simulator).
func idleCost(b *testing.B, dir string) cpuCost {
	p := newPipeline(b, dir)
	defer closePipeline(p)
	m := newCPUMeter(b, p)
	if err := p.st.AdvanceCursor(context.Background(), mainnet, firstLedger); err != nil {
		b.Fatal(err)
	}
	p.startWorker(50, nil)
	p.startSchedulerEvery("@every 1s")
	time.Sleep(time.Second)
	c0 := m.sample(b)
	const span = 4 * time.Second
	time.Sleep(span)
	return m.sample(b).minus(c0).scale(1 / span.Seconds())
}

// costTenants imports n tenants × 5 monitors on the targets' contracts;
// with deliver, each tenant's first monitor fires on a rare event. It
// returns the notifications expected.
func costTenants(b *testing.B, p *pipeline, blocks []*chain.Block, n int, deliver bool) int {
	targets := rareTargets(blocks, 1000)
	rare := rareTargets(blocks, 2)
	want := 0
	raws := make([]store.RawConfig, n)
	for i := 0; i < n; i++ {
		var tgs []eventTarget
		var exprs []string
		for j := 0; j < 5; j++ {
			tgs = append(tgs, targets[(i*5+j)%len(targets)])
			exprs = append(exprs, "0 == 'never-this-value'")
		}
		if deliver {
			tgs[0], exprs[0] = rare[i%len(rare)], ""
			want += len(rare[i%len(rare)].txs)
		}
		_, raws[i] = multiMonitorTenant(b, fmt.Sprintf("t%05d", i), tgs, exprs, p.sink.URL())
	}
	// Through the one write path, as importTenant does, several at once.
	guard, err := notify.NewGuard(notify.Allow("127.0.0.1/32"))
	if err != nil {
		b.Fatal(err)
	}
	w := tenantconfig.New(p.st, tenantconfig.WithNotifyOptions(notify.WithGuard(guard)))
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(4)
	for i, raw := range raws {
		g.Go(func() error {
			t, err := p.st.CreateTenant(ctx, postgres.NewTenant{Slug: fmt.Sprintf("t%05d", i)})
			if err != nil {
				return err
			}
			_, err = w.Apply(ctx, t.ID, auth.Principal{Operator: true}, tenantconfig.Import{Files: files.ItemFiles(raw)})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return want
}

// catchupCost runs the 20 ledgers through one worker with n tenants and
// returns the CPU spent, less the idle cost of the run's duration.
func catchupCost(b *testing.B, dir string, blocks []*chain.Block, n int, deliver bool, idle cpuCost) cpuCost {
	p := newPipeline(b, dir)
	defer closePipeline(p)
	p.batch = 200 // the configuration default
	if v := os.Getenv("OZMON_BENCH_BATCH"); v != "" {
		var err error
		if p.batch, err = strconv.Atoi(v); err != nil || p.batch < 1 {
			b.Fatalf("OZMON_BENCH_BATCH: %q is not a positive number", v)
		}
	}
	p.configure = benchUsage(b, p)
	want := costTenants(b, p, blocks, n, deliver)
	var prepare, eval float64
	if n > 0 && !deliver {
		prepare, eval = evalCost(b, p, blocks)
	}
	m := newCPUMeter(b, p)
	if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
		b.Fatal(err)
	}
	p.startWorker(50, nil)
	// Its start-up is not a ledger's cost: the tenant view reloads every
	// tenant a second after it starts listening for changes.
	time.Sleep(1200 * time.Millisecond)
	settle(b, m)
	stopProfile := windowProfile(b, fmt.Sprintf("%d-%v", n, deliver))
	start := time.Now()
	c0 := m.sample(b)
	p.startSchedulerEvery("@every 1s")
	if want > 0 {
		p.sink.WaitFor(want, 5*time.Minute)
	}
	drained(b, p)
	el := time.Since(start)
	c := m.sample(b).minus(c0).minus(idle.scale(el.Seconds()))
	stopProfile()
	c.notifications, c.prepare, c.eval = want, prepare, eval
	if got := p.sink.Count(); got != want {
		b.Fatalf("%d tenants: %d notifications, want %d", n, got, want)
	}
	b.Logf("%d tenants (deliver %v): %.2f CPU-s (process %.2f, redis %.2f, postgres %.2f) in %s",
		n, deliver, c.total(), c.proc, c.redis, c.pg, el.Round(time.Millisecond))
	return c
}

// settle waits until this process, Redis and this process's PostgreSQL
// backends are idle again: two quarter seconds in a row in which they
// spent under 20 ms of CPU (idle, a worker spends ~5). PostgreSQL counts:
// the tenant view's reload asks it for every tenant's configuration
// fingerprint, and this process only waits meanwhile.
func settle(b *testing.B, m *cpuMeter) {
	deadline := time.Now().Add(2 * time.Minute)
	last, quiet := m.sample(b).total(), 0
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		now := m.sample(b).total()
		if now-last < 0.020 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet == 2 {
			return
		}
		last = now
	}
	b.Fatal("the worker did not settle after start")
}

// windowProfile writes a CPU profile of one run's measured window to
// $OZMON_BENCH_CPUPROFILE-<name>.prof when that is set (instead of
// -test.cpuprofile, which would mostly show the tenants' import).
func windowProfile(b *testing.B, name string) func() {
	prefix := os.Getenv("OZMON_BENCH_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(prefix + "-" + name + ".prof")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// drained waits until every ledger is fetched and evaluated, the cursor
// is at the last ledger and every queue is empty.
func drained(b *testing.B, p *pipeline) {
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if p.sim.Calls("getLedgers") < 20 {
			continue
		}
		cur, _, _ := p.st.Cursor(context.Background(), mainnet)
		if cur != lastLedger {
			continue
		}
		busy := 0
		queues, _ := insp.Queues()
		for _, q := range queues {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Scheduled + info.Retry
			}
		}
		if busy == 0 {
			return
		}
	}
	b.Fatalf("pipeline did not drain: getLedgers=%d", p.sim.Calls("getLedgers"))
}

// evalCost is the CPU seconds monitor.Engine alone spends on the 20
// ledgers for p's tenants (quiet), loaded as a worker loads them: Prepare
// per ledger (prepare), then each candidate tenant's monitors as the index
// finds them (eval). No worker runs yet: the process is otherwise idle.
func evalCost(b *testing.B, p *pipeline, blocks []*chain.Block) (prepare, eval float64) {
	specs := func(_, _ string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			return stellar.ParseSpecJSON(inline)
		}
		return nil, nil
	}
	ts := tenants.New(p.st, tenants.WithSpecs(specs), tenants.WithNetworks(mainnet), tenants.WithLogger(p.log))
	if err := ts.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	ix := ts.Index(mainnet)
	e := monitor.NewEngine()
	ctx := context.Background()
	preps := make([]*monitor.PreparedBlock, len(blocks))
	// Nothing else runs in this process now (no worker, no scheduler).
	c0 := procSec(b)
	for i, blk := range blocks {
		prep, err := e.Prepare(blk)
		if err != nil {
			b.Fatal(err)
		}
		preps[i] = prep
	}
	c1 := procSec(b)
	matches := 0
	for i, blk := range blocks {
		for _, tm := range ix.Candidates(blk) {
			ms, err := e.EvaluateTenant(ctx, tm.TenantID, preps[i], tm.Monitors)
			if err != nil {
				b.Fatal(err)
			}
			matches += len(ms)
		}
	}
	c2 := procSec(b)
	if matches != 0 {
		b.Fatalf("%d matches of never-true expressions", matches)
	}
	return c1 - c0, c2 - c1
}

// procSec is this process's CPU seconds so far.
func procSec(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return tvSec(ru.Utime) + tvSec(ru.Stime)
}

// BenchmarkFanOutCandidates compares the two ways fan-out can find a
// ledger's candidate tenants among 1,000 tenants × 5 monitors, per ledger
// (the 20 mainnet ledgers in turn): the index's per-tenant monitor lists
// (Registry.Candidates, which least_loaded needs) and the tenant ids alone
// with each tenant's tier (what the other strategies read).
func BenchmarkFanOutCandidates(b *testing.B) {
	benchPostgresApp(b)
	dir, blocks := mainnetLedgers(b)
	p := newPipeline(b, dir)
	defer closePipeline(p)
	costTenants(b, p, blocks, 1000, false)
	ts := tenants.New(p.st, tenants.WithNetworks(mainnet), tenants.WithLogger(p.log))
	if err := ts.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Run("monitor-lists", func(b *testing.B) {
		i := 0
		n := 0
		for b.Loop() {
			n += len(ts.Candidates(mainnet, blocks[i%len(blocks)]))
			i++
		}
		if n == 0 {
			b.Fatal("no candidates")
		}
	})
	b.Run("tenant-ids", func(b *testing.B) {
		i, n := 0, 0
		for b.Loop() {
			ids := ts.Index(mainnet).TenantsFor(blocks[i%len(blocks)])
			out := make([]tenants.Candidate, 0, len(ids))
			for _, id := range ids {
				t, _ := ts.Get(id)
				out = append(out, tenants.Candidate{TenantID: id, Tier: t.Tier})
			}
			n += len(out)
			i++
		}
		if n == 0 {
			b.Fatal("no candidates")
		}
	})
}
