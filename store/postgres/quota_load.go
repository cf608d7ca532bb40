package postgres

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// overQuota keeps the first max_networks networks and max_monitors
// monitors (rows come oldest first, then by name) and reports each one
// left out: rows written around the API (SQL, an old import) cannot make
// a tenant cost more than its quotas. The kept rows are returned by name,
// the order the rest of the load expects.
func overQuota(t store.Tenant, networks, monitors []namedJSON) (keptNetworks, keptMonitors []namedJSON, problems []error) {
	trim := func(table, quota string, limit int, items []namedJSON) []namedJSON {
		limit = max(limit, 0)
		if len(items) > limit {
			for _, it := range items[limit:] {
				problems = append(problems, &store.ItemError{Tenant: t.Slug, Table: table, Name: it.name,
					Err: fmt.Errorf("not loaded: the tenant has more than %s (%s is %d)", quotaNoun(quota), quota, limit)})
			}
			items = items[:limit]
		}
		items = slices.Clone(items)
		slices.SortFunc(items, func(a, b namedJSON) int { return cmp.Compare(a.name, b.name) })
		return items
	}
	return trim(tableNetworks, "max_networks", t.MaxNetworks, networks),
		trim("tenant_monitors", "max_monitors", t.MaxMonitors, monitors), problems
}

func quotaNoun(quota string) string {
	if quota == "max_networks" {
		return "its network quota"
	}
	return "its monitor quota"
}

// trimTriggers cuts each monitor's trigger list to
// max_triggers_per_monitor, keeping the first ones listed.
func trimTriggers(t store.Tenant, cfg *ozconfig.Config) []error {
	limit := max(t.MaxTriggers, 0)
	var problems []error
	for _, name := range slices.Sorted(maps.Keys(cfg.Monitors)) {
		m := cfg.Monitors[name]
		if len(m.Triggers) <= limit {
			continue
		}
		dropped := m.Triggers[limit:]
		m.Triggers = slices.Clone(m.Triggers[:limit])
		problems = append(problems, &store.ItemError{Tenant: t.Slug, Table: "tenant_monitors", Name: name,
			Err: fmt.Errorf("triggers %q not used: more than max_triggers_per_monitor (%d)", clipNames(dropped, 10), limit)})
	}
	return problems
}
