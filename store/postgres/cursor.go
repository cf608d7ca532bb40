package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

// Cursor returns the last processed ledger of network.
func (s *Store) Cursor(ctx context.Context, network string) (uint64, bool, error) {
	var ledger int64
	err := s.pool.QueryRow(ctx, `SELECT ledger FROM ozmon_network_cursors WHERE network = $1`, network).Scan(&ledger)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("postgres: read cursor of network %s: %w", network, err)
	}
	return uint64(ledger), true, nil
}

// AdvanceCursor moves network's cursor to ledger if that is further than
// where it is; the comparison happens in the UPDATE itself, so concurrent
// callers cannot move it backwards.
func (s *Store) AdvanceCursor(ctx context.Context, network string, ledger uint64) error {
	if ledger > math.MaxInt64 {
		return fmt.Errorf("postgres: advance cursor of network %s to ledger %d: out of range", network, ledger)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_network_cursors (network, ledger) VALUES ($1, $2)
		ON CONFLICT (network) DO UPDATE SET ledger = EXCLUDED.ledger, updated_at = NOW()
		WHERE ozmon_network_cursors.ledger < EXCLUDED.ledger`, network, int64(ledger))
	if err != nil {
		return fmt.Errorf("postgres: advance cursor of network %s to ledger %d: %w", network, ledger, err)
	}
	return nil
}

// Cursors returns every network's cursor, ordered by network.
func (s *Store) Cursors(ctx context.Context) ([]store.Cursor, error) {
	rows, err := s.pool.Query(ctx, `SELECT network, ledger, updated_at FROM ozmon_network_cursors ORDER BY network`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list cursors: %w", err)
	}
	defer rows.Close()
	var out []store.Cursor
	for rows.Next() {
		var c store.Cursor
		var ledger int64
		if err := rows.Scan(&c.Network, &ledger, &c.UpdatedAt); err != nil {
			return nil, fmt.Errorf("postgres: list cursors: %w", err)
		}
		c.Ledger = uint64(ledger)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list cursors: %w", err)
	}
	return out, nil
}
