package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

func (r *mutationResolver) CreateTenant(ctx context.Context, in CreateTenantInput) (*Tenant, error) {
	if err := operatorOnly(ctx, "createTenant"); err != nil {
		return nil, err
	}
	if !slugRE.MatchString(in.Slug) {
		return nil, badInput("createTenant: slug %q: want 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit", clip(in.Slug))
	}
	if err := checkTenantName("createTenant", &in.Name); err != nil {
		return nil, err
	}
	nt := postgres.NewTenant{Slug: in.Slug, Name: in.Name, Tier: tasks.TierDefault}
	if in.Tier != nil {
		nt.Tier = tasks.Tier(strings.ToLower(string(*in.Tier)))
	}
	t, err := r.o.store.CreateTenant(ctx, nt)
	if err != nil {
		return nil, tenantAdminError("createTenant", err)
	}
	return tenantOf(t), nil
}

func (r *mutationResolver) SetTenant(ctx context.Context, id string, in SetTenantInput) (*Tenant, error) {
	if err := operatorOnly(ctx, "setTenant"); err != nil {
		return nil, err
	}
	if err := checkTenantName("setTenant", in.Name); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		name string
		v    *int
	}{{"maxMonitors", in.MaxMonitors}, {"maxNetworks", in.MaxNetworks}, {"maxTriggersPerMonitor", in.MaxTriggersPerMonitor},
		{"maxRpcRequestsPerMinute", in.MaxRPCRequestsPerMinute}, {"maxStorageMb", in.MaxStorageMb}} {
		if q.v != nil && (*q.v < 0 || *q.v > math.MaxInt32) {
			return nil, badInput("setTenant: %s is %d: want 0 to %d", q.name, *q.v, math.MaxInt32)
		}
	}
	ch := postgres.TenantChange{Name: in.Name, Active: in.Active, Quotas: postgres.Quotas{MaxMonitors: in.MaxMonitors,
		MaxNetworks: in.MaxNetworks, MaxTriggersPerMonitor: in.MaxTriggersPerMonitor,
		MaxRPCRequestsPerMinute: in.MaxRPCRequestsPerMinute, MaxStorageMB: in.MaxStorageMb}}
	if in.Tier != nil {
		tier := tasks.Tier(strings.ToLower(string(*in.Tier)))
		ch.Tier = &tier
	}
	t, err := r.o.store.UpdateTenant(ctx, id, ch)
	if err != nil {
		return nil, tenantAdminError("setTenant", err)
	}
	return tenantOf(t), nil
}

// slugRE is what the tenants table's slugs may be (store/postgres checks
// the same).
var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

func checkTenantName(field string, name *string) error {
	if name != nil && (strings.TrimSpace(*name) == "" || len(*name) > 255 || !utf8.ValidString(*name)) {
		return badInput("%s: name: want 1 to 255 bytes of text, not blank", field)
	}
	return nil
}

// tenantAdminError: a missing tenant is NOT_FOUND, a taken slug the
// operator's to fix.
func tenantAdminError(field string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return newError(CodeNotFound, "%s: tenant not found", field)
	case errors.Is(err, postgres.ErrExists):
		return badInput("%s: a tenant with this slug already exists", field)
	}
	return fmt.Errorf("%s: %w", field, err)
}
