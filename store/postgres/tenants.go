package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// tenantColumns reads a tenants row joined with ozmon_tenant_settings. The
// tenant-isolation schema leaves flags and quotas nullable; NULL reads as
// the column's default, as the Rust services did with COALESCE.
const tenantColumns = `t.id::text, t.slug, t.name, COALESCE(s.tier, 'default'), COALESCE(t.is_active, true),
	COALESCE(t.max_monitors, 10), COALESCE(t.max_networks, 5), COALESCE(t.max_triggers_per_monitor, 10),
	COALESCE(t.max_rpc_requests_per_minute, 1000), COALESCE(t.max_storage_mb, 1000),
	COALESCE(t.created_at, 'epoch'::timestamptz), COALESCE(t.updated_at, 'epoch'::timestamptz),
	COALESCE(s.home_region, ''), ` + tenantVersion

// tenantVersion fingerprints everything a worker compiles from a tenant:
// the full text of its row, its settings and each of its network, monitor
// and trigger rows (configuration included), so any edit moves it, also
// one made with triggers disabled or an old updated_at. It is computed in
// the same statement as the tenant row, before the configuration rows are
// read, so a version can be older than the config it labels, never newer.
const tenantVersion = `md5(concat_ws('|', t::text, s::text,
	(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM tenant_networks x WHERE x.tenant_id = t.id),
	(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM tenant_monitors x WHERE x.tenant_id = t.id),
	(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM tenant_triggers x WHERE x.tenant_id = t.id)))`

const tenantFrom = ` FROM tenants t LEFT JOIN ozmon_tenant_settings s ON s.tenant_id = t.id`

func scanTenant(row pgx.Row) (store.Tenant, error) {
	var t store.Tenant
	var tier string
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &tier, &t.Active,
		&t.MaxMonitors, &t.MaxNetworks, &t.MaxTriggers, &t.MaxRPCRequestsPerMinute, &t.MaxStorageMB,
		&t.CreatedAt, &t.UpdatedAt, &t.HomeRegion, &t.Version)
	t.Tier = tasks.Tier(tier)
	return t, err
}

// Tenants returns the active tenants, ordered by slug.
func (s *Store) Tenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tenantColumns+tenantFrom+
		` WHERE COALESCE(t.is_active, true) ORDER BY t.slug`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list tenants: %w", err)
	}
	defer rows.Close()
	var out []store.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list tenants: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list tenants: %w", err)
	}
	return out, nil
}

// Tenant returns one tenant by id, active or not.
func (s *Store) Tenant(ctx context.Context, tenantID string) (store.Tenant, error) {
	if !validUUID(tenantID) {
		return store.Tenant{}, fmt.Errorf("postgres: tenant %s: %w", tenantID, store.ErrNotFound)
	}
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+tenantFrom+` WHERE t.id = $1`, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Tenant{}, fmt.Errorf("postgres: tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: tenant %s: %w", tenantID, err)
	}
	return t, nil
}

// TenantBySlug returns one tenant by slug, active or not.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (store.Tenant, error) {
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+tenantFrom+` WHERE t.slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Tenant{}, fmt.Errorf("postgres: tenant %q: %w", slug, store.ErrNotFound)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("postgres: tenant %q: %w", slug, err)
	}
	return t, nil
}

// SetTenantTier sets the tenant's priority tier.
func (s *Store) SetTenantTier(ctx context.Context, tenantID string, tier tasks.Tier) error {
	if !tier.Valid() {
		return fmt.Errorf("postgres: set tier of tenant %s: unknown tier %q", tenantID, tier)
	}
	if !validUUID(tenantID) {
		return fmt.Errorf("postgres: set tier of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	// INSERT … SELECT writes (and returns) nothing for an unknown tenant,
	// which is reported instead of a silent success.
	var id string
	err := s.pool.QueryRow(ctx, `INSERT INTO ozmon_tenant_settings (tenant_id, tier)
		SELECT id, $2 FROM tenants WHERE id = $1
		ON CONFLICT (tenant_id) DO UPDATE SET tier = EXCLUDED.tier
		RETURNING tenant_id::text`, tenantID, string(tier)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: set tier of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: set tier of tenant %s: %w", tenantID, err)
	}
	return nil
}

// isUniqueViolation reports a unique-constraint error, naming the
// constraint so callers can say which item collided.
func isUniqueViolation(err error) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// validUUID reports whether s is a UUID in its canonical text form
// (8-4-4-4-12 hex digits, any case). Ids are checked here so that a bad id
// reads as "not found" rather than a database syntax error, and so queries
// can compare uuid columns directly and use their indexes.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isNotNullViolation reports a NOT NULL constraint refusing a row.
func isNotNullViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23502"
}
