package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

// A worker's load holds each row to the limits: a monitor row over one
// (written by hand, or before the limits existed) is left out as a
// problem naming the limit, and the rest of the tenant still loads.
func TestTenantConfigRowOverALimit(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	id := importFixture(t, s, "acme", standardFixture())
	big := strings.Replace(monitorJSON("Many addresses", "stellar_testnet", "amount > 1"), `"addresses": [`,
		`"addresses": [`+strings.Repeat(`{"address": "`+storetest.Contract+`"}, `, 10_000), 1)
	if _, err := s.pool.Exec(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration)
		SELECT $1, 'Many addresses', 'Many addresses', id, $2 FROM tenant_networks WHERE tenant_id = $1`, id, big); err != nil {
		t.Fatal(err)
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Config.Monitors["Many addresses"] != nil || tc.Config.Monitors["Big swaps"] == nil || len(tc.Problems) != 1 ||
		!strings.Contains(tc.Problems[0].Error(), `tenant_monitors "Many addresses": addresses: has 10001 items, over limits.list_items (10000)`) {
		t.Fatalf("monitors %v, problems %v", sortedMapKeys(tc.Config.Monitors), tc.Problems)
	}
}

// The operator's limits apply at load; the items past limits.tenant_bytes
// (networks, then triggers, then monitors, each by name) are left out.
func TestTenantConfigTenantBytes(t *testing.T) {
	t.Parallel()
	s, url := openTestStore(t)
	ctx := context.Background()
	id := importFixture(t, s, "acme", standardFixture())
	var budget int
	if err := s.pool.QueryRow(ctx, `SELECT
		(SELECT sum(octet_length(configuration::text)) FROM tenant_networks WHERE tenant_id = $1) +
		(SELECT sum(octet_length(configuration::text)) FROM tenant_triggers WHERE tenant_id = $1) +
		(SELECT octet_length(configuration::text) FROM tenant_monitors WHERE tenant_id = $1 AND name = 'Big swaps')`, id).Scan(&budget); err != nil {
		t.Fatal(err)
	}
	limited, err := Open(ctx, url, WithNotifyChannel(s.notifyChannel()), WithLimits(ozconfig.Limits{TenantBytes: budget}))
	if err != nil {
		t.Fatal(err)
	}
	defer limited.Close()
	tc, err := limited.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var ie *store.ItemError
	if tc.Config.Monitors["Big swaps"] == nil || tc.Config.Monitors["Small swaps"] != nil || len(tc.Problems) != 1 ||
		!errors.As(tc.Problems[0], &ie) || ie.Name != "Small swaps" || !strings.Contains(ie.Error(), "over limits.tenant_bytes") {
		t.Fatalf("monitors %v, problems %v", sortedMapKeys(tc.Config.Monitors), tc.Problems)
	}
}
