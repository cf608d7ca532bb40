package tasks

import "fmt"

// Tier is a tenant's priority class; it picks the tenant's eval and notify
// queues. It is the one tier type: the store keeps it on each tenant
// (store.Tenant.Tier), the tasks carry it, the worker drains by it.
type Tier string

// The tiers, highest priority first.
const (
	TierCritical Tier = "critical"
	TierHigh     Tier = "high"
	TierDefault  Tier = "default"
	TierLow      Tier = "low"
)

// tiers lists every tier, highest first.
var tiers = [...]Tier{TierCritical, TierHigh, TierDefault, TierLow}

// Tiers returns every tier, highest first.
func Tiers() []Tier { return tiers[:] }

// Valid reports whether t is one of the four tiers.
func (t Tier) Valid() bool {
	switch t {
	case TierCritical, TierHigh, TierDefault, TierLow:
		return true
	}
	return false
}

// ParseTier accepts a tier name; the empty string is TierDefault.
func ParseTier(s string) (Tier, error) {
	if s == "" {
		return TierDefault, nil
	}
	if t := Tier(s); t.Valid() {
		return t, nil
	}
	return "", fmt.Errorf("unknown tier %q (want critical, high, default or low)", s)
}
