package tenantconfig

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// checkQuotas refuses a change that takes the tenant past max_monitors or
// max_networks, or gives a written monitor more triggers than
// max_triggers_per_monitor. A tenant already past a quota (rows written
// around the API) may still change and delete, as long as it does not
// grow.
func checkQuotas(t store.Tenant, s *state, rows postgres.ConfigRows, cfg *ozconfig.Config, registry map[string][]byte) error {
	if n := len(s.monitors); n > t.MaxMonitors && n > len(rows.Monitors) {
		return quotaExceeded("max_monitors", t.MaxMonitors, fmt.Sprintf("the tenant would have %d monitors", n))
	}
	// A monitor on an operator's network hangs off a tenant copy of it,
	// which counts.
	networks := map[string]bool{}
	for k := range s.networks {
		networks[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(s.monitors)) {
		if m := cfg.Monitors[k]; s.monitors[k].changed && m != nil && len(m.Networks) > 0 && registry[m.Networks[0]] != nil {
			networks[m.Networks[0]] = true
		}
	}
	if n := len(networks); n > t.MaxNetworks && n > len(rows.Networks) {
		return quotaExceeded("max_networks", t.MaxNetworks, fmt.Sprintf("the tenant would have %d networks", n))
	}
	for _, k := range slices.Sorted(maps.Keys(s.monitors)) {
		if m := cfg.Monitors[k]; s.monitors[k].changed && m != nil && len(m.Triggers) > t.MaxTriggers {
			return quotaExceeded("max_triggers_per_monitor", t.MaxTriggers,
				fmt.Sprintf("monitor %q lists %d triggers", ozconfig.Clip(k), len(m.Triggers)))
		}
	}
	return nil
}
