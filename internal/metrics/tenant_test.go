package metrics_test

import (
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var tenantFamilies = []string{"oz_monitor_tenant_evaluations_total", "oz_monitor_tenant_matches_total",
	"oz_monitor_tenant_deliveries_total", "oz_monitor_tenant_script_milliseconds_total", "oz_monitor_tenant_config_errors_total"}

// count exercises every per-tenant counting method for two tenants.
func count(m *metrics.Metrics) {
	for _, id := range []string{"a", "b"} {
		m.TenantEvaluated(id)
		m.TenantMatched(id, 2)
		m.TenantDelivered(id)
		m.TenantScriptTime(id, 1500*time.Microsecond)
		m.TenantConfigError(id)
	}
}

func TestPerTenantSeriesAreOffByDefault(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	count(m)
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "tenant" {
					t.Errorf("%s has a tenant label by default", f.GetName())
				}
			}
		}
	}
	for name, c := range map[string]struct {
		got  prometheus.Collector
		want float64
	}{"oz_monitor_evaluations_total": {m.Evaluations, 2}, "oz_monitor_config_errors_total": {m.ConfigErrors, 2}, "oz_monitor_script_milliseconds_total": {m.ScriptMs, 3}} {
		if got := testutil.ToFloat64(c.got); got != c.want {
			t.Errorf("%s = %v, want %v", name, got, c.want)
		}
	}
}

func TestPerTenantSeriesWhenEnabled(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.WithTenantLabels(true))
	count(m)
	for _, name := range tenantFamilies {
		if n, err := testutil.GatherAndCount(m.Registry, name); err != nil || n != 2 {
			t.Errorf("%s: %d series (%v), want one per tenant (2)", name, n, err)
		}
	}
	if got := testutil.ToFloat64(m.TenantMatches.WithLabelValues("a")); got != 2 {
		t.Errorf("tenant a matches = %v, want 2", got)
	}
	// The fleet totals count the same either way.
	if got := testutil.ToFloat64(m.Evaluations); got != 2 {
		t.Errorf("oz_monitor_evaluations_total = %v, want 2", got)
	}
}
