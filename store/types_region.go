package store

import "time"

// Region is one region's row in a multi-region deployment
// (docs/multi-region.md): its schedulers' last heartbeat, the region
// whose processes serve its tenants now, and whether an operator asked
// for them to be handed back.
type Region struct {
	Name     string
	LastSeen time.Time
	// Alive: the last heartbeat is within the timeout asked for, by the
	// database's clock (regions' clocks are never compared).
	Alive bool
	// ServedBy is the region serving this region's tenants: itself, or
	// the region that took them over when it stopped heartbeating.
	ServedBy string
	// Handback is an operator's request that ServedBy hand the tenants
	// back once it has finished their outstanding work.
	Handback  bool
	ChangedAt time.Time
}
