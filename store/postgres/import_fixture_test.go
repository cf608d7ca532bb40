package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// This file is a test fixture: it writes a validated configuration's rows
// straight into the tables, as rows inserted around the write path are
// (SQL, an older import), so the store's tests can load tenants without
// tenantconfig (which imports this package). Production writes go through
// tenantconfig.Writer.Apply only.

// ImportTenant (test fixture) stores cfg as tenant slug's configuration, creating the
// tenant if it does not exist, in one transaction. Rows are written the way
// the tenant-isolation API writes them: the configuration column holds the
// item's original JSON from raw (so secrets and key order survive), next to
// the addressing columns:
//
//   - tenant_networks: network_id = the slug, name, blockchain ("stellar",
//     "evm");
//   - tenant_monitors: monitor_id and name = the monitor's name, network_id
//     = the row of its first network (when the tenant defines no such
//     network, a copy of the operator's registry entry is added for it);
//   - tenant_triggers: trigger_id and name = the trigger key monitors use,
//     type, monitor_id = the first monitor (by name) that uses it.
//
// Existing items with the same keys are updated and re-activated; items
// not in cfg are left alone. The schema ties every trigger to one monitor,
// so a trigger that no monitor of the tenant references is skipped with a
// warning. Validate cfg (cfg.Validate) before calling: ImportTenant only
// refuses what the database cannot hold.
func (s *Store) ImportTenant(ctx context.Context, slug string, cfg *ozconfig.Config, raw store.RawConfig) (string, error) {
	if strings.TrimSpace(slug) == "" {
		return "", errors.New("postgres: import tenant: empty slug")
	}
	if cfg == nil {
		return "", fmt.Errorf("postgres: import tenant %q: nil config", slug)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return "", fmt.Errorf("postgres: import tenant %q: begin: %w", slug, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	var tenantID string
	if err := tx.QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ($1, $1)
		ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
		RETURNING id::text`, slug).Scan(&tenantID); err != nil {
		return "", fmt.Errorf("postgres: import tenant %q: create tenant: %w", slug, err)
	}
	imp := &fixtureImporter{importer: &importer{st: s, tx: tx, slug: slug, tenantID: tenantID, networkRows: map[string]string{}}}

	for _, key := range slices.Sorted(maps.Keys(cfg.Networks)) {
		if err := imp.network(ctx, key, cfg.Networks[key], raw.Networks[key]); err != nil {
			return "", err
		}
	}
	monitorKeys := slices.Sorted(maps.Keys(cfg.Monitors))
	monitorRows := map[string]string{}
	for _, key := range monitorKeys {
		id, err := imp.monitor(ctx, key, cfg.Monitors[key], raw.Monitors[key])
		if err != nil {
			return "", err
		}
		monitorRows[key] = id
	}
	// A trigger's row belongs to the first monitor (in key order) that
	// uses it; one pass over the monitors, not one per trigger.
	owners := map[string]string{}
	for _, mk := range monitorKeys {
		if m := cfg.Monitors[mk]; m != nil {
			for _, tk := range m.Triggers {
				if _, ok := owners[tk]; !ok {
					owners[tk] = monitorRows[mk]
				}
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(cfg.Triggers)) {
		if err := imp.trigger(ctx, key, cfg.Triggers[key], raw.Triggers[key], owners[key]); err != nil {
			return "", err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return "", fmt.Errorf("postgres: import tenant %q: commit: %w", slug, err)
	}
	if n := len(imp.skipped); n > 0 {
		// One line, however many: a tenant's file must not flood the log.
		s.log.Warn("postgres: import: triggers skipped, no monitor of the tenant references them",
			"tenant", slug, "count", n, "first", clipNames(imp.skipped, 10))
	}
	return tenantID, nil
}

// fixtureImporter is the importer with what only the fixture needs.
type fixtureImporter struct {
	*importer
	skipped []string
}

// rawItem returns the stored JSON of an item: the user's bytes, which
// must be one JSON value.
func (imp *fixtureImporter) rawItem(kind, key string, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("postgres: import tenant %q: %s %q: no original JSON in RawConfig", imp.slug, kind, key)
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("postgres: import tenant %q: %s %q: original JSON is not valid JSON", imp.slug, kind, key)
	}
	return raw, nil
}

func (imp *fixtureImporter) network(ctx context.Context, key string, n *ozconfig.Network, raw json.RawMessage) error {
	if n == nil {
		return fmt.Errorf("postgres: import tenant %q: network %q is nil", imp.slug, key)
	}
	data, err := imp.rawItem("network", key, raw)
	if err != nil {
		return err
	}
	if data, err = imp.seal(tableNetworks, key, data); err != nil {
		return err
	}
	var id string
	err = imp.tx.QueryRow(ctx, `INSERT INTO tenant_networks (tenant_id, network_id, name, blockchain, configuration)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, network_id) DO UPDATE SET name = EXCLUDED.name, blockchain = EXCLUDED.blockchain,
			configuration = EXCLUDED.configuration, is_active = true
		RETURNING id::text`,
		imp.tenantID, key, n.Name, strings.ToLower(string(n.NetworkType)), string(data)).Scan(&id)
	if err != nil {
		return fmt.Errorf("postgres: import tenant %q: network %q: %w", imp.slug, key, err)
	}
	imp.networkRows[key] = id
	return nil
}

func (imp *fixtureImporter) monitor(ctx context.Context, key string, m *ozconfig.Monitor, raw json.RawMessage) (string, error) {
	if m == nil {
		return "", fmt.Errorf("postgres: import tenant %q: monitor %q is nil", imp.slug, key)
	}
	data, err := imp.rawItem("monitor", key, raw)
	if err != nil {
		return "", err
	}
	if len(m.Networks) == 0 {
		return "", fmt.Errorf("postgres: import tenant %q: monitor %q: no networks", imp.slug, key)
	}
	netRow, err := imp.networkRow(ctx, m.Networks[0])
	if err != nil {
		return "", fmt.Errorf("postgres: import tenant %q: monitor %q: %w", imp.slug, key, err)
	}
	var id string
	err = imp.tx.QueryRow(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, monitor_id) DO UPDATE SET name = EXCLUDED.name, network_id = EXCLUDED.network_id,
			configuration = EXCLUDED.configuration, is_active = true
		RETURNING id::text`,
		imp.tenantID, key, key, netRow, string(data)).Scan(&id)
	if err != nil {
		if c, ok := isUniqueViolation(err); ok {
			return "", fmt.Errorf("postgres: import tenant %q: monitor %q: another monitor of the tenant already has this name (%s): %w", imp.slug, key, c, err)
		}
		return "", fmt.Errorf("postgres: import tenant %q: monitor %q: %w", imp.slug, key, err)
	}
	return id, nil
}

