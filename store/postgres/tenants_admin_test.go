package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

func TestTenantAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t)
	five, big := 5, 1<<40
	ten, err := s.CreateTenant(ctx, NewTenant{Slug: "acme", Tier: tasks.TierHigh, Quotas: Quotas{MaxMonitors: &five}})
	if err != nil {
		t.Fatal(err)
	}
	if ten.Name != "acme" || ten.Tier != tasks.TierHigh || ten.MaxMonitors != 5 || ten.MaxNetworks != 5 || !ten.Active {
		t.Fatalf("created %+v", ten)
	}
	if _, err := s.CreateTenant(ctx, NewTenant{Slug: "acme"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate slug: %v", err)
	}
	for _, bad := range []NewTenant{{Slug: ""}, {Slug: "-x"}, {Slug: "UP"}, {Slug: "ok", Tier: "gold"}, {Slug: "ok", Quotas: Quotas{MaxNetworks: &big}}} {
		if _, err := s.CreateTenant(ctx, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	off, low, name := false, tasks.TierLow, "Acme Corp"
	ten, err = s.UpdateTenant(ctx, ten.ID, TenantChange{Active: &off, Tier: &low, Name: &name})
	if err != nil || ten.Active || ten.Tier != tasks.TierLow || ten.Name != "Acme Corp" || ten.MaxMonitors != 5 {
		t.Fatalf("update: %+v %v", ten, err)
	}
	all, err := s.AllTenants(ctx)
	if err != nil || len(all) != 1 || all[0].ID != ten.ID {
		t.Fatalf("all tenants (the disabled one included): %+v %v", all, err)
	}
	if active, _ := s.Tenants(ctx); len(active) != 0 {
		t.Fatalf("a disabled tenant is listed as active: %+v", active)
	}
	for _, id := range []string{"00000000-0000-4000-8000-000000000000", "not-a-uuid"} {
		if _, err := s.UpdateTenant(ctx, id, TenantChange{Active: &off}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update %s: %v", id, err)
		}
	}
}
