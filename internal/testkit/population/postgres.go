package population

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CopyInto writes the population into a migrated ozmon database with
// COPY (100,000 tenants take seconds, where importing them one by one
// would take many minutes) and returns the tenants' ids, in the order of
// p.Tenants. The rows are what an import writes: a tenants row, one
// tenant_networks row, a tenant_monitors row per monitor and a
// tenant_triggers row per trigger, owned by the first monitor (by name)
// that lists it. Secrets are stored as given (no keyring).
//
// The copy runs with session_replication_role = replica, so the
// change-notification triggers do not send 800,000 NOTIFYs and the foreign
// keys are not re-checked row by row (the ids are generated consistent);
// conn needs to be a superuser's, as the tests' is.
func CopyInto(ctx context.Context, conn *pgx.Conn, p *Population) ([]string, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy population: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		return nil, fmt.Errorf("copy population: %w", err)
	}
	ids := make([]string, len(p.Tenants))
	var tenants, networks, monitors, triggers [][]any
	for i := range p.Tenants {
		t := &p.Tenants[i]
		tid := uuidOf(1, uint64(i), 0)
		ids[i] = uuidText(tid)
		tenants = append(tenants, []any{tid, "Tenant " + t.Slug, t.Slug})
		nid := uuidOf(2, uint64(i), 0)
		networks = append(networks, []any{nid, tid, Network, "Stellar Mainnet", "stellar", string(t.Network)})
		names := make([]string, 0, len(t.Monitors))
		for name := range t.Monitors {
			names = append(names, name)
		}
		slices.Sort(names)
		owner := map[string][16]byte{}
		for j, name := range names {
			mid := uuidOf(3, uint64(i), uint64(j))
			monitors = append(monitors, []any{mid, tid, name, name, nid, string(t.Monitors[name])})
			for key := range t.Triggers {
				if _, ok := owner[key]; !ok && strings.Contains(string(t.Monitors[name]), `"`+key+`"`) {
					owner[key] = mid
				}
			}
		}
		keys := make([]string, 0, len(t.Triggers))
		for key := range t.Triggers {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		for j, key := range keys {
			mid, ok := owner[key]
			if !ok {
				mid = uuidOf(3, uint64(i), 0)
			}
			triggers = append(triggers, []any{uuidOf(4, uint64(i), uint64(j)), tid, key, mid, key, "webhook", string(t.Triggers[key])})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"tenants", []string{"id", "name", "slug"}, tenants},
		{"tenant_networks", []string{"id", "tenant_id", "network_id", "name", "blockchain", "configuration"}, networks},
		{"tenant_monitors", []string{"id", "tenant_id", "monitor_id", "name", "network_id", "configuration"}, monitors},
		{"tenant_triggers", []string{"id", "tenant_id", "trigger_id", "monitor_id", "name", "type", "configuration"}, triggers},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return nil, fmt.Errorf("copy population into %s: %w", c.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("copy population: commit: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE tenants, tenant_networks, tenant_monitors, tenant_triggers"); err != nil {
		return nil, fmt.Errorf("copy population: analyze: %w", err)
	}
	return ids, nil
}

// uuidOf is a deterministic version-4-shaped UUID for (table, tenant, item).
func uuidOf(table byte, tenant, item uint64) [16]byte {
	var u [16]byte
	u[0] = table
	binary.BigEndian.PutUint32(u[2:6], uint32(tenant))
	binary.BigEndian.PutUint32(u[10:14], uint32(item))
	u[6] = 0x40 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u
}

func uuidText(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
