package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// TenantConfig loads one tenant's active networks, monitors and triggers in
// one round trip and parses each JSONB configuration. An item that does not
// parse or validate (unknown key, bad expression, a reference to a missing
// network or trigger, a duplicate name) becomes an *store.ItemError in
// Problems and is left out; the rest of the tenant still loads.
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
	b.Queue(`SELECT network_id, configuration FROM tenant_networks
		WHERE tenant_id = $1 AND COALESCE(is_active, true) ORDER BY network_id`, tenantID)
	b.Queue(`SELECT name, configuration FROM tenant_monitors
		WHERE tenant_id = $1 AND COALESCE(is_active, true) ORDER BY name`, tenantID)
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
	tc := &store.TenantConfig{Tenant: tenant}
	networks, netProblems := s.openItems(tenant, tableNetworks, items[0])
	triggers, trigProblems := s.openItems(tenant, tableTriggers, items[2])
	tc.Config, tc.Problems = buildConfig(tenant.Slug, s.limits, networks, items[1], triggers)
	if len(netProblems)+len(trigProblems) > 0 {
		tc.Problems = append(append(tc.Problems, netProblems...), trigProblems...)
		sortItemErrors(tc.Problems)
	}
	return tc, nil
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

// itemRef says which row a parsed object came from, so validation errors,
// which name the object by its source, can be pinned on the row.
type itemRef struct {
	table string
	name  string
}

// buildConfig parses rows into a ozconfig.Config, dropping each item that
// fails and recording why. Networks and triggers are validated first, on
// their own; then each monitor is validated against the surviving networks
// and triggers, one at a time, so that one bad monitor costs only itself.
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
	refs := map[string]itemRef{}
	source := func(kind, table, name string) string {
		src := "tenant " + slug + "/" + kind + " " + name
		refs[src] = itemRef{table: table, name: name}
		return src
	}

	for _, it := range networks {
		n, err := ozconfig.ParseNetwork(source("network", "tenant_networks", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_networks", it.name, err)
			continue
		}
		cfg.Networks[it.name] = n
	}
	for _, it := range triggers {
		t, err := ozconfig.ParseTrigger(source("trigger", "tenant_triggers", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_triggers", it.name, err)
			continue
		}
		t.Key = it.name
		cfg.Triggers[it.name] = t
	}
	parsed := make(map[string]*ozconfig.Monitor, len(monitors))
	for _, it := range monitors {
		m, err := ozconfig.ParseMonitor(source("monitor", "tenant_monitors", it.name), it.data, parseLimits)
		if err != nil {
			fail("tenant_monitors", it.name, err)
			continue
		}
		m.Name = it.name
		parsed[it.name] = m
	}

	// Networks and triggers on their own: drop each one a problem is
	// pinned on (a network whose slug is not its network_id, a trigger
	// whose display name repeats another's).
	if err := cfg.Validate("tenant " + slug); err != nil {
		for ref, errs := range groupBySource(err, refs) {
			switch ref.table {
			case "tenant_networks":
				delete(cfg.Networks, ref.name)
			case "tenant_triggers":
				delete(cfg.Triggers, ref.name)
			}
			fail(ref.table, ref.name, errs)
		}
	}

	names := slices.Sorted(maps.Keys(parsed))
	one := &ozconfig.Config{Networks: cfg.Networks, Triggers: cfg.Triggers}
	// The unique index on (tenant_id, name) is case-sensitive; OZ compares
	// names ignoring case and surrounding space, and so does this.
	taken := map[string]string{}
	for _, name := range names {
		m := parsed[name]
		norm := strings.ToLower(strings.TrimSpace(name))
		if first, dup := taken[norm]; dup {
			fail("tenant_monitors", name, fmt.Errorf("monitor name %q is already used by monitor %q", name, first))
			continue
		}
		one.Monitors = map[string]*ozconfig.Monitor{name: m}
		if err := one.Validate("tenant " + slug); err != nil {
			fail("tenant_monitors", name, err)
			continue
		}
		taken[norm] = name
		cfg.Monitors[name] = m
	}
	sortItemErrors(problems)
	return cfg, problems
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

// groupBySource splits a validation error by the object it concerns.
// Errors that name no known object are pinned on the tenant itself.
func groupBySource(err error, refs map[string]itemRef) map[itemRef]ozconfig.ValidationErrors {
	out := map[itemRef]ozconfig.ValidationErrors{}
	for _, ve := range ozconfig.AsValidationErrors(err) {
		ref, ok := refs[ve.Source]
		if !ok {
			ref = itemRef{table: "tenants", name: ve.Source}
		}
		out[ref] = append(out[ref], ve)
	}
	return out
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
