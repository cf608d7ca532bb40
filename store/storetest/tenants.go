package storetest

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

func tenantSource(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("config round trip", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		f := StandardFixture()
		id := put(t, s, "acme", f)
		tc, err := s.Tenants.TenantConfig(bg(), id)
		must(t, err)
		if len(tc.Problems) != 0 {
			t.Fatalf("problems: %v", tc.Problems)
		}
		if tc.Tenant.ID != id || tc.Tenant.Slug != "acme" || !tc.Tenant.Active || tc.Tenant.Tier != tasks.TierDefault {
			t.Fatalf("tenant = %+v", tc.Tenant)
		}
		if got := sortedKeys(tc.Config.Monitors); !reflect.DeepEqual(got, []string{"Big swaps", "Small swaps"}) {
			t.Fatalf("monitors = %v", got)
		}
		if got := sortedKeys(tc.Config.Triggers); !reflect.DeepEqual(got, []string{"big_hook", "ops_hook"}) {
			t.Fatalf("triggers = %v", got)
		}
		if n := tc.Config.Networks["stellar_testnet"]; n == nil || n.Name != "Stellar stellar_testnet" {
			t.Fatalf("network = %+v", n)
		}
		m := tc.Config.Monitors["Big swaps"]
		if !reflect.DeepEqual(m.Triggers, []string{"ops_hook", "big_hook"}) || m.MatchConditions.Functions[0].Expr == nil {
			t.Fatalf("monitor lost content: %+v", m)
		}
		if tr := tc.Config.Triggers["ops_hook"]; tr.Name != "Ops hook" || tr.Key != "ops_hook" || tr.Webhook == nil {
			t.Fatalf("trigger = %+v", tr)
		}
		if err := tc.Config.Validate("loaded"); err != nil {
			t.Fatalf("loaded config does not validate: %v", err)
		}
		// Storing again updates in place: same tenant, no duplicates.
		f.Monitors["Small swaps"] = MonitorJSON("Small swaps", "stellar_testnet", "amount < 20", "ops_hook")
		if id2 := put(t, s, "acme", f); id2 != id {
			t.Fatalf("re-import created tenant %s, want %s", id2, id)
		}
		tc, err = s.Tenants.TenantConfig(bg(), id)
		must(t, err)
		if len(tc.Config.Monitors) != 2 || tc.Config.Monitors["Small swaps"].MatchConditions.Functions[0].Expression != "amount < 20" {
			t.Fatalf("re-import did not update: %+v", tc.Config.Monitors["Small swaps"])
		}
	})

	t.Run("same monitor names stay apart", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		fa := StandardFixture()
		fb := StandardFixture()
		fb.Monitors["Big swaps"] = MonitorJSON("Big swaps", "stellar_testnet", "amount > 999999", "ops_hook")
		fb.Triggers = map[string]string{"ops_hook": TriggerJSON("Beta ops")}
		a := put(t, s, "alpha", fa)
		b := put(t, s, "beta", fb)
		if a == b {
			t.Fatal("two tenants got one id")
		}
		ta, err := s.Tenants.TenantConfig(bg(), a)
		must(t, err)
		tb, err := s.Tenants.TenantConfig(bg(), b)
		must(t, err)
		if e := ta.Config.Monitors["Big swaps"].MatchConditions.Functions[0].Expression; e != "amount > 1000" {
			t.Fatalf("alpha's monitor = %q", e)
		}
		if e := tb.Config.Monitors["Big swaps"].MatchConditions.Functions[0].Expression; e != "amount > 999999" {
			t.Fatalf("beta's monitor = %q", e)
		}
		if ta.Config.Triggers["ops_hook"].Name != "Ops hook" || tb.Config.Triggers["ops_hook"].Name != "Beta ops" {
			t.Fatal("triggers with the same key mixed between tenants")
		}
		if len(tb.Config.Triggers) != 1 {
			t.Fatalf("beta sees triggers %v", sortedKeys(tb.Config.Triggers))
		}
	})

	t.Run("active tenants by slug with tier", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		if s.SetTier == nil || s.Deactivate == nil {
			t.Skip("the store cannot set tiers or deactivate tenants")
		}
		c := put(t, s, "gamma", StandardFixture())
		a := put(t, s, "alpha", StandardFixture())
		b := put(t, s, "beta", StandardFixture())
		s.SetTier(t, a, tasks.TierCritical)
		s.Deactivate(t, b)
		ts, err := s.Tenants.Tenants(bg())
		must(t, err)
		if len(ts) != 2 || ts[0].Slug != "alpha" || ts[1].Slug != "gamma" || ts[1].ID != c {
			t.Fatalf("tenants = %+v", ts)
		}
		if ts[0].Tier != tasks.TierCritical || ts[1].Tier != tasks.TierDefault || !ts[1].Active {
			t.Fatalf("tenants = %+v", ts)
		}
	})

	t.Run("unknown tenant", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		for _, id := range []string{"not-a-uuid", "00000000-0000-0000-0000-000000000000"} {
			if _, err := s.Tenants.TenantConfig(bg(), id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("config of tenant %s: %v, want ErrNotFound", id, err)
			}
		}
		if ts, err := s.Tenants.Tenants(bg()); err != nil || len(ts) != 0 {
			t.Fatalf("tenants of an empty store: %+v, %v", ts, err)
		}
	})
}

func sortedKeys[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }
