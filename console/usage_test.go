package console

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// seedUsage records three days of usage for tenant, scaled by k.
func (e *env) seedUsage(tb testing.TB, tenant string, k int64) {
	tb.Helper()
	// Whole days, so each day's sums do not depend on the time of day.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var rows []store.UsageHour
	for d := range 3 {
		for h := range 2 {
			rows = append(rows, store.UsageHour{TenantID: tenant, Hour: today.Add(time.Duration(h-d*24) * time.Hour),
				Ledgers: 100 * k, Evaluations: 250 * k, EvalCPUMicros: 1500 * k, Matches: 7 * k, Delivered: 6 * k, Failed: k})
		}
	}
	if err := e.st.AddUsage(context.Background(), rows); err != nil {
		tb.Fatalf("add usage: %v", err)
	}
}

// TestUsagePage charts the tenant's own usage per day and its quotas.
func TestUsagePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedUsage(t, e.a, 1)
	e.seedUsage(t, e.b, 1000)
	b := e.browser(t)
	b.signIn(e.keyA)
	p := b.get("/console/usage")
	if p.status != http.StatusOK {
		t.Fatalf("usage = %d %s", p.status, p.body)
	}
	today := time.Now().UTC().Format("2006-01-02")
	for _, want := range []string{"Monitors: 2 of", `<svg class="chart"`, `<svg class="gauge"`,
		"<td>" + today + "</td>", "<td>14</td>", "<td>500</td>"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("usage page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "<td>14000</td>") || strings.Contains(p.body, "<td>500000</td>") {
		t.Fatal("another tenant's usage is shown")
	}
}
