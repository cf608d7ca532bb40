package tenantconfig_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

func quotaRefused(t *testing.T, err error, quota string, limit int) {
	t.Helper()
	e := refused(t, err, tenantconfig.CodeQuotaExceeded)
	if e.Quota != quota || e.Limit != limit || !strings.Contains(e.Message, fmt.Sprintf("%s is %d", quota, limit)) {
		t.Fatalf("quota error %+v, want %s is %d", e, quota, limit)
	}
}

func TestQuotaMaxMonitorsAtTheBoundary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.setQuota(t, id, "max_monitors", 2)
	e.apply(t, id, p, monitor("m1"))
	e.apply(t, id, p, monitor("m2")) // exactly at the quota
	_, err := e.w.Apply(ctx, id, p, monitor("m3"))
	quotaRefused(t, err, "max_monitors", 2)
	// Replacing one at the quota is not growing.
	e.apply(t, id, p, tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m2", network, "amount > 9"))})
	// Nor is an import of the same two.
	e.apply(t, id, p, tenantconfig.Import{Files: map[string][]byte{
		"monitors/m1.json": []byte(storetest.MonitorJSON("m1", network, "amount > 1")),
	}})
	cfg, _ := e.w.Read(ctx, id)
	if len(cfg.Monitors) != 2 {
		t.Fatalf("monitors = %v", names(cfg.Monitors))
	}
	// The operator may go past it (ozmon import); the load trims.
	e.apply(t, id, auth.Principal{Operator: true}, monitor("m3"))
}

func TestQuotaMaxTriggersPerMonitor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.setQuota(t, id, "max_triggers_per_monitor", 2)
	e.seed(t, id, p)
	e.apply(t, id, p, trigger("t1"))
	e.apply(t, id, p, trigger("t2"))
	e.apply(t, id, p, monitor("m0", "t0", "t1"))
	_, err := e.w.Apply(ctx, id, p, monitor("m0", "t0", "t1", "t2"))
	quotaRefused(t, err, "max_triggers_per_monitor", 2)
	_, err = e.w.Apply(ctx, id, p, tenantconfig.Import{Files: map[string][]byte{
		"monitors/x.json": []byte(storetest.MonitorJSON("x", network, "amount > 1", "t0", "t1", "t2")),
		"triggers/t.json": []byte(`{"t0": ` + storetest.TriggerJSON("t0") + `, "t1": ` + storetest.TriggerJSON("t1") +
			`, "t2": ` + storetest.TriggerJSON("t2") + `}`),
	}})
	quotaRefused(t, err, "max_triggers_per_monitor", 2)
}

func TestQuotaMaxNetworks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.setQuota(t, id, "max_networks", 1)
	// The operator's network, copied for the tenant, is its one network.
	e.apply(t, id, p, monitor("m1"))
	_, err := e.w.Apply(ctx, id, p, tenantconfig.Import{Files: map[string][]byte{
		"networks/own_net.json": []byte(storetest.NetworkJSON("own_net")),
		"monitors/m2.json":      []byte(storetest.MonitorJSON("m2", "own_net", "amount > 1")),
	}})
	quotaRefused(t, err, "max_networks", 1)
	e.setQuota(t, id, "max_networks", 2)
	e.apply(t, id, p, tenantconfig.Import{Files: map[string][]byte{
		"networks/own_net.json": []byte(storetest.NetworkJSON("own_net")),
		"monitors/m2.json":      []byte(storetest.MonitorJSON("m2", "own_net", "amount > 1")),
	}})
}

// Two writers racing for the last monitor slot: the tenant row lock makes
// them take turns, so exactly one wins.
func TestQuotaHoldsUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for round := range 5 {
		id, p := e.tenant(t, fmt.Sprintf("race%d", round))
		e.setQuota(t, id, "max_monitors", 2)
		e.apply(t, id, p, monitor("m0"))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.w.Apply(ctx, id, p, monitor(fmt.Sprintf("new%d", i)))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				quotaRefused(t, err, "max_monitors", 2)
			}
		}
		cfg, _ := e.w.Read(ctx, id)
		if ok != 1 || len(cfg.Monitors) != 2 {
			t.Fatalf("round %d: %d writers succeeded, %d monitors stored (%v)", round, ok, len(cfg.Monitors), errs)
		}
	}
}

// Rows inserted around the API load only up to the quotas, oldest first,
// and the load says what it left out.
func TestLoadTrimsToQuotas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.seed(t, id, p)
	e.apply(t, id, p, trigger("t1"))
	e.apply(t, id, p, trigger("t2"))
	// Around the API: more monitors, and m0 listing three triggers.
	pool := e.st.Pool()
	var netRow string
	if err := pool.QueryRow(ctx, `SELECT network_id::text FROM tenant_monitors WHERE tenant_id = $1`, id).Scan(&netRow); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"z_old", "a_new"} {
		if _, err := pool.Exec(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration, created_at)
			VALUES ($1, $2, $2, $3, $4, NOW() + make_interval(secs => $5))`,
			id, name, netRow, storetest.MonitorJSON(name, network, "amount > 1"), i+1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE tenant_monitors SET configuration = $2 WHERE tenant_id = $1 AND name = 'm0'`,
		id, storetest.MonitorJSON("m0", network, "amount > 1", "t0", "t1", "t2")); err != nil {
		t.Fatal(err)
	}
	e.setQuota(t, id, "max_monitors", 2)
	e.setQuota(t, id, "max_triggers_per_monitor", 1)
	tc, err := e.st.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Config.Monitors["m0"] == nil || tc.Config.Monitors["z_old"] == nil || tc.Config.Monitors["a_new"] != nil {
		t.Fatalf("loaded monitors %v, want the two oldest (m0, z_old)", keys(tc.Config.Monitors))
	}
	if got := tc.Config.Monitors["m0"].Triggers; len(got) != 1 || got[0] != "t0" {
		t.Fatalf("m0 triggers = %v, want [t0]", got)
	}
	var text []string
	for _, p := range tc.Problems {
		text = append(text, p.Error())
	}
	all := strings.Join(text, "\n")
	if len(tc.Problems) != 2 || !strings.Contains(all, `"a_new"`) || !strings.Contains(all, "max_monitors is 2") ||
		!strings.Contains(all, "max_triggers_per_monitor (1)") || !strings.Contains(all, "t1") {
		t.Fatalf("problems:\n%s", all)
	}
	// The loaded set is stable across loads.
	tc2, _ := e.st.TenantConfig(ctx, id)
	if len(tc2.Config.Monitors) != 2 || tc2.Config.Monitors["a_new"] != nil {
		t.Fatal("second load differs")
	}
	var _ store.TenantConfig = *tc
}

func keys[T any](m map[string]T) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
