package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/envelope"
)

// Networks returns the operator's network registry, ordered by slug. An
// entry that no longer parses (UpsertNetwork checks on write, so only a
// hand edit or a stricter ozmon can cause one) is logged and left out
// rather than stopping every other network.
func (s *Store) Networks(ctx context.Context) ([]store.NetworkEndpoints, error) {
	rows, err := s.pool.Query(ctx, `SELECT slug, configuration FROM ozmon_networks ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list networks: %w", err)
	}
	defer rows.Close()
	var out []store.NetworkEndpoints
	for rows.Next() {
		var slug string
		var data []byte
		if err := rows.Scan(&slug, &data); err != nil {
			return nil, fmt.Errorf("postgres: list networks: %w", err)
		}
		data, err := s.keys.Open(operatorNetwork(slug), data)
		if err != nil {
			s.log.Error("postgres: operator network skipped", "network", slug, "err", err)
			continue
		}
		n, err := parseRegistryNetwork(slug, data)
		if err != nil {
			s.log.Error("postgres: operator network skipped", "network", slug, "err", err)
			continue
		}
		out = append(out, store.NetworkEndpoints{Slug: slug, Config: n})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list networks: %w", err)
	}
	return out, nil
}

// UpsertNetwork adds or replaces the operator's definition of network slug.
// rawJSON is an OpenZeppelin Monitor network file; it is parsed and its
// slug checked before anything is written, and stored byte for byte.
func (s *Store) UpsertNetwork(ctx context.Context, slug string, rawJSON []byte) error {
	if !json.Valid(rawJSON) {
		return fmt.Errorf("postgres: upsert network %q: not valid JSON", slug)
	}
	if _, err := parseRegistryNetwork(slug, rawJSON); err != nil {
		return fmt.Errorf("postgres: upsert network %q: %w", slug, err)
	}
	rawJSON, err := s.sealConfig(operatorNetwork(slug), rawJSON)
	if err != nil {
		return fmt.Errorf("postgres: upsert network %q: encrypt secrets: %w", slug, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO ozmon_networks (slug, configuration) VALUES ($1, $2)
		ON CONFLICT (slug) DO UPDATE SET configuration = EXCLUDED.configuration, updated_at = NOW()`,
		slug, string(rawJSON))
	if err != nil {
		return fmt.Errorf("postgres: upsert network %q: %w", slug, err)
	}
	return nil
}

// deleteNetwork removes network slug from the operator's registry; it
// reports whether it was there.
func (s *Store) deleteNetwork(ctx context.Context, slug string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM ozmon_networks WHERE slug = $1`, slug)
	if err != nil {
		return false, fmt.Errorf("postgres: delete network %q: %w", slug, err)
	}
	return tag.RowsAffected() > 0, nil
}

// operatorNetwork binds the secrets of a registry entry to the operator
// (no tenant) and the slug.
func operatorNetwork(slug string) envelope.Binding {
	return envelope.Binding{Table: tableOperatorNetworks, Record: slug}
}

func parseRegistryNetwork(slug string, data []byte) (*ozconfig.Network, error) {
	n, err := ozconfig.ParseNetwork("ozmon_networks/"+slug, data)
	if err != nil {
		return nil, err
	}
	if n.Slug != slug {
		return nil, fmt.Errorf("configuration slug %q does not match registry slug %q", n.Slug, slug)
	}
	return n, nil
}
