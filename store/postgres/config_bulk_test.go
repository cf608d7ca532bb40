package postgres

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// TestTenantConfigsIsTenantConfig: the bulk load gives every tenant the
// configuration TenantConfig gives it, problems included, and leaves out
// unknown and malformed ids.
func TestTenantConfigsIsTenantConfig(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		ids = append(ids, importFixture(t, s, fmt.Sprintf("tenant-%d", i), standardFixture()))
	}
	// A monitor broken around the API: a problem, the rest still loads.
	if _, err := s.pool.Exec(ctx, `UPDATE tenant_monitors SET configuration = jsonb_set(configuration,
		'{match_conditions,functions,0,expression}', '"amount >"') WHERE tenant_id = $1 AND name = 'Big swaps'`, ids[1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.TenantConfigs(ctx, append([]string{"not-a-uuid", "00000000-0000-4000-8000-000000000000"}, ids...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("loaded %d tenants, want %d", len(got), len(ids))
	}
	byID := map[string]int{}
	for i, tc := range got {
		byID[tc.Tenant.ID] = i
	}
	for _, id := range ids {
		one, err := s.TenantConfig(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		i, ok := byID[id]
		if !ok {
			t.Fatalf("tenant %s missing from the bulk load", id)
		}
		bulk := got[i]
		if !reflect.DeepEqual(bulk.Tenant, one.Tenant) {
			t.Errorf("tenant %s: bulk %+v, one %+v", id, bulk.Tenant, one.Tenant)
		}
		if fmt.Sprint(bulk.Problems) != fmt.Sprint(one.Problems) {
			t.Errorf("tenant %s problems: bulk %v, one %v", id, bulk.Problems, one.Problems)
		}
		if !reflect.DeepEqual(sortedMapKeys(bulk.Config.Monitors), sortedMapKeys(one.Config.Monitors)) ||
			!reflect.DeepEqual(sortedMapKeys(bulk.Config.Triggers), sortedMapKeys(one.Config.Triggers)) ||
			!reflect.DeepEqual(sortedMapKeys(bulk.Config.Networks), sortedMapKeys(one.Config.Networks)) {
			t.Errorf("tenant %s: bulk config differs from TenantConfig's", id)
		}
		for name, m := range one.Config.Monitors {
			if !reflect.DeepEqual(bulk.Config.Monitors[name], m) {
				t.Errorf("tenant %s monitor %q differs", id, name)
			}
		}
	}
	if len(got[byID[ids[1]]].Problems) == 0 {
		t.Error("the broken monitor is not reported")
	}
}
