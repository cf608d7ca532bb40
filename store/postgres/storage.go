package postgres

import (
	"context"
	"fmt"
)

// TenantStorage is what one tenant occupies in PostgreSQL.
type TenantStorage struct {
	TenantID, Slug string
	// Deliveries and DeliveryBytes are the tenant's delivery records and
	// their size on disk (each row's stored size, TOAST included; indexes
	// not counted); PayloadBytes is the part of it that is kept payloads.
	Deliveries, DeliveryBytes, PayloadBytes int64
	// ConfigBytes is the size of its networks', monitors' and triggers'
	// configuration JSON.
	ConfigBytes int64
	// QuotaMB is the tenant's max_storage_mb.
	QuotaMB int64
}

// Total is everything counted against the tenant's max_storage_mb.
func (t TenantStorage) Total() int64 { return t.DeliveryBytes + t.ConfigBytes }

// Over reports whether the tenant occupies more than its max_storage_mb.
func (t TenantStorage) Over() bool { return t.Total() > t.QuotaMB<<20 }

// TenantsStorage measures what each tenant (or only tenantID, when set)
// occupies: delivery records and configuration. It reads the whole
// delivery log (every partition kept): an operator's report, not a
// request path.
func (s *Store) TenantsStorage(ctx context.Context, tenantID string) ([]TenantStorage, error) {
	if tenantID != "" && !validUUID(tenantID) {
		return nil, fmt.Errorf("postgres: tenant storage: tenant id %q is not a UUID", tenantID)
	}
	rows, err := s.pool.Query(ctx, `WITH d AS (
			SELECT tenant_id, count(*) AS n, sum(pg_column_size(d.*)) AS b, sum(COALESCE(octet_length(payload), 0)) AS pb
			FROM ozmon_deliveries d WHERE $1 = '' OR tenant_id = $1::uuid GROUP BY tenant_id),
		c AS (
			SELECT tenant_id, sum(octet_length(configuration::text)) AS b FROM (
				SELECT tenant_id, configuration FROM tenant_networks
				UNION ALL SELECT tenant_id, configuration FROM tenant_monitors
				UNION ALL SELECT tenant_id, configuration FROM tenant_triggers) x
			WHERE $1 = '' OR tenant_id = $1::uuid GROUP BY tenant_id)
		SELECT t.id::text, t.slug, COALESCE(d.n, 0), COALESCE(d.b, 0)::bigint, COALESCE(d.pb, 0)::bigint,
			COALESCE(c.b, 0)::bigint, COALESCE(t.max_storage_mb, 1000)
		FROM tenants t LEFT JOIN d ON d.tenant_id = t.id LEFT JOIN c ON c.tenant_id = t.id
		WHERE $1 = '' OR t.id = $1::uuid
		ORDER BY t.slug`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("postgres: tenant storage: %w", err)
	}
	defer rows.Close()
	var out []TenantStorage
	for rows.Next() {
		var t TenantStorage
		if err := rows.Scan(&t.TenantID, &t.Slug, &t.Deliveries, &t.DeliveryBytes, &t.PayloadBytes, &t.ConfigBytes, &t.QuotaMB); err != nil {
			return nil, fmt.Errorf("postgres: tenant storage: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: tenant storage: %w", err)
	}
	return out, nil
}
