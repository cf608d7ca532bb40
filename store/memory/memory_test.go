package memory_test

import (
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tasks"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := memory.New()
		// change rewrites a stored tenant, as an operator's edit would.
		change := func(t *testing.T, id string, edit func(*store.Tenant)) {
			tc, err := s.TenantConfig(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			edit(&tc.Tenant)
			s.PutTenant(tc.Tenant, tc.Config, tc.Problems...)
		}
		return storetest.Stores{
			Tenants: s, Networks: s, Cursors: s, Changes: s, Deliveries: s, Progress: s, Resetter: s, Orphans: s,
			PutTenant: func(t *testing.T, slug string, cfg *ozconfig.Config, _ store.RawConfig) string {
				tenant := store.Tenant{ID: "id-" + slug, Slug: slug, Name: slug, Active: true}
				if tc, err := s.TenantConfig(t.Context(), tenant.ID); err == nil {
					tenant = tc.Tenant // keep its tier and state
				}
				s.PutTenant(tenant, cfg)
				return tenant.ID
			},
			SetTier: func(t *testing.T, id string, tier tasks.Tier) {
				change(t, id, func(tn *store.Tenant) { tn.Tier = tier })
			},
			Deactivate: func(t *testing.T, id string) {
				change(t, id, func(tn *store.Tenant) { tn.Active = false })
			},
			PutNetwork: func(t *testing.T, slug string, raw []byte) {
				n, err := ozconfig.ParseNetwork("networks/"+slug+".json", raw)
				if err != nil {
					t.Fatal(err)
				}
				s.PutNetwork(store.NetworkEndpoints{Slug: slug, Config: n})
			},
		}
	})
}
