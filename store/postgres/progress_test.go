package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tasks"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s, _ := openTestStore(t)
		return storetest.Stores{
			Tenants: s, Networks: s, Cursors: s, Changes: s, Deliveries: s, Progress: s, Resetter: s, Orphans: s,
			PutTenant: func(t *testing.T, slug string, cfg *ozconfig.Config, raw store.RawConfig) string {
				id, err := s.ImportTenant(t.Context(), slug, cfg, raw)
				if err != nil {
					t.Fatalf("import tenant %s: %v", slug, err)
				}
				return id
			},
			SetTier: func(t *testing.T, id string, tier tasks.Tier) {
				if err := s.SetTenantTier(t.Context(), id, tier); err != nil {
					t.Fatal(err)
				}
			},
			Deactivate: func(t *testing.T, id string) {
				if _, err := s.pool.Exec(t.Context(), `UPDATE tenants SET is_active = false WHERE id = $1`, id); err != nil {
					t.Fatal(err)
				}
			},
			PutNetwork: func(t *testing.T, slug string, raw []byte) {
				if err := s.UpsertNetwork(t.Context(), slug, raw); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}

// The delivery log keys records by the tenant's UUID: anything else is
// refused as invalid, not retried (the rest of the story is storetest's).
func TestExpectDeliveriesRefusesMalformedKey(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	if err := s.ExpectDeliveries(context.Background(), []store.ExpectedDelivery{{Key: store.DeliveryKey{TenantID: "x", Monitor: "m", Network: "n", Trigger: "t"}}}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("malformed key: %v", err)
	}
}
