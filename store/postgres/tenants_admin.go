package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Quotas are a tenant's quota columns; a nil field is left as it is (on
// create: the column's default).
type Quotas struct {
	MaxMonitors             *int
	MaxNetworks             *int
	MaxTriggersPerMonitor   *int
	MaxRPCRequestsPerMinute *int
	MaxStorageMB            *int
}

func (q Quotas) validate() error {
	for _, f := range []struct {
		name string
		v    *int
	}{{"max_monitors", q.MaxMonitors}, {"max_networks", q.MaxNetworks}, {"max_triggers_per_monitor", q.MaxTriggersPerMonitor},
		{"max_rpc_requests_per_minute", q.MaxRPCRequestsPerMinute}, {"max_storage_mb", q.MaxStorageMB}} {
		if f.v != nil && (*f.v < 0 || *f.v > math.MaxInt32) {
			return fmt.Errorf("%s %d: want 0 to %d", f.name, *f.v, math.MaxInt32)
		}
	}
	return nil
}

// NewTenant is a tenant to create: Slug is required (lowercase letters,
// digits, '-' and '_', at most 63, starting with a letter or digit); Name
// defaults to the slug, Tier to default.
type NewTenant struct {
	Slug   string
	Name   string
	Tier   tasks.Tier
	Quotas Quotas
}

// TenantChange is what UpdateTenant sets; nil fields are left alone.
type TenantChange struct {
	Name   *string
	Tier   *tasks.Tier
	Active *bool
	// HomeRegion moves the tenant to another region ("": the default
	// region); see docs/multi-region.md.
	HomeRegion *string
	Quotas     Quotas
}

func validSlug(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

func validName(s string) error {
	if strings.TrimSpace(s) == "" || len(s) > 255 {
		return fmt.Errorf("name %q: want 1 to 255 characters", s)
	}
	return nil
}

// CreateTenant creates an active tenant with its tier and quotas in one
// transaction. A slug in use wraps ErrExists.
func (s *Store) CreateTenant(ctx context.Context, nt NewTenant) (store.Tenant, error) {
	if !validSlug(nt.Slug) {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant: slug %q: want 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit", nt.Slug)
	}
	if nt.Name == "" {
		nt.Name = nt.Slug
	}
	if nt.Tier == "" {
		nt.Tier = tasks.TierDefault
	}
	if err := validName(nt.Name); err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant %q: %w", nt.Slug, err)
	}
	if !nt.Tier.Valid() {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant %q: unknown tier %q", nt.Slug, nt.Tier)
	}
	if err := nt.Quotas.validate(); err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant %q: %w", nt.Slug, err)
	}
	q := nt.Quotas
	var id string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name, is_active, max_monitors, max_networks,
			max_triggers_per_monitor, max_rpc_requests_per_minute, max_storage_mb)
			VALUES ($1, $2, true, COALESCE($3, 10), COALESCE($4, 5), COALESCE($5, 10), COALESCE($6, 1000), COALESCE($7, 1000))
			RETURNING id::text`, nt.Slug, nt.Name, q.MaxMonitors, q.MaxNetworks, q.MaxTriggersPerMonitor,
			q.MaxRPCRequestsPerMinute, q.MaxStorageMB).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO ozmon_tenant_settings (tenant_id, tier) VALUES ($1, $2)`, id, string(nt.Tier))
		return err
	})
	if _, ok := isUniqueViolation(err); ok {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant %q: slug %w", nt.Slug, ErrExists)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: create tenant %q: %w", nt.Slug, err)
	}
	return s.Tenant(ctx, id)
}

// AllTenants returns every tenant, active or not, ordered by slug.
func (s *Store) AllTenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tenantColumns+tenantFrom+` ORDER BY t.slug`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list all tenants: %w", err)
	}
	defer rows.Close()
	var out []store.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list all tenants: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list all tenants: %w", err)
	}
	return out, nil
}

// UpdateTenant sets the given fields of a tenant in one transaction and
// returns it. Disabling a tenant stops its monitors (workers reload on the
// change) and refuses its keys and sessions within the authenticators'
// cache TTL.
func (s *Store) UpdateTenant(ctx context.Context, tenantID string, ch TenantChange) (store.Tenant, error) {
	if !validUUID(tenantID) {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if ch.Name != nil {
		if err := validName(*ch.Name); err != nil {
			return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: %w", tenantID, err)
		}
	}
	if ch.Tier != nil && !ch.Tier.Valid() {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: unknown tier %q", tenantID, *ch.Tier)
	}
	if err := ch.Quotas.validate(); err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: %w", tenantID, err)
	}
	if ch.HomeRegion != nil && *ch.HomeRegion != "" && !tasks.ValidRegion(*ch.HomeRegion) {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: home region %q: want 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit", tenantID, *ch.HomeRegion)
	}
	q := ch.Quotas
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, `UPDATE tenants SET name = COALESCE($2, name), is_active = COALESCE($3, is_active),
			max_monitors = COALESCE($4, max_monitors), max_networks = COALESCE($5, max_networks),
			max_triggers_per_monitor = COALESCE($6, max_triggers_per_monitor),
			max_rpc_requests_per_minute = COALESCE($7, max_rpc_requests_per_minute),
			max_storage_mb = COALESCE($8, max_storage_mb)
			WHERE id = $1 RETURNING id::text`, tenantID, ch.Name, ch.Active, q.MaxMonitors, q.MaxNetworks,
			q.MaxTriggersPerMonitor, q.MaxRPCRequestsPerMinute, q.MaxStorageMB).Scan(&id)
		if err != nil {
			return err
		}
		if ch.Tier != nil {
			_, err = tx.Exec(ctx, `INSERT INTO ozmon_tenant_settings (tenant_id, tier) VALUES ($1, $2)
				ON CONFLICT (tenant_id) DO UPDATE SET tier = EXCLUDED.tier`, tenantID, string(*ch.Tier))
			if err != nil {
				return err
			}
		}
		if ch.HomeRegion != nil {
			_, err = tx.Exec(ctx, `INSERT INTO ozmon_tenant_settings (tenant_id, home_region) VALUES ($1, $2)
				ON CONFLICT (tenant_id) DO UPDATE SET home_region = EXCLUDED.home_region`, tenantID, *ch.HomeRegion)
		}
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: update tenant %s: %w", tenantID, err)
	}
	return s.Tenant(ctx, tenantID)
}
