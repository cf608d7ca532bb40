package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

var _ store.PayloadKeeper = (*Store)(nil)

// DeliveryPayload implements store.PayloadKeeper: the compacted payload
// ExpectDeliveries kept with the record.
func (s *Store) DeliveryPayload(ctx context.Context, key store.DeliveryKey) ([]byte, error) {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("postgres: delivery payload %s: %w", key, err)
	}
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT payload FROM ozmon_deliveries
		WHERE tenant_id = $1 AND monitor = $2 AND network = $3 AND ledger = $4 AND tx_hash = $5 AND trigger = $6
			AND payload IS NOT NULL LIMIT 1`,
		key.TenantID, key.Monitor, key.Network, int64(key.Ledger), key.TxHash, key.Trigger).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: delivery payload %s: no record keeps one: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: delivery payload %s: %w", key, err)
	}
	return b, nil
}
