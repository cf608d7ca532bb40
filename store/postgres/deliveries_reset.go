package postgres

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/store"
)

// ResetDelivery makes a delivery sendable again — also one already
// delivered — for an operator's forced resend (`ozmon admin deliveries
// retry --force`). Nothing else may undo "delivered". The attempt count is
// kept; the reset is visible in last_error.
func (s *Store) ResetDelivery(ctx context.Context, key store.DeliveryKey) error {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return fmt.Errorf("postgres: reset delivery %s: %w", key, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE ozmon_deliveries
		SET status = 'failed', last_error = 'reset for a forced resend', delivered_at = NULL, updated_at = NOW()
		WHERE tenant_id = $1 AND monitor = $2 AND network = $3 AND ledger = $4 AND tx_hash = $5 AND trigger = $6`,
		key.TenantID, key.Monitor, key.Network, int64(key.Ledger), key.TxHash, key.Trigger)
	if err != nil {
		return fmt.Errorf("postgres: reset delivery %s: %w", key, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: reset delivery %s: %w", key, store.ErrNotFound)
	}
	return nil
}
