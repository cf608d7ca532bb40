package store

import (
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// TenantConfig is one tenant's configuration as the pipeline uses it.
// Config's maps are keyed as ozconfig.Config documents: networks by slug,
// monitors by name, triggers by the key monitors reference them with.
type TenantConfig struct {
	Tenant Tenant
	Config *ozconfig.Config
	// Problems lists the items that could not be loaded (each an
	// *ItemError) and were left out of Config.
	Problems []error
}

// ItemError says which stored configuration item could not be used and why.
type ItemError struct {
	Tenant string // tenant slug
	Table  string // e.g. "tenant_monitors"
	Name   string // the item's id within the tenant
	Err    error
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("tenant %s: %s %q: %v", e.Tenant, e.Table, e.Name, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// NetworkEndpoints is one entry of the operator's network registry: the
// network's slug and its full definition, RPC URLs included.
type NetworkEndpoints struct {
	Slug   string
	Config *ozconfig.Network
}

// RawConfig carries the original JSON of each item of a ozconfig.Config,
// under the same keys, so that what is stored is what the user wrote:
// re-encoding the parsed form would redact plain secrets and reorder keys.
type RawConfig struct {
	Networks map[string]json.RawMessage
	Monitors map[string]json.RawMessage
	Triggers map[string]json.RawMessage
}
