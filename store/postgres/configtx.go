package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/envelope"
)

// ConfigTx is one tenant's configuration inside a transaction that holds
// the tenant's row lock: what tenantconfig reads, checks and writes. Every
// statement is scoped to the tenant; rows of another tenant are never
// read or written through it.
type ConfigTx struct {
	s      *Store
	tx     pgx.Tx
	tenant store.Tenant
	imp    *importer // finds or copies the network row a monitor hangs off
}

// ConfigRow is one network, monitor or trigger row, its secrets opened.
type ConfigRow struct {
	ID        string // row UUID
	Name      string // network_id (slug), monitor or trigger name
	Active    bool
	Data      json.RawMessage
	CreatedAt time.Time
}

// ConfigRows is a tenant's stored configuration, each kind by created_at
// then name.
type ConfigRows struct {
	Networks, Monitors, Triggers []ConfigRow
}

// UpdateTenantConfig runs fn in one transaction holding the tenant's row
// (SELECT … FOR UPDATE), so writers to one tenant take turns and a quota
// checked inside fn still holds at commit. fn's error rolls everything
// back. A tenant id that is not a tenant is store.ErrNotFound.
func (s *Store) UpdateTenantConfig(ctx context.Context, tenantID string, fn func(ctx context.Context, c *ConfigTx) error) error {
	if !validUUID(tenantID) {
		return fmt.Errorf("postgres: update config of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: update config of tenant %s: begin: %w", tenantID, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	t, err := scanTenant(tx.QueryRow(ctx, `SELECT `+tenantColumns+tenantFrom+` WHERE t.id = $1 FOR UPDATE OF t`, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: update config of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: update config of tenant %s: lock tenant: %w", tenantID, err)
	}
	c := &ConfigTx{s: s, tx: tx, tenant: t,
		imp: &importer{st: s, tx: tx, slug: t.Slug, tenantID: t.ID, networkRows: map[string]string{}}}
	if err := fn(ctx, c); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: update config of tenant %s: commit: %w", tenantID, err)
	}
	return nil
}

// Tenant is the locked tenant row, quotas included.
func (c *ConfigTx) Tenant() store.Tenant { return c.tenant }

// Rows reads every network, monitor and trigger row of the tenant,
// active or not, with secrets opened.
func (c *ConfigTx) Rows(ctx context.Context) (ConfigRows, error) {
	return c.s.configRows(ctx, c.tx, c.tenant)
}

// TenantRows reads a tenant's rows as ConfigTx.Rows does, without a lock
// (for the API's reads).
func (s *Store) TenantRows(ctx context.Context, tenantID string) (store.Tenant, ConfigRows, error) {
	t, err := s.Tenant(ctx, tenantID)
	if err != nil {
		return store.Tenant{}, ConfigRows{}, err
	}
	rows, err := s.configRows(ctx, s.pool, t)
	return t, rows, err
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *Store) configRows(ctx context.Context, db querier, t store.Tenant) (ConfigRows, error) {
	var out ConfigRows
	for _, q := range []struct {
		table string
		key   string
		dst   *[]ConfigRow
	}{
		{tableNetworks, "network_id", &out.Networks},
		{"tenant_monitors", "name", &out.Monitors},
		{tableTriggers, "name", &out.Triggers},
	} {
		rows, err := db.Query(ctx, `SELECT id::text, `+q.key+`, COALESCE(is_active, true), configuration,
			COALESCE(created_at, 'epoch'::timestamptz) FROM `+q.table+` WHERE tenant_id = $1 ORDER BY created_at, `+q.key,
			t.ID)
		if err != nil {
			return ConfigRows{}, fmt.Errorf("postgres: read %s of tenant %s: %w", q.table, t.Slug, err)
		}
		items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConfigRow, error) {
			var it ConfigRow
			var data []byte
			err := r.Scan(&it.ID, &it.Name, &it.Active, &data, &it.CreatedAt)
			it.Data = data
			return it, err
		})
		if err != nil {
			return ConfigRows{}, fmt.Errorf("postgres: read %s of tenant %s: %w", q.table, t.Slug, err)
		}
		if q.table != "tenant_monitors" {
			for i := range items {
				data, err := s.keys.Open(envelope.Binding{Tenant: t.ID, Table: q.table, Record: items[i].Name}, items[i].Data)
				if err != nil {
					return ConfigRows{}, fmt.Errorf("postgres: read %s %q of tenant %s: %w", q.table, items[i].Name, t.Slug, err)
				}
				items[i].Data = data
			}
		}
		*q.dst = items
	}
	return out, nil
}

// OperatorNetworks returns the operator's registry (read-only for
// tenants), slug → JSON with secrets opened.
func (c *ConfigTx) OperatorNetworks(ctx context.Context) (map[string][]byte, error) {
	return operatorNetworks(ctx, c.tx, c.s)
}

func operatorNetworks(ctx context.Context, db querier, s *Store) (map[string][]byte, error) {
	rows, err := db.Query(ctx, `SELECT slug, configuration FROM ozmon_networks ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read operator networks: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var slug string
		var data []byte
		if err := rows.Scan(&slug, &data); err != nil {
			return nil, fmt.Errorf("postgres: read operator networks: %w", err)
		}
		if data, err = s.keys.Open(operatorNetwork(slug), data); err != nil {
			return nil, fmt.Errorf("postgres: read operator network %q: %w", slug, err)
		}
		out[slug] = data
	}
	return out, rows.Err()
}

// Written says what a put did to a row.
type Written struct {
	ID      string
	Created bool
}

// PutNetwork creates or replaces the tenant's network slug; activate
// re-activates a paused row.
func (c *ConfigTx) PutNetwork(ctx context.Context, slug, name, blockchain string, data []byte, activate bool) (Written, error) {
	sealed, err := c.imp.seal(tableNetworks, slug, data)
	if err != nil {
		return Written{}, err
	}
	var w Written
	err = c.tx.QueryRow(ctx, `INSERT INTO tenant_networks (tenant_id, network_id, name, blockchain, configuration)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, network_id) DO UPDATE SET name = EXCLUDED.name, blockchain = EXCLUDED.blockchain,
			configuration = EXCLUDED.configuration, is_active = tenant_networks.is_active OR $6
		RETURNING id::text, xmax = 0`,
		c.tenant.ID, slug, name, strings.ToLower(blockchain), string(sealed), activate).Scan(&w.ID, &w.Created)
	if err != nil {
		return Written{}, fmt.Errorf("postgres: put network %q of tenant %s: %w", slug, c.tenant.Slug, err)
	}
	c.imp.networkRows[slug] = w.ID
	return w, nil
}

// PutMonitor creates or replaces the tenant's monitor name, hung off its
// first network (the tenant's row, or a copy of the operator's).
func (c *ConfigTx) PutMonitor(ctx context.Context, name, network string, data []byte, activate bool) (Written, error) {
	netRow, err := c.imp.networkRow(ctx, network)
	if err != nil {
		return Written{}, fmt.Errorf("postgres: put monitor %q of tenant %s: %w", name, c.tenant.Slug, err)
	}
	var w Written
	err = c.tx.QueryRow(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration)
		VALUES ($1, $2, $2, $3, $4)
		ON CONFLICT (tenant_id, monitor_id) DO UPDATE SET name = EXCLUDED.name, network_id = EXCLUDED.network_id,
			configuration = EXCLUDED.configuration, is_active = tenant_monitors.is_active OR $5
		RETURNING id::text, xmax = 0`,
		c.tenant.ID, name, netRow, string(data), activate).Scan(&w.ID, &w.Created)
	if err != nil {
		return Written{}, fmt.Errorf("postgres: put monitor %q of tenant %s: %w", name, c.tenant.Slug, err)
	}
	return w, nil
}

// ErrNoMonitor: a trigger row must belong to a monitor of its tenant
// (tenant_triggers.monitor_id is NOT NULL, for the tenant-isolation API).
var ErrNoMonitor = errors.New("the tenant has no monitor for the trigger to belong to: create a monitor first (its triggers list may be empty), or import monitors and triggers together")

// triggerOwner picks the monitor a trigger row belongs to: the first (by
// name) that lists it, else the tenant's oldest monitor, since the schema
// ties every trigger to one; what runs reads monitors' lists, not this.
// key is the SQL of the trigger's name, except of a monitor id to pass
// over ("NULL" for none); $1 is the tenant.
func triggerOwner(key, except string) string {
	return `(SELECT m.id FROM tenant_monitors m WHERE m.tenant_id = $1 AND m.id IS DISTINCT FROM ` + except + `
		ORDER BY COALESCE(m.configuration->'triggers' ? ` + key + `, false) DESC, m.created_at, m.name LIMIT 1)`
}

// PutTrigger creates or replaces the tenant's trigger key. Its row
// belongs to the first monitor (by name) that lists it, or to the oldest
// monitor; with no monitor at all it is ErrNoMonitor.
func (c *ConfigTx) PutTrigger(ctx context.Context, key, typ string, data []byte, activate bool) (Written, error) {
	sealed, err := c.imp.seal(tableTriggers, key, data)
	if err != nil {
		return Written{}, err
	}
	var w Written
	err = c.tx.QueryRow(ctx, `INSERT INTO tenant_triggers (tenant_id, trigger_id, monitor_id, name, type, configuration)
		VALUES ($1, $2::text, `+triggerOwner("$2::text", "NULL")+`, $2::text, $3, $4)
		ON CONFLICT (tenant_id, trigger_id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,
			configuration = EXCLUDED.configuration, is_active = tenant_triggers.is_active OR $5,
			monitor_id = EXCLUDED.monitor_id
		RETURNING id::text, xmax = 0`,
		c.tenant.ID, key, typ, string(sealed), activate).Scan(&w.ID, &w.Created)
	if isNotNullViolation(err) {
		return Written{}, fmt.Errorf("postgres: put trigger %q of tenant %s: %w", key, c.tenant.Slug, ErrNoMonitor)
	}
	if err != nil {
		return Written{}, fmt.Errorf("postgres: put trigger %q of tenant %s: %w", key, c.tenant.Slug, err)
	}
	return w, nil
}

