package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store/envelope"
)

// clipNames lists at most n names, each cut as ozconfig.Clip cuts, for a log line.
func clipNames(names []string, n int) []string {
	out := make([]string, 0, min(n, len(names)))
	for _, name := range names[:min(n, len(names))] {
		out = append(out, ozconfig.Clip(name))
	}
	return out
}

// importer finds or copies the tenant_networks row a monitor hangs off and
// seals rows' secrets, inside a ConfigTx (tenantconfig's one write path).
type importer struct {
	st          *Store
	tx          pgx.Tx
	slug        string
	tenantID    string
	networkRows map[string]string // slug → tenant_networks.id
}

// seal encrypts the secrets of a row of table about to be written, at
// the last moment so that everything before sees the tenant's JSON.
func (imp *importer) seal(table, key string, data []byte) ([]byte, error) {
	out, err := imp.st.sealConfig(envelope.Binding{Tenant: imp.tenantID, Table: table, Record: key}, data)
	if err != nil {
		return nil, fmt.Errorf("postgres: import tenant %q: %s %q: encrypt secrets: %w", imp.slug, table, key, err)
	}
	return out, nil
}

// networkRow finds the tenant_networks row a monitor hangs off: one
// imported now, one the tenant already has, or a copy of the operator's
// registry entry.
func (imp *importer) networkRow(ctx context.Context, slug string) (string, error) {
	if id, ok := imp.networkRows[slug]; ok {
		return id, nil
	}
	var id string
	err := imp.tx.QueryRow(ctx, `SELECT id::text FROM tenant_networks WHERE tenant_id = $1 AND network_id = $2`,
		imp.tenantID, slug).Scan(&id)
	if err == nil {
		imp.networkRows[slug] = id
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	var data []byte
	err = imp.tx.QueryRow(ctx, `SELECT configuration FROM ozmon_networks WHERE slug = $1`, slug).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("network %q is defined neither by the tenant nor in the operator's registry", slug)
	}
	if err != nil {
		return "", err
	}
	// The operator's copy is sealed for the operator; the tenant's copy is
	// sealed again for the tenant.
	if data, err = imp.st.keys.Open(operatorNetwork(slug), data); err != nil {
		return "", fmt.Errorf("operator network %q: %w", slug, err)
	}
	n, err := ozconfig.ParseNetwork("ozmon_networks/"+slug, data)
	if err != nil {
		return "", fmt.Errorf("operator network %q: %w", slug, err)
	}
	if data, err = imp.seal(tableNetworks, slug, data); err != nil {
		return "", err
	}
	if err := imp.tx.QueryRow(ctx, `INSERT INTO tenant_networks (tenant_id, network_id, name, blockchain, configuration)
		VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
		imp.tenantID, slug, n.Name, strings.ToLower(string(n.NetworkType)), string(data)).Scan(&id); err != nil {
		return "", err
	}
	imp.networkRows[slug] = id
	return id, nil
}
