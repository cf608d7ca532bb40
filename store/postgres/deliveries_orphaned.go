package postgres

import (
	"context"
	"fmt"
	"math"
)

// FlagOrphaned implements store.OrphanFlagger.
func (s *Store) FlagOrphaned(ctx context.Context, network string, ledger uint64, canonicalTxs []string) (int, error) {
	if ledger > math.MaxInt64 {
		return 0, fmt.Errorf("postgres: flag orphaned deliveries of %s/%d: ledger out of range", network, ledger)
	}
	// Hashes and the network are compared as the records stored them.
	txs := make([]string, len(canonicalTxs))
	for i, h := range canonicalTxs {
		txs[i] = sanitizeName(h)
	}
	network = sanitizeName(network)
	tag, err := s.pool.Exec(ctx, `UPDATE ozmon_deliveries SET orphaned = true, updated_at = NOW()
		WHERE network = $1 AND ledger = $2 AND NOT orphaned AND NOT (tx_hash = ANY($3))`,
		network, int64(ledger), txs)
	if err != nil {
		return 0, fmt.Errorf("postgres: flag orphaned deliveries of %s/%d: %w", network, ledger, err)
	}
	return int(tag.RowsAffected()), nil
}
