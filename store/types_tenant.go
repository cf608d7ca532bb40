package store

import (
	"time"

	"github.com/ozmon/ozmon/tasks"
)

// Tenant is one row of the tenant-isolation `tenants` table plus ozmon's
// per-tenant settings. The limits are the table's quota columns; a NULL in
// the database reads as the column's documented default.
type Tenant struct {
	ID     string // UUID, as text
	Slug   string
	Name   string
	Tier   tasks.Tier
	Active bool
	// HomeRegion is the region that serves the tenant ("": the default
	// region); see docs/multi-region.md.
	HomeRegion string

	MaxMonitors             int
	MaxNetworks             int
	MaxTriggers             int // per monitor (column max_triggers_per_monitor)
	MaxRPCRequestsPerMinute int
	MaxStorageMB            int

	CreatedAt time.Time
	UpdatedAt time.Time

	// Version changes whenever anything in the tenant's configuration
	// changes (its row, settings, networks, monitors or triggers), so a
	// periodic reload can skip tenants it already has. Empty means the
	// store cannot tell: reload every time.
	Version string
}
