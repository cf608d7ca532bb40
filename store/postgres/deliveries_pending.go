package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/ozmon/ozmon/store"
)

var _ store.PendingLister = (*Store)(nil)

// PendingDeliveries implements store.PendingLister. The created_at bounds
// make it a range read of each partition's created_at index (migration
// 0002's idx_ozmon_deliveries_created): the scheduler asks every few
// seconds for a window of minutes, and status is deliberately not indexed
// (an indexed status would make every outcome update a non-HOT one, 0004).
func (s *Store) PendingDeliveries(ctx context.Context, scope store.PendingScope, since, until time.Time, after *store.DeliveryPosition, limit int) ([]store.PendingDelivery, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	network := sanitizeName(scope.Network)
	args := []any{network, since, until, limit}
	cond := ""
	if scope.Region != "" {
		// The tenant's home region, as RegionDeliveriesOpen reads it.
		args = append(args, scope.Region, scope.DefaultRegion)
		cond = fmt.Sprintf(` AND COALESCE((SELECT NULLIF(h.home_region, '') FROM ozmon_tenant_settings h
			WHERE h.tenant_id = ozmon_deliveries.tenant_id), $%d) = $%d`, len(args), len(args)-1)
	}
	if after != nil {
		k := cleanKey(after.Key)
		if !validUUID(k.TenantID) {
			return nil, fmt.Errorf("postgres: pending deliveries of %s: position's tenant id %q is not a UUID: %w", network, k.TenantID, store.ErrInvalid)
		}
		n := len(args)
		args = append(args, after.CreatedAt, k.TenantID, k.Monitor, int64(k.Ledger), k.TxHash, k.Trigger)
		cond += fmt.Sprintf(` AND (created_at, tenant_id, monitor, ledger, tx_hash, trigger) > ($%d, $%d::uuid, $%d, $%d, $%d, $%d)`,
			n+1, n+2, n+3, n+4, n+5, n+6)
	}
	rows, err := s.pool.Query(ctx, `SELECT tenant_id::text, monitor, network, ledger, tx_hash, trigger, task_id, created_at, payload
		FROM ozmon_deliveries
		WHERE created_at >= $2 AND created_at < $3 AND network = $1 AND status = 'pending'`+cond+`
		ORDER BY created_at, tenant_id, monitor, ledger, tx_hash, trigger
		LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending deliveries of %s: %w", network, err)
	}
	defer rows.Close()
	var out []store.PendingDelivery
	for rows.Next() {
		var d store.PendingDelivery
		var ledger int64
		if err := rows.Scan(&d.Key.TenantID, &d.Key.Monitor, &d.Key.Network, &ledger, &d.Key.TxHash, &d.Key.Trigger,
			&d.TaskID, &d.CreatedAt, &d.Payload); err != nil {
			return nil, fmt.Errorf("postgres: pending deliveries of %s: %w", network, err)
		}
		d.Key.Ledger = uint64(ledger)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: pending deliveries of %s: %w", network, err)
	}
	return out, nil
}
