package postgres

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/tasks"
)

// TestTenantVersionFollowsEveryConfigChange: the Version a reload trusts to
// skip a tenant must move on any edit to what a worker compiles — also an
// edit that leaves updated_at as it was — and stay put otherwise.
func TestTenantVersionFollowsEveryConfigChange(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	version := func(id string) string {
		t.Helper()
		list, err := s.Tenants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tn := range list {
			if tn.ID == id {
				tc, err := s.TenantConfig(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if tc.Tenant.Version != tn.Version {
					t.Fatalf("TenantConfig version %q, Tenants version %q with nothing changed", tc.Tenant.Version, tn.Version)
				}
				if tn.Version == "" {
					t.Fatal("empty version")
				}
				return tn.Version
			}
		}
		t.Fatalf("tenant %s not listed", id)
		return ""
	}
	va, vb := version(a), version(b)
	if va == vb {
		t.Fatal("two tenants share a version")
	}
	if again := version(a); again != va {
		t.Fatalf("version moved with nothing changed: %q then %q", va, again)
	}
	edits := []struct {
		name, sql string
	}{
		{"monitor configuration, updated_at kept", `UPDATE tenant_monitors SET configuration = jsonb_set(configuration, '{paused}', 'true'), updated_at = updated_at WHERE tenant_id = $1 AND name = 'Big swaps'`},
		{"monitor deactivated", `UPDATE tenant_monitors SET is_active = false WHERE tenant_id = $1 AND name = 'Big swaps'`},
		{"trigger configuration", `UPDATE tenant_triggers SET configuration = jsonb_set(configuration, '{name}', '"renamed"') WHERE tenant_id = $1 AND name = 'big_hook'`},
		{"network configuration", `UPDATE tenant_networks SET configuration = jsonb_set(configuration, '{max_past_blocks}', '7') WHERE tenant_id = $1`},
		{"tenant row", `UPDATE tenants SET max_monitors = 99 WHERE id = $1`},
		{"trigger removed", `DELETE FROM tenant_triggers WHERE tenant_id = $1 AND name = 'big_hook'`},
	}
	for _, e := range edits {
		before := version(a)
		if _, err := s.pool.Exec(ctx, e.sql, a); err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if after := version(a); after == before {
			t.Errorf("%s: version did not move", e.name)
		}
	}
	before := version(a)
	if err := s.SetTenantTier(ctx, a, tasks.TierCritical); err != nil {
		t.Fatal(err)
	}
	if version(a) == before {
		t.Error("tier change: version did not move")
	}
	if version(b) != vb {
		t.Error("editing alpha moved beta's version")
	}
}
