package store

import (
	"fmt"
	"time"
)

// Tier is a tenant's priority class; it picks the tenant's evaluation and
// notification queues.
type Tier string

// The tiers, highest priority first.
const (
	TierCritical Tier = "critical"
	TierHigh     Tier = "high"
	TierDefault  Tier = "default"
	TierLow      Tier = "low"
)

// Tiers lists every tier, highest priority first.
func Tiers() []Tier { return []Tier{TierCritical, TierHigh, TierDefault, TierLow} }

// Valid reports whether t is one of the four tiers.
func (t Tier) Valid() bool {
	switch t {
	case TierCritical, TierHigh, TierDefault, TierLow:
		return true
	}
	return false
}

// ParseTier turns a tier name into a Tier; the empty string is the default
// tier.
func ParseTier(s string) (Tier, error) {
	if s == "" {
		return TierDefault, nil
	}
	t := Tier(s)
	if !t.Valid() {
		return "", fmt.Errorf("unknown tier %q (want critical, high, default or low)", s)
	}
	return t, nil
}

// Tenant is one row of the tenant-isolation `tenants` table plus ozmon's
// per-tenant settings. The limits are the table's quota columns; a NULL in
// the database reads as the column's documented default.
type Tenant struct {
	ID     string // UUID, as text
	Slug   string
	Name   string
	Tier   Tier
	Active bool

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
