package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// TestImportThenTenantConfigRoundTrip: what PostgreSQL adds to storetest's
// round trip: the schema's quota defaults, and the rows the tenant API
// would write, holding the user's JSON.
func TestImportThenTenantConfigRoundTrip(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	f := standardFixture()
	id := importFixture(t, s, "acme", f)

	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Tenant.MaxMonitors != 10 || tc.Tenant.MaxRPCRequestsPerMinute != 1000 {
		t.Fatalf("tenant quotas not the schema defaults: %+v", tc.Tenant)
	}

	// The stored JSONB is the user's JSON (same value, as JSONB keeps no
	// formatting), and the columns are what the tenant API would write.
	var monitorID, name, conf string
	if err := s.pool.QueryRow(ctx, `SELECT monitor_id, name, configuration::text FROM tenant_monitors
		WHERE tenant_id = $1 AND name = 'Big swaps'`, id).Scan(&monitorID, &name, &conf); err != nil {
		t.Fatal(err)
	}
	if monitorID != "Big swaps" || !sameJSON(t, conf, f.Monitors["Big swaps"]) {
		t.Fatalf("stored monitor %q = %s", monitorID, conf)
	}
	var typ, owner string
	if err := s.pool.QueryRow(ctx, `SELECT t.type, m.name, t.configuration::text FROM tenant_triggers t
		JOIN tenant_monitors m ON m.id = t.monitor_id WHERE t.tenant_id = $1 AND t.trigger_id = 'ops_hook'`, id).Scan(&typ, &owner, &conf); err != nil {
		t.Fatal(err)
	}
	if typ != "webhook" || owner != "Big swaps" || !sameJSON(t, conf, f.Triggers["ops_hook"]) {
		t.Fatalf("stored trigger: type %s owner %s conf %s", typ, owner, conf)
	}
}

func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(va, vb)
}

func TestBrokenMonitorRowsAreReportedNotFatal(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	id := importFixture(t, s, "acme", standardFixture())
	var netRow string
	if err := s.pool.QueryRow(ctx, `SELECT id::text FROM tenant_networks WHERE tenant_id = $1`, id).Scan(&netRow); err != nil {
		t.Fatal(err)
	}
	unknownKey := strings.Replace(monitorJSON("Colourful", "stellar_testnet", "amount > 1"), `"paused": false,`, `"paused": false, "colour": "red",`, 1)
	broken := map[string]string{
		"Not an object":  `"just a string"`,
		"Colourful":      unknownKey,
		"Bad expression": monitorJSON("Bad expression", "stellar_testnet", "amount >>> AND ("),
		"Missing hook":   monitorJSON("Missing hook", "stellar_testnet", "amount > 1", "no_such_trigger"),
		"Other network":  monitorJSON("Other network", "stellar_mainnet", "amount > 1"),
		"big swaps ":     monitorJSON("big swaps ", "stellar_testnet", "amount > 1"),
	}
	for name, conf := range broken {
		if _, err := s.pool.Exec(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration)
			VALUES ($1, $2, $2, $3, $4)`, id, name, netRow, conf); err != nil {
			t.Fatalf("insert %s: %v", name, err)
		}
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedMapKeys(tc.Config.Monitors); !reflect.DeepEqual(got, []string{"Big swaps", "Small swaps"}) {
		t.Fatalf("good monitors = %v, want both", got)
	}
	want := map[string]string{
		"Not an object":  "expected",
		"Colourful":      "colour",
		"Bad expression": "expression",
		"Missing hook":   "no_such_trigger",
		"Other network":  "stellar_mainnet",
		"big swaps ":     `already used by monitor "Big swaps"`,
	}
	if len(tc.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(tc.Problems), len(want), tc.Problems)
	}
	for _, p := range tc.Problems {
		var ie *store.ItemError
		if !errors.As(p, &ie) {
			t.Fatalf("problem %v is not an ItemError", p)
		}
		frag, ok := want[ie.Name]
		if !ok || ie.Table != "tenant_monitors" || ie.Tenant != "acme" {
			t.Fatalf("unexpected problem %+v", ie)
		}
		msg := p.Error()
		t.Logf("problem: %s", msg)
		if !strings.Contains(msg, frag) || !strings.HasPrefix(msg, `tenant acme: tenant_monitors "`+ie.Name+`": `) {
			t.Errorf("problem for %s = %q, want it to mention %q", ie.Name, msg, frag)
		}
	}
}

func TestBrokenTriggerAndNetworkRows(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	id := importFixture(t, s, "acme", standardFixture())
	// A trigger with a config of the wrong shape takes its monitors with it
	// (they reference it), but not the monitors that do not.
	if _, err := s.pool.Exec(ctx, `UPDATE tenant_triggers SET configuration = '{"name": "x", "trigger_type": "webhook", "config": {}}'
		WHERE tenant_id = $1 AND name = 'big_hook'`, id); err != nil {
		t.Fatal(err)
	}
	// A network whose slug disagrees with its network_id.
	if _, err := s.pool.Exec(ctx, `INSERT INTO tenant_networks (tenant_id, network_id, name, blockchain, configuration)
		VALUES ($1, 'stellar_other', 'x', 'stellar', $2)`, id, networkJSON("stellar_elsewhere")); err != nil {
		t.Fatal(err)
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range tc.Problems {
		var ie *store.ItemError
		if errors.As(p, &ie) {
			got[ie.Table+"/"+ie.Name] = true
		}
	}
	for _, w := range []string{"tenant_triggers/big_hook", "tenant_networks/stellar_other", "tenant_monitors/Big swaps"} {
		if !got[w] {
			t.Errorf("no problem for %s in %v", w, tc.Problems)
		}
	}
	if tc.Config.Monitors["Small swaps"] == nil || tc.Config.Triggers["ops_hook"] == nil || tc.Config.Networks["stellar_testnet"] == nil {
		t.Fatalf("healthy items were dropped: %v", tc.Problems)
	}
}

func TestTenantsListsActiveOnlyWithTier(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	if err := s.SetTenantTier(ctx, a, tasks.TierCritical); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE tenants SET is_active = false WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	// NULL flags and quotas (allowed by the original schema) read as the
	// defaults.
	c := importFixture(t, s, "gamma", standardFixture())
	if _, err := s.pool.Exec(ctx, `UPDATE tenants SET is_active = NULL, max_monitors = NULL WHERE id = $1`, c); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Slug != "alpha" || ts[1].Slug != "gamma" {
		t.Fatalf("tenants = %+v", ts)
	}
	if ts[0].Tier != tasks.TierCritical || ts[1].Tier != tasks.TierDefault || ts[1].MaxMonitors != 10 || !ts[1].Active {
		t.Fatalf("tenants = %+v", ts)
	}
	if err := s.SetTenantTier(ctx, a, "urgent"); err == nil {
		t.Fatal("unknown tier accepted")
	}
	if err := s.SetTenantTier(ctx, "00000000-0000-0000-0000-000000000000", tasks.TierLow); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tier of a missing tenant: %v", err)
	}
	if _, err := s.TenantConfig(ctx, "not-a-uuid"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("config of a bad id: %v", err)
	}
	if _, err := s.TenantConfig(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("config of a missing tenant: %v", err)
	}
}