// DeleteMonitor deletes the tenant's monitor name. The triggers it owned
// pass to another monitor first (one that lists them, else the oldest):
// the foreign key would otherwise delete them with it. Deleting the
// tenant's last monitor deletes its triggers.
func (c *ConfigTx) DeleteMonitor(ctx context.Context, name string) (string, error) {
	var id string
	err := c.tx.QueryRow(ctx, `SELECT id::text FROM tenant_monitors WHERE tenant_id = $1 AND name = $2`,
		c.tenant.ID, name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: delete monitor %q of tenant %s: %w", name, c.tenant.Slug, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: delete monitor %q of tenant %s: %w", name, c.tenant.Slug, err)
	}
	if _, err := c.tx.Exec(ctx, `UPDATE tenant_triggers t SET monitor_id = `+triggerOwner("t.name", "$2::uuid")+`
		WHERE t.tenant_id = $1 AND t.monitor_id = $2 AND EXISTS (SELECT 1 FROM tenant_monitors
			WHERE tenant_id = $1 AND id <> $2)`, c.tenant.ID, id); err != nil {
		return "", fmt.Errorf("postgres: delete monitor %q of tenant %s: re-home its triggers: %w", name, c.tenant.Slug, err)
	}
	if _, err := c.tx.Exec(ctx, `DELETE FROM tenant_monitors WHERE tenant_id = $1 AND id = $2`, c.tenant.ID, id); err != nil {
		return "", fmt.Errorf("postgres: delete monitor %q of tenant %s: %w", name, c.tenant.Slug, err)
	}
	return id, nil
}

// DeleteTrigger deletes the tenant's trigger key.
func (c *ConfigTx) DeleteTrigger(ctx context.Context, key string) (string, error) {
	var id string
	err := c.tx.QueryRow(ctx, `DELETE FROM tenant_triggers WHERE tenant_id = $1 AND name = $2 RETURNING id::text`,
		c.tenant.ID, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: delete trigger %q of tenant %s: %w", key, c.tenant.Slug, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: delete trigger %q of tenant %s: %w", key, c.tenant.Slug, err)
	}
	return id, nil
}

// SetActive pauses (false) or resumes (true) the tenant's monitor or
// trigger (kind "monitor" or "trigger") name.
func (c *ConfigTx) SetActive(ctx context.Context, kind, name string, active bool) (string, error) {
	table := map[string]string{"monitor": "tenant_monitors", "trigger": tableTriggers}[kind]
	if table == "" {
		return "", fmt.Errorf("postgres: set active: unknown kind %q", kind)
	}
	var id string
	err := c.tx.QueryRow(ctx, `UPDATE `+table+` SET is_active = $3 WHERE tenant_id = $1 AND name = $2 RETURNING id::text`,
		c.tenant.ID, name, active).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: set %s %q of tenant %s active: %w", kind, name, c.tenant.Slug, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: set %s %q of tenant %s active: %w", kind, name, c.tenant.Slug, err)
	}
	return id, nil
}

// EnsureTenant returns the id of the tenant slug, creating it (name =
// slug, default quotas) when missing, and whether it did: what `ozmon
// import` does first.
func (s *Store) EnsureTenant(ctx context.Context, slug string) (id string, created bool, err error) {
	if strings.TrimSpace(slug) == "" {
		return "", false, errors.New("postgres: ensure tenant: empty slug")
	}
	if err := s.pool.QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ($1, $1)
		ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
		RETURNING id::text, xmax = 0`, slug).Scan(&id, &created); err != nil {
		return "", false, fmt.Errorf("postgres: ensure tenant %q: %w", slug, err)
	}
	return id, created, nil
}

// DeleteTenantIfEmpty deletes a tenant that has no network, monitor,
// trigger, member or key: an import that created it and then failed
// leaves nothing behind. It reports whether it deleted.
func (s *Store) DeleteTenantIfEmpty(ctx context.Context, tenantID string) (bool, error) {
	if !validUUID(tenantID) {
		return false, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM tenants t WHERE t.id = $1
		AND NOT EXISTS (SELECT 1 FROM tenant_networks WHERE tenant_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM tenant_monitors WHERE tenant_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM tenant_triggers WHERE tenant_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM tenant_memberships WHERE tenant_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM api_keys WHERE tenant_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM audit_logs WHERE tenant_id = t.id)`, tenantID)
	if err != nil {
		return false, fmt.Errorf("postgres: delete empty tenant %s: %w", tenantID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// OperatorNetworks returns the operator's registry, slug → JSON with
// secrets opened, for the tenant API's read-only view.
func (s *Store) OperatorNetworks(ctx context.Context) (map[string][]byte, error) {
	return operatorNetworks(ctx, s.pool, s)
}
