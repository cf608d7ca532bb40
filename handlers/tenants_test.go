package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/store"
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
	ts := handlers.NewTenants(p.st, nil, []string{mainnet}, slog.New(slog.NewTextHandler(io.Discard, nil)), m)
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
	if err := p.st.SetTenantTier(ctx, id, store.TierCritical); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "the tier change", func() bool {
		tn, ok := ts.Get(id)
		return ok && tn.Tier() == "critical"
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