func (imp *fixtureImporter) trigger(ctx context.Context, key string, t *ozconfig.Trigger, raw json.RawMessage, owner string) error {
	if t == nil {
		return fmt.Errorf("postgres: import tenant %q: trigger %q is nil", imp.slug, key)
	}
	data, err := imp.rawItem("trigger", key, raw)
	if err != nil {
		return err
	}
	if data, err = imp.seal(tableTriggers, key, data); err != nil {
		return err
	}
	if owner == "" {
		// Not referenced by an imported monitor: maybe by one the tenant
		// already has.
		err := imp.tx.QueryRow(ctx, `SELECT id::text FROM tenant_monitors
			WHERE tenant_id = $1 AND configuration->'triggers' ? $2 ORDER BY name LIMIT 1`,
			imp.tenantID, key).Scan(&owner)
		if errors.Is(err, pgx.ErrNoRows) {
			imp.skipped = append(imp.skipped, key)
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres: import tenant %q: trigger %q: find its monitor: %w", imp.slug, key, err)
		}
	}
	_, err = imp.tx.Exec(ctx, `INSERT INTO tenant_triggers (tenant_id, trigger_id, monitor_id, name, type, configuration)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, trigger_id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,
			configuration = EXCLUDED.configuration, is_active = true`,
		imp.tenantID, key, owner, key, string(t.TriggerType), string(data))
	if err != nil {
		if c, ok := isUniqueViolation(err); ok {
			return fmt.Errorf("postgres: import tenant %q: trigger %q: another trigger of the tenant already has this name (%s): %w", imp.slug, key, c, err)
		}
		return fmt.Errorf("postgres: import tenant %q: trigger %q: %w", imp.slug, key, err)
	}
	return nil
}
