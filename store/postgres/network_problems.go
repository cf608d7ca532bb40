package postgres

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/store"
)

// RecordNetworkProblem adds p.Count occurrences (at least one) of a
// network's problem of p.Kind, now, with p.Message as its latest
// description: the row is created when the problem is new.
func (s *Store) RecordNetworkProblem(ctx context.Context, p store.NetworkProblem) error {
	if p.Network == "" || p.Kind == "" {
		return fmt.Errorf("postgres: record network problem: network %q and kind %q must be given: %w", clipText(p.Network), clipText(p.Kind), store.ErrInvalid)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_network_problems (network, kind, message, count) VALUES ($1, $2, $3, $4)
		ON CONFLICT (network, kind) DO UPDATE SET message = EXCLUDED.message,
			count = ozmon_network_problems.count + EXCLUDED.count, last_seen = NOW()`,
		sanitizeName(p.Network), sanitizeName(p.Kind), sanitizeName(clipMessage(p.Message)), max(p.Count, 1))
	if err != nil {
		return fmt.Errorf("postgres: record %s problem of network %s: %w", clipText(p.Kind), clipText(p.Network), err)
	}
	return nil
}

// ResolveNetworkProblem removes a network's problem of kind; resolving
// one that is not recorded does nothing.
func (s *Store) ResolveNetworkProblem(ctx context.Context, network, kind string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM ozmon_network_problems WHERE network = $1 AND kind = $2`,
		sanitizeName(network), sanitizeName(kind))
	if err != nil {
		return fmt.Errorf("postgres: resolve %s problem of network %s: %w", clipText(kind), clipText(network), err)
	}
	return nil
}

// NetworkProblems returns the open problems of every network by network
// and kind. Only those seen within the last hour are returned: one whose
// reporter stopped (a scheduler gone, a network dropped) without
// resolving it ages out rather than showing for ever.
func (s *Store) NetworkProblems(ctx context.Context) ([]store.NetworkProblem, error) {
	rows, err := s.pool.Query(ctx, `SELECT network, kind, message, count, first_seen, last_seen FROM ozmon_network_problems
		WHERE last_seen > NOW() - interval '1 hour' ORDER BY network, kind`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list network problems: %w", err)
	}
	defer rows.Close()
	var out []store.NetworkProblem
	for rows.Next() {
		var p store.NetworkProblem
		if err := rows.Scan(&p.Network, &p.Kind, &p.Message, &p.Count, &p.FirstSeen, &p.LastSeen); err != nil {
			return nil, fmt.Errorf("postgres: list network problems: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list network problems: %w", err)
	}
	return out, nil
}
