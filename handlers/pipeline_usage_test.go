package handlers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/usage"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestPipelineUsage runs the pipeline with two workers, each with its own
// usage meter, and checks that what lands in ozmon_usage_hourly per tenant
// equals what the run did: the tenant's matches and deliveries exactly, and
// its ledger evaluations as the workers' per-tenant Prometheus series
// counted them, summed over both workers.
func TestPipelineUsage(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.tenantMetrics = true // the cross-check below reads the per-tenant series
	var mu sync.Mutex
	var meters []*usage.Meter
	p.configure = func(c *handlers.Config) {
		m := usage.New(p.st, usage.WithInterval(time.Hour)) // flushed by the test
		mu.Lock()
		meters = append(meters, m)
		mu.Unlock()
		c.Usage = m
	}
	targets := rareTargets(blocks, 3)
	if len(targets) < 12 {
		t.Fatalf("only %d rare event targets", len(targets))
	}
	txs := map[string]int{} // tenant id → notifications expected
	want := 0
	for i := range 12 {
		tg := targets[i*len(targets)/12]
		cfg, raw := tenantConfig(t, fmt.Sprintf("usage-%02d-monitor", i), tg, "", p.sink.URL())
		txs[p.importTenant(fmt.Sprintf("usage-%02d", i), cfg, raw, "")] = len(tg.txs)
		want += len(tg.txs)
	}
	start := time.Now()
	_, m1 := p.startWorkerM(5, nil)
	_, m2 := p.startWorkerM(5, nil)
	p.startScheduler()
	p.advanceAll(100*time.Millisecond, nil)
	p.waitDelivered(want, time.Minute)
	p.stopAll() // every handler returned: nothing counts any more
	if len(meters) != 2 {
		t.Fatalf("%d meters, want one per worker (2)", len(meters))
	}
	ctx := context.Background()
	for _, m := range meters {
		if err := m.Shutdown(); err != nil {
			t.Fatal(err)
		}
	}
	evals := map[string]float64{}
	for _, m := range []*metrics.Metrics{m1, m2} {
		for id := range txs {
			evals[id] += testutil.ToFloat64(m.TenantEvaluations.WithLabelValues(id))
		}
	}
	var cpu int64
	for id, n := range txs {
		rows, err := p.st.Usage(ctx, id, start.Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ ledgers, evaluations, matches, delivered, other int64 }
		for _, r := range rows {
			if r.TenantID != id {
				t.Fatalf("tenant %s's query returned tenant %s's row", id, r.TenantID)
			}
			got.ledgers += r.Ledgers
			got.evaluations += r.Evaluations
			got.matches += r.Matches
			got.delivered += r.Delivered
			got.other += r.Failed + r.Archived + r.Retried
			cpu += r.EvalCPUMicros
		}
		if got.ledgers == 0 || float64(got.ledgers) != evals[id] {
			t.Errorf("tenant %s: %d ledgers metered, the workers' per-tenant series counted %v", id, got.ledgers, evals[id])
		}
		if got.evaluations != got.ledgers { // one monitor per tenant
			t.Errorf("tenant %s: %d monitor evaluations for %d ledgers, want equal (one monitor)", id, got.evaluations, got.ledgers)
		}
		if got.matches != int64(n) || got.delivered != int64(n) || got.other != 0 {
			t.Errorf("tenant %s: %d matches, %d delivered, %d failed/archived/retried; want %d, %d, 0", id, got.matches, got.delivered, got.other, n, n)
		}
	}
	if cpu <= 0 {
		t.Error("no evaluation time metered")
	}
}
