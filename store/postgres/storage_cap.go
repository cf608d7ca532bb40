package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// MeasureTenantStorage measures every tenant (TenantsStorage) and keeps
// the result in ozmon_tenant_storage, where the request paths read it:
// OverStorage (a worker keeping payloads) and StoredDeliveryBytes (a
// config write). It returns the tenants over their max_storage_mb. It
// reads the whole delivery log, so the scheduler runs it with its
// maintenance rounds (storage.maintenance_interval, 1h), not per request;
// replicas running it at once only measure twice.
func (s *Store) MeasureTenantStorage(ctx context.Context) (over []TenantStorage, err error) {
	all, err := s.TenantsStorage(ctx, "")
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, nil
	}
	ids := make([]string, len(all))
	var deliveries, payloads, configs, quotas []int64
	flags := make([]bool, len(all))
	for i, t := range all {
		ids[i] = t.TenantID
		deliveries = append(deliveries, t.DeliveryBytes)
		payloads = append(payloads, t.PayloadBytes)
		configs = append(configs, t.ConfigBytes)
		quotas = append(quotas, t.QuotaMB<<20)
		flags[i] = t.Over()
		if flags[i] {
			over = append(over, t)
		}
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO ozmon_tenant_storage AS s
			(tenant_id, delivery_bytes, payload_bytes, config_bytes, quota_bytes, over, measured_at)
		SELECT i.id, i.d, i.p, i.c, i.q, i.o, NOW()
		FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bool[]) AS i(id, d, p, c, q, o)
		WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = i.id)
		ON CONFLICT (tenant_id) DO UPDATE SET delivery_bytes = EXCLUDED.delivery_bytes, payload_bytes = EXCLUDED.payload_bytes,
			config_bytes = EXCLUDED.config_bytes, quota_bytes = EXCLUDED.quota_bytes, over = EXCLUDED.over,
			measured_at = EXCLUDED.measured_at`, ids, deliveries, payloads, configs, quotas, flags)
	if err != nil {
		return nil, fmt.Errorf("postgres: keep tenant storage measurements: %w", err)
	}
	s.over.forget()
	return over, nil
}

// StoredDeliveryBytes is the size of tenantID's delivery records as last
// measured (MeasureTenantStorage); measured is false when it never was.
func (s *Store) StoredDeliveryBytes(ctx context.Context, tenantID string) (bytes int64, measured bool, err error) {
	return storedDeliveryBytes(ctx, s.pool, tenantID)
}

func storedDeliveryBytes(ctx context.Context, db rowQuerier, tenantID string) (int64, bool, error) {
	if !validUUID(tenantID) {
		return 0, false, fmt.Errorf("postgres: stored delivery bytes: tenant id %q is not a UUID", tenantID)
	}
	var b int64
	err := db.QueryRow(ctx, `SELECT COALESCE(sum(delivery_bytes), -1)::bigint FROM ozmon_tenant_storage WHERE tenant_id = $1`, tenantID).Scan(&b)
	if err != nil {
		return 0, false, fmt.Errorf("postgres: stored delivery bytes of tenant %s: %w", tenantID, err)
	}
	if b < 0 {
		return 0, false, nil
	}
	return b, true, nil
}

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// overCacheTTL is how long a worker trusts its list of tenants over their
// storage cap: the list changes once a maintenance round, and reading it
// per notification would cost a query each.
const overCacheTTL = 30 * time.Second

// overCache is the set of tenants measured over max_storage_mb, read at
// most every overCacheTTL.
type overCache struct {
	mu     sync.Mutex
	ids    map[string]bool
	loaded time.Time
}

func (c *overCache) forget() {
	c.mu.Lock()
	c.loaded = time.Time{}
	c.mu.Unlock()
}

// OverStorage reports whether tenantID was over its max_storage_mb when
// last measured. When the measurements cannot be read it answers false
// (and the error): a storage cap never stops a notification, it only
// stops what is kept of it.
func (s *Store) OverStorage(ctx context.Context, tenantID string) (bool, error) {
	c := &s.over
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded.IsZero() || time.Since(c.loaded) > overCacheTTL {
		// A failed read is kept for the TTL like a good one (as no tenant
		// over): this runs once per notification, and a PostgreSQL outage
		// must not turn each into a query under c.mu.
		ids, err := s.tenantsOverStorage(ctx)
		c.ids, c.loaded = ids, time.Now()
		if err != nil {
			return false, err
		}
	}
	return c.ids[tenantID], nil
}

// tenantsOverStorage reads the ids of the tenants over their cap when last
// measured.
func (s *Store) tenantsOverStorage(ctx context.Context) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT tenant_id::text FROM ozmon_tenant_storage WHERE over`)
	if err != nil {
		return nil, fmt.Errorf("postgres: tenants over their storage cap: %w", err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("postgres: tenants over their storage cap: %w", err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: tenants over their storage cap: %w", err)
	}
	return ids, nil
}

// StoredDeliveryBytes is the size of the tenant's delivery records as
// last measured (Store.StoredDeliveryBytes), read in the transaction.
func (c *ConfigTx) StoredDeliveryBytes(ctx context.Context) (bytes int64, measured bool, err error) {
	return storedDeliveryBytes(ctx, c.tx, c.tenant.ID)
}
