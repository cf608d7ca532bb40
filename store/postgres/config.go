package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// TenantConfig loads one tenant's active networks, monitors and triggers in
// one round trip and parses each JSONB configuration. An item that does not
// parse or validate (unknown key, bad expression, a reference to a missing
// network or trigger, a duplicate name) becomes an *store.ItemError in
// Problems and is left out; the rest of the tenant still loads. So does
// what is past the tenant's quotas (rows written around the API): only
// the oldest max_networks networks and max_monitors monitors load, and
// each monitor's first max_triggers_per_monitor triggers.
//
// Keys follow ozconfig.Config: networks by the network_id column (which
// must equal the JSON slug), monitors by the name column, triggers by the
// name column (what monitors list in "triggers"). As the tenant-isolation
// orchestrator did, the name column wins over the monitor JSON's "name",
// since only the column is unique per tenant. A monitor's networks come
// from its JSON, not from the single network_id foreign key, so monitors
// watching several networks keep them all.
func (s *Store) TenantConfig(ctx context.Context, tenantID string) (*store.TenantConfig, error) {
	if !validUUID(tenantID) {
		return nil, fmt.Errorf("postgres: load config of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+tenantColumns+tenantFrom+` WHERE t.id = $1`, tenantID)
	// Networks and monitors in creation order, so that the quotas keep
	// the oldest (loadQuotas).
	b.Queue(`SELECT network_id, configuration FROM tenant_networks
		WHERE tenant_id = $1 AND COALESCE(is_active, true) ORDER BY created_at, network_id`, tenantID)
	b.Queue(`SELECT name, configuration FROM tenant_monitors
		WHERE tenant_id = $1 AND COALESCE(is_active, true) ORDER BY created_at, name`, tenantID)
	b.Queue(`SELECT name, configuration FROM tenant_triggers
		WHERE tenant_id = $1 AND COALESCE(is_active, true) ORDER BY name`, tenantID)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()

	tenant, err := scanTenant(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: load config of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: load config of tenant %s: %w", tenantID, err)
	}
	var items [3][]namedJSON
	for i, table := range []string{"tenant_networks", "tenant_monitors", "tenant_triggers"} {
		items[i], err = readNamedJSON(br)
		if err != nil {
			return nil, fmt.Errorf("postgres: load config of tenant %s: read %s: %w", tenantID, table, err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: load config of tenant %s: %w", tenantID, err)
	}
	return s.assemble(tenant, items), nil
}

// assemble builds a tenant's configuration from its rows (networks,
// monitors, triggers, each in the order TenantConfig reads them): quotas,
// secrets, parsing and the one validation.
func (s *Store) assemble(tenant store.Tenant, items [3][]namedJSON) *store.TenantConfig {
	tc := &store.TenantConfig{Tenant: tenant}
	var quotaProblems []error
	items[0], items[1], quotaProblems = overQuota(tenant, items[0], items[1])
	networks, netProblems := s.openItems(tenant, tableNetworks, items[0])
	triggers, trigProblems := s.openItems(tenant, tableTriggers, items[2])
	tc.Config, tc.Problems = buildConfig(tenant.Slug, s.limits, networks, items[1], triggers)
	quotaProblems = append(quotaProblems, trimTriggers(tenant, tc.Config)...)
	if len(netProblems)+len(trigProblems)+len(quotaProblems) > 0 {
		tc.Problems = append(append(append(tc.Problems, netProblems...), trigProblems...), quotaProblems...)
		sortItemErrors(tc.Problems)
	}
	return tc
}

type namedJSON struct {
	name string
	data []byte
}

func readNamedJSON(br pgx.BatchResults) ([]namedJSON, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []namedJSON
	for rows.Next() {
		var n namedJSON
		if err := rows.Scan(&n.name, &n.data); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// buildConfig parses rows into a ozconfig.Config, dropping each item that
// fails and recording why: each row is parsed on its own, then
// Config.ValidateEach (the one validation, in its keep-what-is-valid form)
// pins every remaining problem on the row it concerns.
func buildConfig(slug string, lim ozconfig.Limits, networks, monitors, triggers []namedJSON) (*ozconfig.Config, []error) {
	cfg := &ozconfig.Config{
		Networks: make(map[string]*ozconfig.Network, len(networks)),
		Monitors: make(map[string]*ozconfig.Monitor, len(monitors)),
		Triggers: make(map[string]*ozconfig.Trigger, len(triggers)),
	}
	var problems []error
	fail := func(table, name string, err error) {
		problems = append(problems, &store.ItemError{Tenant: slug, Table: table, Name: name, Err: stripSource(err)})
	}
	networks, triggers, monitors = withinTenantBytes(slug, lim, networks, triggers, monitors, fail)
	parseLimits := ozconfig.WithLimits(lim)
	source := func(kind, name string) string { return "tenant " + slug + "/" + kind + " " + name }

	for _, it := range networks {
		n, err := ozconfig.ParseNetwork(source("network", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_networks", it.name, err)
			continue
		}
		cfg.Networks[it.name] = n
	}
	for _, it := range triggers {
		t, err := ozconfig.ParseTrigger(source("trigger", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_triggers", it.name, err)
			continue
		}
		t.Key = it.name
		cfg.Triggers[it.name] = t
	}
	for _, it := range monitors {
		m, err := ozconfig.ParseMonitor(source("monitor", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_monitors", it.name, err)
			continue
		}
		m.Name = it.name
		cfg.Monitors[it.name] = m
	}
	// The unique index on (tenant_id, name) is case-sensitive; OZ compares
	// names ignoring case and surrounding space, and ValidateEach does too.
	cfg.ValidateEach("tenant "+slug, func(kind, key string, err error) {
		fail(itemTable(kind), key, err)
	})
	sortItemErrors(problems)
	return cfg, problems
}

// itemTable names the table holding a kind of object; a problem pinned on
// no object is the tenant's.
func itemTable(kind string) string {
	switch kind {
	case "network":
		return "tenant_networks"
	case "trigger":
		return "tenant_triggers"
	case "monitor":
		return "tenant_monitors"
	}
	return "tenants"
}

// withinTenantBytes keeps the items that fit in limits.tenant_bytes, in
// the order they are read (networks, triggers, monitors, each by name),
// and reports each one left out: a tenant over its budget loses what is
// past it, not everything, and costs the worker no more than the budget.
func withinTenantBytes(slug string, lim ozconfig.Limits, networks, triggers, monitors []namedJSON,
	fail func(table, name string, err error)) (keptNetworks, keptTriggers, keptMonitors []namedJSON) {
	total := 0
	keep := func(table string, items []namedJSON) []namedJSON {
		kept := items[:0:0]
		for _, it := range items {
			if err := lim.CheckTenantBytes("tenant "+slug, total+len(it.data)); err != nil {
				fail(table, it.name, err)
				continue
			}
			total += len(it.data)
			kept = append(kept, it)
		}
		return kept
	}
	return keep("tenant_networks", networks), keep("tenant_triggers", triggers), keep("tenant_monitors", monitors)
}

// stripSource removes the object's source from validation errors, because
// the ItemError wrapping them already says which tenant, table and row.
func stripSource(err error) error {
	var es ozconfig.ValidationErrors
	if errors.As(err, &es) {
		for _, e := range es {
			e.Source = ""
		}
		return err
	}
	var e *ozconfig.ValidationError
	if errors.As(err, &e) {
		e.Source = ""
	}
	return err
}
