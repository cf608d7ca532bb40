package api

import (
	"context"
	"strings"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
)

func (r *queryResolver) Tenant(ctx context.Context) (*Tenant, error) {
	p, err := tenantCaller(ctx, "tenant", canRead)
	if err != nil {
		return nil, err
	}
	t, err := r.o.store.Tenant(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return tenantOf(t), nil
}

func (r *queryResolver) Me(ctx context.Context) (*Caller, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	c := &Caller{Actor: p.Actor(), Operator: p.Operator}
	if p.TenantID != "" {
		id, slug, role := p.TenantID, p.TenantSlug, roleOf(p.Role)
		c.TenantID, c.TenantSlug, c.Role = &id, &slug, &role
	}
	return c, nil
}

func tenantOf(t store.Tenant) *Tenant {
	return &Tenant{ID: t.ID, Slug: t.Slug, Name: t.Name, Tier: Tier(strings.ToUpper(string(t.Tier))), Active: t.Active,
		Quotas: &Quotas{MaxMonitors: t.MaxMonitors, MaxNetworks: t.MaxNetworks, MaxTriggersPerMonitor: t.MaxTriggers,
			MaxRPCRequestsPerMinute: t.MaxRPCRequestsPerMinute, MaxStorageMb: t.MaxStorageMB}}
}

func roleOf(r auth.Role) Role { return Role(strings.ToUpper(string(auth.ParseRole(string(r))))) }
