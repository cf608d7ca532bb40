package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/tasks"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"
)

// startMeteredWorker is startWorker with the worker's *metrics.Metrics
// handed back, so the test can scrape what the worker exported.
func (p *pipeline) startMeteredWorker(concurrency int) *metrics.Metrics {
	_, m := p.startWorkerM(concurrency, nil)
	return m
}

// startMeteredScheduler is startScheduler with metrics, and with the queue
// collector registered on the same registry, as the scheduler role does.
func (p *pipeline) startMeteredScheduler() *metrics.Metrics {
	p.t.Helper()
	m := metrics.New()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	m.Registry.MustRegister(metrics.NewQueueCollector(insp, tasks.AllQueues()))
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log), scheduler.WithMetrics(m))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, CronSchedule: "@every 1s", Tip: p.src}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
	return m
}

// scrape is one gathered registry: family name → family.
type scrape map[string]*dto.MetricFamily

func gather(t *testing.T, g prometheus.Gatherer) scrape {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := scrape{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// sum adds the values (counter, gauge, or histogram sample count) of the
// series of family name whose labels include every pair of match.
func (s scrape) sum(name string, match ...string) float64 {
	f := s[name]
	if f == nil {
		return 0
	}
	var total float64
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		ok := true
		for i := 0; i+1 < len(match); i += 2 {
			ok = ok && labels[match[i]] == match[i+1]
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

// series counts the series of a family.
func (s scrape) series(name string) int {
	if f := s[name]; f != nil {
		return len(f.GetMetric())
	}
	return 0
}

// TestPipelineMetrics runs the pipeline end to end (20 tenants on rare
// targets of the 20 mainnet ledgers, one worker, one scheduler, both with
// metrics) and checks that what the worker and the scheduler export equals
// what the run did.
func TestPipelineMetrics(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.tenantMetrics = true
	targets := rareTargets(blocks, 3)
	if len(targets) < 20 {
		t.Fatalf("only %d rare event targets", len(targets))
	}
	want := map[notification]int{}
	tenants := map[string]bool{}
	for i := range 20 {
		tg := targets[i*len(targets)/20]
		name := fmt.Sprintf("metrics-%02d-monitor", i)
		cfg, raw := tenantConfig(t, name, tg, "", p.sink.URL())
		tenants[p.importTenant(fmt.Sprintf("metrics-%02d", i), cfg, raw, "")] = true
		for tx := range tg.txs {
			want[notification{name, tx}] = 1
		}
	}
	t.Logf("20 tenants; %d notifications expected", len(want))

	wm := p.startMeteredWorker(10)
	sm := p.startMeteredScheduler()
	p.advanceAll(100*time.Millisecond, nil)
	got := parseNotifications(t, p.waitDelivered(len(want), time.Minute))
	if len(got) != len(want) {
		t.Fatalf("%d distinct notifications, want %d", len(got), len(want))
	}
	// The scheduler may still be catching up with the last ledgers, which
	// carry no match: wait until it has enqueued them all and the queues
	// are empty again.
	// oz_monitor_blocks_behind is set at the start of a tick, before it
	// enqueues, so it reads 0 one tick after the last ledger.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		sc := gather(t, sm.Registry)
		if sc.sum("oz_monitor_ledgers_enqueued_total") >= 20 && sc.series("oz_monitor_blocks_behind") > 0 && sc.sum("oz_monitor_blocks_behind") == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.waitDelivered(len(want), 20*time.Second)

	w := gather(t, wm.Registry)
	s := gather(t, sm.Registry)
	n := float64(len(want))
	eq := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	// Worker: one getLedgers per ledger, all successful.
	eq(`worker oz_monitor_rpc_calls_total{method="getLedgers"}`, w.sum("oz_monitor_rpc_calls_total", "network", mainnet, "method", "getLedgers"), 20)
	eq(`worker oz_monitor_rpc_calls_total{outcome="ok"}`, w.sum("oz_monitor_rpc_calls_total", "outcome", "ok"), 20)
	eq("simulator getLedgers calls", float64(p.sim.Calls("getLedgers")), 20)
	// Matches and deliveries: one per expected notification.
	eq("oz_monitor_matches_total", w.sum("oz_monitor_matches_total", "network", mainnet), n)
	eq(`oz_monitor_deliveries_total{channel="webhook",outcome="delivered"}`, w.sum("oz_monitor_deliveries_total", "channel", "webhook", "outcome", "delivered"), n)
	eq("oz_monitor_deliveries_total (all outcomes)", w.sum("oz_monitor_deliveries_total"), n)
	eq("oz_monitor_ledger_to_delivery_seconds count", w.sum("oz_monitor_ledger_to_delivery_seconds", "network", mainnet), n)
	eq("sum of oz_monitor_tenant_matches_total", w.sum("oz_monitor_tenant_matches_total"), n)
	eq("sum of oz_monitor_tenant_deliveries_total", w.sum("oz_monitor_tenant_deliveries_total"), n)
	eq("oz_monitor_tenant_config_errors_total", w.sum("oz_monitor_tenant_config_errors_total"), 0)
	eq("oz_monitor_tenant_count", w.sum("oz_monitor_tenant_count"), 20)
	// Every tenant was evaluated (each watches a contract of some ledger);
	// no evaluation is counted for a tenant that does not exist.
	if w.series("oz_monitor_tenant_evaluations_total") != len(tenants) {
		t.Errorf("oz_monitor_tenant_evaluations_total has %d tenant series, want %d", w.series("oz_monitor_tenant_evaluations_total"), len(tenants))
	}
	for _, m := range w["oz_monitor_tenant_evaluations_total"].GetMetric() {
		if id := m.GetLabel()[0].GetValue(); !tenants[id] || m.GetCounter().GetValue() < 1 {
			t.Errorf("tenant evaluations of %q = %v", id, m.GetCounter().GetValue())
		}
	}
	if ev := w.sum("oz_monitor_tenant_evaluations_total"); ev < float64(len(tenants)) || ev > 20*float64(len(tenants)) {
		t.Errorf("tenant evaluations = %v, want between %d and %d (tenants × ledgers)", ev, len(tenants), 20*len(tenants))
	}
	// The fleet totals, always on, equal the per-tenant series' sums.
	eq("oz_monitor_evaluations_total", w.sum("oz_monitor_evaluations_total"), w.sum("oz_monitor_tenant_evaluations_total"))
	eq("oz_monitor_config_errors_total", w.sum("oz_monitor_config_errors_total"), 0)
	// Block cache: hits never exceed lookups. A lookup the LRU cannot
	// answer goes to Redis; a Redis lookup is a hit or a miss. Every
	// ledger missed at least once (it was fetched), and the evaluations
	// found it in the worker's LRU instead of refetching.
	lruReq, lruHits := w.sum("oz_monitor_cache_requests_total", "layer", "lru"), w.sum("oz_monitor_cache_hits_total", "layer", "lru")
	rReq, rHits, rMiss := w.sum("oz_monitor_cache_requests_total", "layer", "redis"), w.sum("oz_monitor_cache_hits_total", "layer", "redis"), w.sum("oz_monitor_cache_misses_total", "layer", "redis")
	t.Logf("cache: lru %v lookups %v hits; redis %v lookups %v hits %v misses", lruReq, lruHits, rReq, rHits, rMiss)
	if lruHits > lruReq || rHits > rReq {
		t.Errorf("cache hits exceed lookups: lru %v/%v, redis %v/%v", lruHits, lruReq, rHits, rReq)
	}
	eq("LRU lookups", lruReq, lruHits+rReq)
	eq("Redis lookups", rReq, rHits+rMiss)
	if rMiss < 20 {
		t.Errorf("redis misses = %v, want at least one per fetched ledger (20)", rMiss)
	}
	if lruHits == 0 {
		t.Error("no LRU cache hit: the evaluations refetched the ledgers")
	}
	// Block processing: every ledger fetched once; evaluations observed.
	eq(`oz_monitor_block_processing_duration_seconds{stage="fetch"} count`, w.sum("oz_monitor_block_processing_duration_seconds", "network", mainnet, "stage", "fetch"), 20)
	if w.sum("oz_monitor_block_processing_duration_seconds", "stage", "evaluate") == 0 {
		t.Error("no evaluate stage observed in oz_monitor_block_processing_duration_seconds")
	}

	// Scheduler: 20 ledgers enqueued, none skipped, caught up with the tip;
	// the worker exports none of the scheduler's series and vice versa.
	eq("oz_monitor_ledgers_enqueued_total", s.sum("oz_monitor_ledgers_enqueued_total", "network", mainnet), 20)
	eq("oz_monitor_ledgers_skipped_total", s.sum("oz_monitor_ledgers_skipped_total"), 0)
	if s.series("oz_monitor_blocks_behind") != 1 {
		t.Errorf("oz_monitor_blocks_behind has %d series, want 1", s.series("oz_monitor_blocks_behind"))
	}
	eq("oz_monitor_blocks_behind", s.sum("oz_monitor_blocks_behind", "network", mainnet), 0)
	eq("worker oz_monitor_ledgers_enqueued_total", w.sum("oz_monitor_ledgers_enqueued_total"), 0)
	eq("scheduler oz_monitor_rpc_calls_total", s.sum("oz_monitor_rpc_calls_total"), 0)
	// Queue gauges (scheduler): every queue reported, nothing left behind.
	if got := s.series("oz_monitor_queue_size"); got != 6*len(tasks.AllQueues()) {
		t.Errorf("oz_monitor_queue_size has %d series, want 6 states × %d queues", got, len(tasks.AllQueues()))
	}
	for _, state := range []string{"pending", "active", "scheduled", "retry", "archived"} {
		eq(fmt.Sprintf(`oz_monitor_queue_size{state=%q}`, state), s.sum("oz_monitor_queue_size", "state", state), 0)
	}
	eq("oz_monitor_queue_scrape_errors", s.sum("oz_monitor_queue_scrape_errors"), 0)

	// Every series the Grafana dashboard and the alert rules query is one
	// these processes exported in the run.
	checkDashboardAndAlertNames(t, w, s)
}

// omRE finds metric names in PromQL.
var omRE = regexp.MustCompile(`\boz_monitor_[a-z0-9_]+`)

// rareFamilies are families a healthy run has no series of: registered, but
// counted only when something goes wrong or a rare feature is used.
var rareFamilies = map[string]string{
	"oz_monitor_ledgers_skipped_total": "only when the cursor falls beyond max_past_blocks",
}

func checkDashboardAndAlertNames(t *testing.T, scrapes ...scrape) {
	t.Helper()
	exported := map[string]string{} // series name → family type
	for _, s := range scrapes {
		for name, f := range s {
			exported[name] = f.GetType().String()
			if f.GetType() == dto.MetricType_HISTOGRAM {
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					exported[name+suf] = "HISTOGRAM series"
				}
			}
		}
	}
	// Families without series are not gathered: take them from a fresh
	// registry in which every family has one series.
	registered := map[string]bool{}
	// Default options, as deployed: the dashboard and the alerts must not
	// depend on the opt-in per-tenant series.
	fresh := metrics.New()
	fresh.LedgersSkipped.WithLabelValues(mainnet, "max_past_blocks").Add(0)
	for name := range gather(t, fresh.Registry) {
		registered[name] = true
	}

	var exprs []string
	data, err := os.ReadFile(filepath.Join("..", "deploy", "grafana", "ozmon-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	data, err = os.ReadFile(filepath.Join("..", "deploy", "prometheus", "alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	if len(exprs) < 20 {
		t.Fatalf("only %d dashboard and alert expressions found", len(exprs))
	}
	used := map[string]bool{}
	for _, e := range exprs {
		for _, name := range omRE.FindAllString(e, -1) {
			used[name] = true
		}
	}
	names := make([]string, 0, len(used))
	for name := range used {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := exported[name]; ok {
			continue
		}
		family := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suf); ok && exported[base] == dto.MetricType_HISTOGRAM.String() {
				family = base
			}
		}
		if why, rare := rareFamilies[family]; rare && registered[family] {
			t.Logf("%s: queried, registered, no series in this run (%s)", name, why)
			continue
		}
		t.Errorf("the dashboard or an alert queries %s, which neither the worker nor the scheduler exported", name)
	}
	t.Logf("%d metric names used by the dashboard and alerts; all exported", len(names))
}
