package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestConfigChangesReachRunningWorkers: a worker's tenant view follows
// PostgreSQL through LISTEN/NOTIFY — a new monitor, a tier change and a
// deactivated tenant all arrive without a restart or a full reload.
func TestConfigChangesReachRunningWorkers(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	tgs := rareTargets(blocks, 3)
	cfg, raw := tenantConfig(t, "first", tgs[0], "", "http://127.0.0.1:9/hook")
	id := p.importTenant("acme", cfg, raw, "")
	m := metrics.New()
	ts := tenants.New(p.st, tenants.WithNetworks(mainnet), tenants.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), tenants.WithMetrics(m))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := ts.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// An hour between full reloads: only notifications can explain a change.
	go ts.Watch(ctx, p.st, time.Hour)
	if got := len(ts.Index(mainnet).Tenant(id)); got != 1 {
		t.Fatalf("initial monitors = %d", got)
	}
	// A second monitor is added to the tenant.
	cfg2, raw2 := tenantConfig(t, "second", tgs[1], "", "http://127.0.0.1:9/hook")
	cfg.Monitors["second"], raw.Monitors["second"] = cfg2.Monitors["second"], raw2.Monitors["second"]
	p.importTenant("acme", cfg, raw, "")
	waitUntil(t, 30*time.Second, "the new monitor to reach the worker", func() bool {
		return len(ts.Index(mainnet).Tenant(id)) == 2
	})
	if err := p.st.SetTenantTier(ctx, id, tasks.TierCritical); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "the tier change", func() bool {
		tn, ok := ts.Get(id)
		return ok && tn.Tier == "critical"
	})
	if _, err := p.st.Pool().Exec(ctx, `UPDATE tenants SET is_active = false WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "the deactivation", func() bool {
		_, ok := ts.Get(id)
		return !ok && len(ts.Index(mainnet).Tenant(id)) == 0
	})
	if n := testutil.ToFloat64(m.TenantCount); n != 0 {
		t.Fatalf("tenant gauge = %v after the only tenant was deactivated", n)
	}
}

// countingSource counts TenantConfig loads of a real store.
type countingSource struct {
	store.TenantSource
	mu    sync.Mutex
	loads map[string]int
}

func (c *countingSource) TenantConfig(ctx context.Context, id string) (*store.TenantConfig, error) {
	c.mu.Lock()
	c.loads[id]++
	c.mu.Unlock()
	return c.TenantSource.TenantConfig(ctx, id)
}

func (c *countingSource) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loads[id]
}

// TestReloadSkipsUnchangedTenants: a periodic reload recompiles only the
// tenants whose configuration changed, and keeps retrying a tenant whose
// last load had problems (they may pass: a spec, a DNS answer).
func TestReloadSkipsUnchangedTenants(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	tgs := rareTargets(blocks, 3)
	cfgA, rawA := tenantConfig(t, "a", tgs[0], "", "http://127.0.0.1:9/hook")
	a := p.importTenant("alpha", cfgA, rawA, "")
	cfgB, rawB := tenantConfig(t, "b", tgs[1], "", "http://127.0.0.1:9/hook")
	b := p.importTenant("beta", cfgB, rawB, "")
	cfgC, rawC := tenantConfig(t, "c", tgs[2], "", "http://127.0.0.1:9/hook")
	c := p.importTenant("gamma", cfgC, rawC, "")
	// gamma's monitor is broken in the database: a problem on every load.
	ctx := context.Background()
	if _, err := p.st.Pool().Exec(ctx, `UPDATE tenant_monitors SET configuration = '{"name": 7}' WHERE tenant_id = $1`, c); err != nil {
		t.Fatal(err)
	}
	src := &countingSource{TenantSource: p.st, loads: map[string]int{}}
	ts := tenants.New(src, tenants.WithNetworks(mainnet), tenants.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	for range 3 {
		if err := ts.Reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := src.count(a) + src.count(b); got != 2 {
		t.Fatalf("unchanged tenants loaded %d times in three reloads, want once each", got)
	}
	if got := src.count(c); got != 3 {
		t.Fatalf("tenant with a broken monitor loaded %d times in three reloads, want 3", got)
	}
	cfgA2, rawA2 := tenantConfig(t, "a2", tgs[1], "", "http://127.0.0.1:9/hook")
	cfgA.Monitors["a2"], rawA.Monitors["a2"] = cfgA2.Monitors["a2"], rawA2.Monitors["a2"]
	p.importTenant("alpha", cfgA, rawA, "")
	if err := ts.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if src.count(a) != 2 || src.count(b) != 1 {
		t.Fatalf("after editing alpha: alpha loaded %d times (want 2), beta %d (want 1)", src.count(a), src.count(b))
	}
	if got := len(ts.Index(mainnet).Tenant(a)); got != 2 {
		t.Fatalf("alpha has %d monitors indexed after its edit, want 2", got)
	}
}
