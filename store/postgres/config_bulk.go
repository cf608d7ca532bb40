package postgres

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

// TenantConfigs is TenantConfig for many tenants in one round trip of four
// statements, whatever their number: a worker's cold start at 100,000
// tenants made 100,000 round trips of four statements each, and spent
// more time in PostgreSQL's per-statement work than in reading rows
// (docs/scaling.md). Each configuration is built exactly as TenantConfig
// builds it; unknown ids and malformed ones are left out of the result,
// which follows the order of the tenants found, not of ids.
func (s *Store) TenantConfigs(ctx context.Context, ids []string) ([]*store.TenantConfig, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+tenantColumns+tenantFrom+` WHERE t.id = ANY($1::uuid[]) ORDER BY t.id`, valid)
	b.Queue(`SELECT tenant_id::text, network_id, configuration FROM tenant_networks
		WHERE tenant_id = ANY($1::uuid[]) AND COALESCE(is_active, true) ORDER BY tenant_id, created_at, network_id`, valid)
	b.Queue(`SELECT tenant_id::text, name, configuration FROM tenant_monitors
		WHERE tenant_id = ANY($1::uuid[]) AND COALESCE(is_active, true) ORDER BY tenant_id, created_at, name`, valid)
	b.Queue(`SELECT tenant_id::text, name, configuration FROM tenant_triggers
		WHERE tenant_id = ANY($1::uuid[]) AND COALESCE(is_active, true) ORDER BY tenant_id, name`, valid)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()

	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: load config of %d tenants: %w", len(valid), err)
	}
	var tenants []store.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: load config of %d tenants: %w", len(valid), err)
		}
		tenants = append(tenants, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: load config of %d tenants: %w", len(valid), err)
	}
	items := make(map[string]*[3][]namedJSON, len(tenants))
	for _, t := range tenants {
		items[t.ID] = &[3][]namedJSON{}
	}
	for i, table := range []string{"tenant_networks", "tenant_monitors", "tenant_triggers"} {
		if err := readTenantJSON(br, func(tenantID string, n namedJSON) {
			if it := items[tenantID]; it != nil {
				it[i] = append(it[i], n)
			}
		}); err != nil {
			return nil, fmt.Errorf("postgres: load config of %d tenants: read %s: %w", len(valid), table, err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: load config of %d tenants: %w", len(valid), err)
	}
	// Parsing is most of a cold start's CPU: the tenants are assembled on
	// every core, each into its own slot.
	out := make([]*store.TenantConfig, len(tenants))
	workers := min(runtime.GOMAXPROCS(0), max(len(tenants)/64, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(tenants); i += workers {
				out[i] = s.assemble(tenants[i], *items[tenants[i].ID])
			}
		})
	}
	wg.Wait()
	return out, nil
}

// readTenantJSON reads (tenant id, name, configuration) rows.
func readTenantJSON(br pgx.BatchResults, fn func(tenantID string, n namedJSON)) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n namedJSON
		if err := rows.Scan(&id, &n.name, &n.data); err != nil {
			return err
		}
		fn(id, n)
	}
	return rows.Err()
}
